//go:build freebsd

package forkexec_test

// FreeBSD-specific tests. They need nothing but the test binary itself,
// which they re-run as the child (TestFreeBSDHelperProcess), and base-system
// programs; tests that need root (Jail, Credential) skip without it.

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/forkexec/forkexec/forkexec"
)

const helperEnv = "FORKEXEC_FREEBSD_HELPER"

// fbsdReport is what the helper child says about itself.
type fbsdReport struct {
	Args          []string
	Marker        string
	Dir           string
	Pid, Ppid     int
	Pgid, Sid     int
	Uid, Gid      int
	Groups        []int
	Jailed        uint32
	Pdeathsig     int
	SighupIgnored bool
	FDs           []int // open descriptors among 0..9 and the one asked about
	Umask         int
	Core          [2]int64 // RLIMIT_CORE, soft and hard
	NoNewPrivs    int      // procctl(PROC_NO_NEW_PRIVS_STATUS)
}

// TestFreeBSDHelperProcess is the child of the tests below, not a test.
func TestFreeBSDHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper process only")
	}
	var args []string
	for i, a := range os.Args {
		if a == "--" {
			args = os.Args[i+1:]
			break
		}
	}
	switch mode {
	case "report":
		r := fbsdReport{Args: os.Args, Marker: os.Getenv("FORKEXEC_MARKER"), Pid: os.Getpid(), Ppid: os.Getppid(), Pgid: syscall.Getpgrp(), Uid: os.Getuid(), Gid: os.Getgid()}
		r.Dir, _ = os.Getwd()
		r.Sid, _ = syscall.Getsid(0)
		r.Groups, _ = os.Getgroups()
		r.Jailed, _ = unix.SysctlUint32("security.jail.jailed")
		r.Pdeathsig, _ = forkexec.PdeathsigStatus()
		r.SighupIgnored = signal.Ignored(syscall.SIGHUP)
		r.Umask = syscall.Umask(0)
		var core syscall.Rlimit
		syscall.Getrlimit(syscall.RLIMIT_CORE, &core)
		r.Core = [2]int64{core.Cur, core.Max}
		r.NoNewPrivs, _ = forkexec.NoNewPrivsStatus()
		probe := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
		if len(args) > 0 {
			n, _ := strconv.Atoi(args[0])
			probe = append(probe, n)
		}
		for _, fd := range probe {
			if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil {
				r.FDs = append(r.FDs, fd)
			}
		}
		json.NewEncoder(os.Stdout).Encode(&r)
	case "sleep":
		time.Sleep(time.Minute)
	case "pdeath-parent":
		// Start a sleeper that should die with this process, print its
		// pid, and exit at once.
		exe, _ := os.Executable()
		// No Files: the sleeper must not hold this helper's output
		// open, or the test would wait for the sleeper's end to read it.
		pid, err := forkexec.Spawn(exe, helperArgv(exe), &forkexec.ProcAttr{
			Env: append(os.Environ(), helperEnv+"=sleep"),
			Sys: &forkexec.SysProcAttr{Pdeathsig: syscall.SIGKILL, CloseFDs: true},
		})
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString(strconv.Itoa(pid) + "\n")
	default:
		os.Stderr.WriteString("unknown helper mode " + mode + "\n")
		os.Exit(2)
	}
	os.Exit(0)
}

func helperArgv(exe string, args ...string) []string {
	return append([]string{exe, "-test.run=^TestFreeBSDHelperProcess$", "--"}, args...)
}

func testExe(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// worldExe copies the test binary where any user may run it: go test's
// own directory is readable by its owner only, so a child that drops root
// could not exec the original.
func worldExe(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(testExe(t))
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "forkexec-freebsd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "helper")
	if err := os.WriteFile(exe, src, 0o755); err != nil {
		t.Fatal(err)
	}
	return exe
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root")
	}
}

// runHelper starts the helper in mode "report" with attr (Env, Files[1]
// filled in when empty), waits for it and decodes its report. Files[1]
// must be left for runHelper: it is the pipe the report comes through.
func runHelper(t *testing.T, attr *forkexec.ProcAttr, argv0 string, argv []string) fbsdReport {
	t.Helper()
	out, err := startAndRead(t, func(w *os.File) (int, error) {
		a := *attr
		a.Env = append(append([]string(nil), a.Env...), helperEnv+"=report")
		a.Files = append([]uintptr(nil), a.Files...)
		for len(a.Files) < 3 {
			a.Files = append(a.Files, uintptr(len(a.Files)))
		}
		a.Files[1] = w.Fd()
		return forkexec.Spawn(argv0, argv, &a)
	})
	if err != nil {
		t.Fatalf("Spawn: %v", err)
	}
	var r fbsdReport
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("helper output %q: %v", out, err)
	}
	return r
}

// startAndRead runs start with the write end of a pipe, then reads the pipe
// to its end and waits for the child, which must exit 0.
func startAndRead(t *testing.T, start func(w *os.File) (int, error)) ([]byte, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pid, err := start(w)
	w.Close()
	if err != nil {
		return nil, err
	}
	out, _ := io.ReadAll(r)
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatalf("wait4: %v", err)
	}
	if !ws.Exited() || ws.ExitStatus() != 0 {
		t.Fatalf("helper: status %v, output %q", ws, out)
	}
	return out, nil
}

// stdlibHelper runs the helper through syscall.ForkExec with the same
// arguments, for comparison.
func stdlibHelper(t *testing.T, argv0 string, argv []string, dir string, sys *syscall.SysProcAttr) fbsdReport {
	t.Helper()
	out, err := startAndRead(t, func(w *os.File) (int, error) {
		return syscall.ForkExec(argv0, argv, &syscall.ProcAttr{
			Dir:   dir,
			Env:   append(os.Environ(), helperEnv+"=report"),
			Files: []uintptr{0, w.Fd(), 2},
			Sys:   sys,
		})
	})
	if err != nil {
		t.Fatalf("syscall.ForkExec: %v", err)
	}
	var r fbsdReport
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("helper output %q: %v", out, err)
	}
	return r
}

func eq[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFreeBSDArgvEnvDir(t *testing.T) {
	exe := testExe(t)
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	argv := helperArgv(exe)
	argv[0] = "x" // shorter than the path: kept
	r := runHelper(t, &forkexec.ProcAttr{Dir: dir, Env: []string{"FORKEXEC_MARKER=hello"}}, exe, argv)
	if !eq(r.Args, argv) {
		t.Errorf("args %q, want %q", r.Args, argv)
	}
	if r.Marker != "hello" {
		t.Errorf("env marker %q, want hello", r.Marker)
	}
	if r.Dir != dir {
		t.Errorf("dir %q, want %q", r.Dir, dir)
	}
	if r.Ppid != os.Getpid() {
		t.Errorf("ppid %d, want %d", r.Ppid, os.Getpid())
	}
}

// TestFreeBSDArgv0Quirk checks the syscall package's FreeBSD rule, that an
// argv[0] longer than the path is replaced by the path, against
// syscall.ForkExec itself.
func TestFreeBSDArgv0Quirk(t *testing.T) {
	exe := testExe(t)
	for _, a0 := range []string{exe + "-and-then-some", "short", exe} {
		argv := helperArgv(exe)
		argv[0] = a0
		got := runHelper(t, &forkexec.ProcAttr{}, exe, argv)
		want := stdlibHelper(t, exe, argv, "", nil)
		if !eq(got.Args, want.Args) {
			t.Errorf("argv[0] %q: forkexec gave %q, syscall %q", a0, got.Args, want.Args)
		}
	}
	argv := helperArgv(exe)
	argv[0] = exe + "-longer"
	if got := runHelper(t, &forkexec.ProcAttr{}, exe, argv); got.Args[0] != exe {
		t.Errorf("long argv[0] became %q, want the path %q", got.Args[0], exe)
	}
}

func TestFreeBSDSessionAndGroup(t *testing.T) {
	exe := testExe(t)
	r := runHelper(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Setsid: true}}, exe, helperArgv(exe))
	if r.Sid != r.Pid || r.Pgid != r.Pid {
		t.Errorf("Setsid: sid %d pgid %d, want both %d", r.Sid, r.Pgid, r.Pid)
	}
	r = runHelper(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Setpgid: true}}, exe, helperArgv(exe))
	if r.Pgid != r.Pid {
		t.Errorf("Setpgid: pgid %d, want %d", r.Pgid, r.Pid)
	}
	if sid, _ := syscall.Getsid(0); r.Sid != sid {
		t.Errorf("Setpgid: sid %d, want the parent's %d", r.Sid, sid)
	}
}

// TestFreeBSDCredential compares ids with what syscall.ForkExec gives: how
// setgroups treats the first group differs between FreeBSD releases, and
// forkexec must do what the syscall package does on each.
func TestFreeBSDCredential(t *testing.T) {
	needRoot(t)
	exe := worldExe(t)
	for _, cred := range []forkexec.Credential{
		{Uid: 65534, Gid: 65534, Groups: []uint32{65533, 65532}},
		{Uid: 65534, Gid: 65533},
		{Uid: 65534, Gid: 65534, NoSetGroups: true},
	} {
		c := cred
		dir := os.TempDir()
		got := runHelper(t, &forkexec.ProcAttr{Dir: dir, Sys: &forkexec.SysProcAttr{Credential: &c}}, exe, helperArgv(exe))
		sc := syscall.Credential{Uid: c.Uid, Gid: c.Gid, Groups: c.Groups, NoSetGroups: c.NoSetGroups}
		want := stdlibHelper(t, exe, helperArgv(exe), dir, &syscall.SysProcAttr{Credential: &sc})
		if got.Uid != want.Uid || got.Gid != want.Gid || !eq(got.Groups, want.Groups) {
			t.Errorf("%+v: forkexec uid %d gid %d groups %v; syscall uid %d gid %d groups %v",
				c, got.Uid, got.Gid, got.Groups, want.Uid, want.Gid, want.Groups)
		}
		if got.Uid != 65534 {
			t.Errorf("%+v: uid %d", c, got.Uid)
		}
	}
}

// TestFreeBSDJail creates a jail rooted at / and attaches a child to it.
func TestFreeBSDJail(t *testing.T) {
	needRoot(t)
	if jailed, _ := unix.SysctlUint32("security.jail.jailed"); jailed != 0 {
		t.Skip("already in a jail")
	}
	out, err := exec.Command("jail", "-i", "-c", "path=/", "persist", "name=forkexec_test_"+strconv.Itoa(os.Getpid())).Output()
	if err != nil {
		t.Skipf("cannot create a jail: %v", err)
	}
	jid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("jail -i printed %q", out)
	}
	defer exec.Command("jail", "-r", strconv.Itoa(jid)).Run()

	exe := testExe(t)
	r := runHelper(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Jail: jid}}, exe, helperArgv(exe))
	if r.Jailed != 1 {
		t.Errorf("child not jailed (security.jail.jailed = %d)", r.Jailed)
	}
	// jail_attach moves the working directory to the jail's root.
	if r.Dir != "/" {
		t.Errorf("dir in jail %q, want /", r.Dir)
	}
	// Dir applies after the attach, inside the jail.
	r = runHelper(t, &forkexec.ProcAttr{Dir: "/tmp", Sys: &forkexec.SysProcAttr{Jail: jid}}, exe, helperArgv(exe))
	if r.Jailed != 1 || r.Dir != "/tmp" {
		t.Errorf("with Dir: jailed %d dir %q, want 1 and /tmp", r.Jailed, r.Dir)
	}
	// Not attached without Jail.
	if r := runHelper(t, &forkexec.ProcAttr{}, exe, helperArgv(exe)); r.Jailed != 0 {
		t.Errorf("child jailed without Jail")
	}
}

func TestFreeBSDPdeathsig(t *testing.T) {
	exe := testExe(t)
	r := runHelper(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Pdeathsig: syscall.SIGUSR1}}, exe, helperArgv(exe))
	if r.Pdeathsig != int(syscall.SIGUSR1) {
		t.Errorf("child's parent-death signal %d, want %d", r.Pdeathsig, syscall.SIGUSR1)
	}
	if r := runHelper(t, &forkexec.ProcAttr{}, exe, helperArgv(exe)); r.Pdeathsig != 0 {
		t.Errorf("parent-death signal %d without Pdeathsig", r.Pdeathsig)
	}

	// The real thing: a sleeper whose parent exits gets SIGKILL.
	cmd := exec.Command(exe, helperArgv(exe)[1:]...)
	cmd.Env = append(os.Environ(), helperEnv+"=pdeath-parent")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdeath-parent: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("pdeath-parent printed %q", out)
	}
	deadline := time.Now().Add(20 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("sleeper %d outlived its parent", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestFreeBSDCloseFDs(t *testing.T) {
	exe := testExe(t)
	// A descriptor without close-on-exec, numbered high enough that the
	// child's own runtime does not open one with the same number.
	low, err := syscall.Open("/dev/null", syscall.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	const fd = 101
	if err := syscall.Dup2(low, fd); err != nil {
		t.Fatal(err)
	}
	syscall.Close(low)
	defer syscall.Close(fd)
	arg := strconv.Itoa(fd)

	has := func(fds []int, n int) bool {
		for _, f := range fds {
			if f == n {
				return true
			}
		}
		return false
	}
	r := runHelper(t, &forkexec.ProcAttr{}, exe, helperArgv(exe, arg))
	if !has(r.FDs, fd) {
		t.Errorf("without CloseFDs: fd %d not inherited (open: %v)", fd, r.FDs)
	}
	r = runHelper(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{CloseFDs: true}}, exe, helperArgv(exe, arg))
	if has(r.FDs, fd) {
		t.Errorf("with CloseFDs: fd %d inherited (open: %v)", fd, r.FDs)
	}
	if !has(r.FDs, 0) || !has(r.FDs, 1) || !has(r.FDs, 2) {
		t.Errorf("with CloseFDs: stdio missing (open: %v)", r.FDs)
	}
	// Files beyond stdio survive CloseFDs, in place.
	r = runHelper(t, &forkexec.ProcAttr{Files: []uintptr{0, 1, 2, uintptr(fd)}, Sys: &forkexec.SysProcAttr{CloseFDs: true}}, exe, helperArgv(exe, arg))
	if !has(r.FDs, 3) || has(r.FDs, fd) {
		t.Errorf("Files {0,1,2,%d} with CloseFDs: open %v, want 3 and not %d", fd, r.FDs, fd)
	}
	// The child closed its own copies only.
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
		t.Errorf("parent's fd %d after the spawn: %v", fd, err)
	}
}

func TestFreeBSDResetSignals(t *testing.T) {
	exe := testExe(t)
	signal.Ignore(syscall.SIGHUP)
	defer signal.Reset(syscall.SIGHUP)

	r := runHelper(t, &forkexec.ProcAttr{}, exe, helperArgv(exe))
	want := stdlibHelper(t, exe, helperArgv(exe), "", nil)
	if r.SighupIgnored != want.SighupIgnored || !r.SighupIgnored {
		t.Errorf("without ResetSignals: SIGHUP ignored %v, syscall package's child %v, want both true", r.SighupIgnored, want.SighupIgnored)
	}
	r = runHelper(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{ResetSignals: true}}, exe, helperArgv(exe))
	if r.SighupIgnored {
		t.Errorf("with ResetSignals: SIGHUP still ignored")
	}
}

func TestFreeBSDPtrace(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pid, err := forkexec.Spawn("/usr/bin/true", []string{"true"}, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Ptrace: true}})
	if err != nil {
		t.Fatal(err)
	}
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
	if !ws.Stopped() || ws.StopSignal() != syscall.SIGTRAP {
		t.Errorf("traced child: status %v, want stopped by SIGTRAP at exec", ws)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	syscall.Wait4(pid, &ws, 0, nil)
}

// TestFreeBSDStepErrors makes each step that can be made to fail fail, and
// checks the step, errno and detail Spawn reports, that ForkExec returns the
// bare errno, and that no child is left behind.
func TestFreeBSDStepErrors(t *testing.T) {
	devnull, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	nullfd := devnull.Fd()
	const badfd = 1000
	if _, err := unix.FcntlInt(badfd, unix.F_GETFD, 0); err == nil {
		t.Fatalf("fd %d is open; the test needs it closed", badfd)
	}
	stdio := []uintptr{nullfd, nullfd, nullfd}

	type tc struct {
		name   string
		argv0  string
		attr   forkexec.ProcAttr
		step   forkexec.Step
		errnos []syscall.Errno // any of these; nil means any
		detail string
		root   int // 1: only as root, -1: only as non-root
	}
	cases := []tc{
		{name: "exec", argv0: "/nonexistent/prog", attr: forkexec.ProcAttr{Files: stdio}, step: forkexec.StepExec, errnos: []syscall.Errno{syscall.ENOENT}, detail: "/nonexistent/prog"},
		{name: "chdir", attr: forkexec.ProcAttr{Dir: "/nonexistent", Files: stdio}, step: forkexec.StepChdir, errnos: []syscall.Errno{syscall.ENOENT}, detail: "/nonexistent"},
		{name: "chroot", attr: forkexec.ProcAttr{Files: stdio, Sys: &forkexec.SysProcAttr{Chroot: "/nonexistent"}}, step: forkexec.StepChroot, errnos: []syscall.Errno{syscall.ENOENT, syscall.EPERM}, detail: "/nonexistent"},
		{name: "dup", attr: forkexec.ProcAttr{Files: []uintptr{nullfd, badfd, nullfd}}, step: forkexec.StepDup, errnos: []syscall.Errno{syscall.EBADF}, detail: "fd 1000 onto 1"},
		{name: "pdeathsig", attr: forkexec.ProcAttr{Files: stdio, Sys: &forkexec.SysProcAttr{Pdeathsig: 200}}, step: forkexec.StepPdeathsig, errnos: []syscall.Errno{syscall.EINVAL}, detail: "signal 200"},
		{name: "jail", attr: forkexec.ProcAttr{Files: stdio, Sys: &forkexec.SysProcAttr{Jail: 1 << 30}}, step: forkexec.StepJail, errnos: []syscall.Errno{syscall.EINVAL, syscall.EPERM}, detail: "jid " + strconv.Itoa(1<<30)},
		{name: "setpgid", attr: forkexec.ProcAttr{Files: stdio, Sys: &forkexec.SysProcAttr{Setpgid: true, Pgid: 1 << 30}}, step: forkexec.StepSetpgid},
		{name: "foreground", attr: forkexec.ProcAttr{Files: stdio, Sys: &forkexec.SysProcAttr{Foreground: true, Ctty: int(nullfd)}}, step: forkexec.StepForeground, detail: "fd " + strconv.Itoa(int(nullfd))},
		{name: "setctty", attr: forkexec.ProcAttr{Files: stdio, Sys: &forkexec.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}}, step: forkexec.StepSetctty, detail: "fd 0"},
		{name: "noctty", attr: forkexec.ProcAttr{Files: stdio, Sys: &forkexec.SysProcAttr{Noctty: true}}, step: forkexec.StepNoctty},
		{name: "setgroups/root", attr: forkexec.ProcAttr{Files: stdio, Sys: &forkexec.SysProcAttr{Credential: &forkexec.Credential{Groups: make([]uint32, 1<<17)}}}, step: forkexec.StepSetgroups, errnos: []syscall.Errno{syscall.EINVAL}, root: 1},
		{name: "setgroups/user", attr: forkexec.ProcAttr{Files: stdio, Sys: &forkexec.SysProcAttr{Credential: &forkexec.Credential{Groups: []uint32{0}}}}, step: forkexec.StepSetgroups, errnos: []syscall.Errno{syscall.EPERM}, root: -1},
		{name: "setgid/user", attr: forkexec.ProcAttr{Files: stdio, Sys: &forkexec.SysProcAttr{Credential: &forkexec.Credential{Gid: 0, NoSetGroups: true}}}, step: forkexec.StepSetgid, errnos: []syscall.Errno{syscall.EPERM}, root: -1},
	}
	isRoot := os.Getuid() == 0
	for _, vfork := range []bool{false, true} {
		forkexec.SetForceVfork(vfork)
		for _, c := range cases {
			name := c.name
			if vfork {
				name += "/vfork"
			}
			t.Run(name, func(t *testing.T) {
				if c.root == 1 && !isRoot || c.root == -1 && isRoot {
					t.Skip("not for this uid")
				}
				argv0 := c.argv0
				if argv0 == "" {
					argv0 = "/usr/bin/true"
				}
				attr := c.attr
				_, err := forkexec.Spawn(argv0, []string{"true"}, &attr)
				var fe *forkexec.Error
				if !errors.As(err, &fe) {
					t.Fatalf("Spawn: %v, want a *forkexec.Error", err)
				}
				if fe.Step != c.step {
					t.Errorf("step %v, want %v (%v)", fe.Step, c.step, err)
				}
				if c.errnos != nil {
					ok := false
					for _, e := range c.errnos {
						ok = ok || fe.Errno == e
					}
					if !ok {
						t.Errorf("errno %v, want one of %v", fe.Errno, c.errnos)
					}
				}
				if fe.Errno == 0 || !errors.Is(err, fe.Errno) {
					t.Errorf("errno %v not reported or not unwrapped", fe.Errno)
				}
				if c.detail != "" && fe.Detail != c.detail {
					t.Errorf("detail %q, want %q", fe.Detail, c.detail)
				}
				// ForkExec returns the bare errno.
				if _, err := forkexec.ForkExec(argv0, []string{"true"}, &attr); err != fe.Errno {
					t.Errorf("ForkExec: %#v, want the bare %v", err, fe.Errno)
				}
				// The failed children were reaped.
				var ws syscall.WaitStatus
				if pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); pid > 0 {
					t.Errorf("child %d left to wait for (%v)", pid, err)
				}
			})
		}
	}
	forkexec.SetForceVfork(false)
}

// TestFreeBSDForkExecMatchesSyscall: same errors as syscall.ForkExec for
// what fails before the fork and for a failed exec.
func TestFreeBSDForkExecMatchesSyscall(t *testing.T) {
	_, got := forkexec.ForkExec("/nonexistent/prog", []string{"x"}, nil)
	_, want := syscall.ForkExec("/nonexistent/prog", []string{"x"}, nil)
	if got != want {
		t.Errorf("missing program: %v, syscall.ForkExec %v", got, want)
	}
	_, got = forkexec.ForkExec("/usr/bin/true", []string{"a\x00b"}, nil)
	_, want = syscall.ForkExec("/usr/bin/true", []string{"a\x00b"}, nil)
	if got != want {
		t.Errorf("NUL in argv: %v, syscall.ForkExec %v", got, want)
	}
	sys := &forkexec.SysProcAttr{Setctty: true, Foreground: true}
	_, got = forkexec.ForkExec("/usr/bin/true", nil, &forkexec.ProcAttr{Sys: sys})
	_, want = syscall.ForkExec("/usr/bin/true", nil, &syscall.ProcAttr{Sys: &syscall.SysProcAttr{Setctty: true, Foreground: true}})
	if got == nil || want == nil || got.Error() != want.Error() {
		t.Errorf("Setctty and Foreground: %v, syscall.ForkExec %v", got, want)
	}
}

// TestFreeBSDVforkPath runs the basic cases through plain vfork, the path
// of kernels before 12.2, and concurrent spawns under GC pressure through
// both paths: the child borrows the parent's memory and stack either way.
func TestFreeBSDVforkPath(t *testing.T) {
	exe := testExe(t)
	for _, vfork := range []bool{false, true} {
		forkexec.SetForceVfork(vfork)
		r := runHelper(t, &forkexec.ProcAttr{Env: []string{"FORKEXEC_MARKER=v"}, Sys: &forkexec.SysProcAttr{Setpgid: true, CloseFDs: true, ResetSignals: true}}, exe, helperArgv(exe))
		if r.Marker != "v" || r.Pgid != r.Pid {
			t.Errorf("vfork=%v: report %+v", vfork, r)
		}

		stop := make(chan struct{})
		var garbage sync.WaitGroup
		garbage.Add(1)
		go func() {
			defer garbage.Done()
			var keep [][]byte
			for {
				select {
				case <-stop:
					return
				default:
				}
				keep = append(keep, bytes.Repeat([]byte{1}, 4096))
				if len(keep) > 1000 {
					keep = nil
					runtime.GC()
				}
			}
		}()
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 20; i++ {
					pid, err := forkexec.Spawn("/usr/bin/true", []string{"true"}, nil)
					if err != nil {
						errs <- err
						return
					}
					var ws syscall.WaitStatus
					if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil || ws.ExitStatus() != 0 {
						errs <- errors.New("true: wait status " + strconv.Itoa(int(ws)))
						return
					}
				}
			}()
		}
		wg.Wait()
		close(stop)
		garbage.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("vfork=%v: %v", vfork, err)
		}
	}
	forkexec.SetForceVfork(false)
}
