//go:build linux

package forkexec_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/forkexec/forkexec/forkexec"
	"golang.org/x/sys/unix"
)

// Each test here sets one SysProcAttr or ProcAttr field (or a few that only
// make sense together), starts the probe, and checks what the probe says it
// got. The closing note of the drop-in issue maps every field to its test.

func TestArgvEnvDir(t *testing.T) {
	dir := t.TempDir()
	for _, env := range [][]string{nil, {}, {"A=1", "B=two words", "EMPTY="}, largeEnv()} {
		rep := runProbe(t, &forkexec.ProcAttr{Dir: dir, Env: env, Files: stdio()}, "-tty", "0")
		if !slices.Equal(rep.Env, env) && !(len(env) == 0 && len(rep.Env) == 0) {
			t.Errorf("env: got %d entries, want %d", len(rep.Env), len(env))
		}
		if rep.Cwd != dir {
			t.Errorf("cwd = %q, want %q", rep.Cwd, dir)
		}
		want := []string{probePath, "-report", "3", "-tty", "0", "report"}
		if !slices.Equal(rep.Args, want) {
			t.Errorf("args = %q, want %q", rep.Args, want)
		}
	}
}

func largeEnv() []string {
	env := make([]string, 2000)
	for i := range env {
		env[i] = "VAR" + strconv.Itoa(i) + "=" + strings.Repeat("x", i%300)
	}
	return env
}

// TestFilesShuffle covers the two-pass shuffle: fd[i] < i moved out of the
// way first, repeats, -1 closing, fd[i] == i losing close-on-exec, gaps.
func TestFilesShuffle(t *testing.T) {
	var pipes [4][2]*os.File
	for i := range pipes {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		defer w.Close()
		pipes[i] = [2]*os.File{r, w}
	}
	target := func(f *os.File) string {
		s, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(f.Fd())))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	p0, p1, p2, p3 := pipes[0][1], pipes[1][1], pipes[2][1], pipes[3][1]
	none := ^uintptr(0)
	// fd 3 (or whatever the runtime gave the first pipe) in slot 0 and so on:
	// each case lists, per child slot, the parent file (nil: closed).
	cases := []struct {
		name  string
		files []*os.File
	}{
		{"reverse", []*os.File{p3, p2, p1, p0}},
		{"repeat", []*os.File{p1, p1, p1, p2}},
		{"close", []*os.File{p0, nil, p2}},
		{"gap", []*os.File{nil, nil, nil, nil, nil, p0, nil, p1}},
		{"identity-and-low", []*os.File{os.Stdin, os.Stdout, os.Stderr, p2, p0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var files []uintptr
			for _, f := range c.files {
				if f == nil {
					files = append(files, none)
				} else {
					files = append(files, f.Fd())
				}
			}
			rep := runCProbe(t, forkexec.ForkExec, &forkexec.ProcAttr{Files: files})
			for i, f := range c.files {
				got, open := rep.fds[i]
				if f == nil {
					if open {
						t.Errorf("fd %d: open (%s), want closed", i, got.Target)
					}
					continue
				}
				if !open || got.Target != target(f) || got.Cloexec {
					t.Errorf("fd %d = %+v (open %v), want %s without close-on-exec", i, got, open, target(f))
				}
			}
		})
	}
	// An fd that is its own slot is passed, though the parent marked it
	// close-on-exec (as every Go descriptor is).
	fd := int(p2.Fd())
	files := make([]uintptr, fd+1)
	for i := range files {
		files[i] = none
	}
	files[fd] = uintptr(fd)
	rep := runCProbe(t, forkexec.ForkExec, &forkexec.ProcAttr{Files: files})
	if got, ok := rep.fds[fd]; !ok || got.Cloexec || got.Target != target(p2) {
		t.Errorf("fd %d passed as itself: got %+v (open %v)", fd, got, ok)
	}
}

// TestShortFilesClosesStdio: with fewer than three Files, the child's
// remaining descriptors among 0, 1 and 2 are closed, not inherited.
func TestShortFilesClosesStdio(t *testing.T) {
	rep := runCProbe(t, forkexec.ForkExec, &forkexec.ProcAttr{Files: nil}) // report pipe is fd 0
	for fd := 1; fd < 3; fd++ {
		if f, open := rep.fds[fd]; open {
			t.Errorf("fd %d open (%s), want closed", fd, f.Target)
		}
	}
}

func TestChrootAndDir(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "sub", "marker"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	copyFile(t, probePath, filepath.Join(root, "probe"))
	pid, r, err := startProbe(t, forkexec.ForkExec, "/probe", &forkexec.ProcAttr{
		Dir:   "/sub",
		Files: stdio(),
		Sys:   &forkexec.SysProcAttr{Chroot: root},
	})
	if err != nil {
		t.Fatal(err)
	}
	rep := readReport(t, pid, r)
	if rep.Cwd != "/sub" || !rep.Marker {
		t.Errorf("in chroot: cwd %q, marker found %v; want /sub, true", rep.Cwd, rep.Marker)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestCredential(t *testing.T) {
	requireRoot(t)
	parentGroups, _ := unix.Getgroups()
	cases := []struct {
		name       string
		cred       forkexec.Credential
		wantGroups []int
	}{
		{"groups", forkexec.Credential{Uid: 12345, Gid: 23456, Groups: []uint32{7, 8, 9}}, []int{7, 8, 9}},
		{"no groups", forkexec.Credential{Uid: 12345, Gid: 23456}, []int{}},
		{"NoSetGroups", forkexec.Credential{Uid: 12345, Gid: 23456, Groups: []uint32{7}, NoSetGroups: true}, parentGroups},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{Credential: &c.cred}})
			if rep.Uid != [3]int{12345, 12345, 12345} || rep.Gid != [3]int{23456, 23456, 23456} {
				t.Errorf("uids %v gids %v, want all 12345 and 23456", rep.Uid, rep.Gid)
			}
			if !slices.Equal(rep.Groups, c.wantGroups) && !(len(rep.Groups) == 0 && len(c.wantGroups) == 0) {
				t.Errorf("groups %v, want %v", rep.Groups, c.wantGroups)
			}
		})
	}
}

func TestSetsid(t *testing.T) {
	rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{Setsid: true}})
	if rep.Sid != rep.Pid || rep.Pgid != rep.Pid {
		t.Errorf("sid %d pgid %d, want both the pid %d", rep.Sid, rep.Pgid, rep.Pid)
	}
	if rep.DevTty == "ok" {
		t.Errorf("a new session has no controlling tty, but /dev/tty opened")
	}
}

func TestSetpgid(t *testing.T) {
	rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{Setpgid: true}})
	if rep.Pgid != rep.Pid {
		t.Errorf("Setpgid with Pgid 0: pgid %d, want the pid %d", rep.Pgid, rep.Pid)
	}
	// Join the group of a first child that leads one.
	leader, err := forkexec.ForkExec(probePath, []string{probePath, "sleep"}, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{Setpgid: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { syscall.Kill(leader, syscall.SIGKILL); wait(t, leader) }()
	rep = runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{Setpgid: true, Pgid: leader}})
	if rep.Pgid != leader {
		t.Errorf("Setpgid with Pgid %d: pgid %d", leader, rep.Pgid)
	}
}

// openPty returns a new pseudo-terminal's master and slave.
func openPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetUint32(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

func TestSetctty(t *testing.T) {
	_, tty := openPty(t)
	rep := runProbe(t, &forkexec.ProcAttr{
		Files: []uintptr{tty.Fd(), tty.Fd(), tty.Fd()},
		Sys:   &forkexec.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0},
	}, "-tty", "0")
	if rep.DevTty != "ok" || rep.TtySid != rep.Pid || rep.TtyPgrp != rep.Pid {
		t.Errorf("after Setctty: /dev/tty %q, tty session %d, foreground %d; want ok and the pid %d", rep.DevTty, rep.TtySid, rep.TtyPgrp, rep.Pid)
	}
}

// TestForegroundAndNoctty need a parent whose controlling tty is the pty:
// a probe made session leader with it, which spawns the reporting probe.
func TestForegroundAndNoctty(t *testing.T) {
	for _, mode := range []string{"foreground", "noctty"} {
		t.Run(mode, func(t *testing.T) {
			_, tty := openPty(t)
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			pid, err := forkexec.ForkExec(probePath, []string{probePath, "-report", "3", "spawn", mode, "0"}, &forkexec.ProcAttr{
				Files: []uintptr{tty.Fd(), tty.Fd(), 2, w.Fd()},
				Sys:   &forkexec.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0},
			})
			w.Close()
			if err != nil {
				t.Fatal(err)
			}
			rep := readReport(t, pid, r)
			switch mode {
			case "foreground":
				if rep.Pgid != rep.Pid || rep.TtyPgrp != rep.Pgid || rep.Sid != rep.Ppid {
					t.Errorf("Foreground: pgid %d, tty foreground %d, sid %d; want pgid = pid %d = foreground, sid = parent %d", rep.Pgid, rep.TtyPgrp, rep.Sid, rep.Pid, rep.Ppid)
				}
			case "noctty":
				if rep.DevTty == "ok" {
					t.Errorf("Noctty: /dev/tty still opens")
				}
			}
		})
	}
}

func TestPdeathsig(t *testing.T) {
	rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{Pdeathsig: syscall.SIGUSR2}})
	if rep.Pdeathsig != int(syscall.SIGUSR2) {
		t.Errorf("pdeathsig %d, want %d", rep.Pdeathsig, syscall.SIGUSR2)
	}
	// The real thing: the middle probe spawns a sleeper with SIGKILL as
	// its parent-death signal and exits; the sleeper must die. As child
	// subreaper this test inherits the orphan and sees how it ended.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Skipf("PR_SET_CHILD_SUBREAPER: %v", err)
	}
	defer unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	mid, err := forkexec.ForkExec(probePath, []string{probePath, "-report", "3", "spawn", "pdeathsig"}, &forkexec.ProcAttr{Files: []uintptr{0, 1, 2, w.Fd()}})
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 32)
	n, _ := r.Read(b)
	r.Close()
	if ws := wait(t, mid); ws.ExitStatus() != 0 {
		t.Fatalf("middle probe: %s", describe(ws))
	}
	grandchild, err := strconv.Atoi(string(b[:n]))
	if err != nil {
		t.Fatalf("middle probe reported %q", b[:n])
	}
	if ws := wait(t, grandchild); !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Errorf("orphaned grandchild: %s, want killed by SIGKILL", describe(ws))
	}
}

func TestPtrace(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pid, err := forkexec.ForkExec(probePath, []string{probePath, "-report", "3", "report"}, &forkexec.ProcAttr{Files: []uintptr{0, 1, 2, w.Fd()}, Sys: &forkexec.SysProcAttr{Ptrace: true}})
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	// Only a traced process stops with SIGTRAP at exec, and the status
	// says who traces it. Then detach: the Go probe's runtime signals would
	// each stop it again.
	ws := wait(t, pid)
	if !ws.Stopped() || ws.StopSignal() != syscall.SIGTRAP {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("traced child: %s, want stopped by SIGTRAP at exec", describe(ws))
	}
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	if want := "TracerPid:\t" + strconv.Itoa(unix.Gettid()) + "\n"; !strings.Contains(string(status), want) {
		t.Errorf("status of the stopped child lacks %q", want)
	}
	if err := syscall.PtraceDetach(pid); err != nil {
		t.Fatal(err)
	}
	readReport(t, pid, r)
}

func selfNS(t *testing.T, ns string) string {
	s, err := os.Readlink("/proc/self/ns/" + ns)
	if err != nil {
		t.Skipf("no namespace %s here: %v", ns, err)
	}
	return s
}

func TestCloneflagsNamespaces(t *testing.T) {
	requireRoot(t)
	flags := map[string]uintptr{
		"uts": syscall.CLONE_NEWUTS, "ipc": syscall.CLONE_NEWIPC, "mnt": syscall.CLONE_NEWNS,
		"pid": syscall.CLONE_NEWPID, "net": syscall.CLONE_NEWNET, "cgroup": unix.CLONE_NEWCGROUP,
	}
	var all uintptr
	for _, f := range flags {
		all |= f
	}
	rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{Cloneflags: all}})
	for ns := range flags {
		if rep.NS[ns] == selfNS(t, ns) {
			t.Errorf("namespace %s not new: %s", ns, rep.NS[ns])
		}
	}
	if rep.Pid != 1 {
		t.Errorf("pid in a new pid namespace: %d, want 1", rep.Pid)
	}
}

func TestUnshareflags(t *testing.T) {
	requireRoot(t)
	rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{Unshareflags: syscall.CLONE_NEWUTS | syscall.CLONE_NEWNS}})
	for _, ns := range []string{"uts", "mnt"} {
		if rep.NS[ns] == selfNS(t, ns) {
			t.Errorf("namespace %s not unshared", ns)
		}
	}
}

// TestTimeNamespace takes the clone3 path, which CLONE_NEWTIME needs.
func TestTimeNamespace(t *testing.T) {
	requireRoot(t)
	selfNS(t, "time")
	// A new time namespace applies to the children of the process that
	// unshared it, but clone3 puts the child itself in it.
	rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{Cloneflags: unix.CLONE_NEWTIME}})
	if rep.NS["time"] == selfNS(t, "time") {
		t.Errorf("CLONE_NEWTIME: time namespace not new")
	}
}

func TestUserNamespaceMaps(t *testing.T) {
	requireRoot(t)
	if _, err := os.Stat("/proc/self/ns/user"); err != nil {
		t.Skip("no user namespaces here")
	}
	// Ids 0-999 inside are 0-999 outside: the child, root outside, is root
	// inside only if the map was written; unmapped it would be 65534. A
	// child that unshares writes its own map, and the kernel lets it map
	// only its own id.
	maps := []forkexec.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1000}}
	self := []forkexec.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}}
	// Maps other than the child's own the parent writes while the child
	// waits: on the own-stack path where there is one, else (and whenever
	// the child cannot report through shared memory) on the fork path.
	parentPath := "fork"
	if forkexec.OwnStackAvailable() {
		parentPath = "own stack"
	}
	for _, c := range []struct {
		name, path string
		pipe       bool // report through the pipe, as under an emulator
		sys        forkexec.SysProcAttr
	}{
		{"Cloneflags", parentPath, false, forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: maps, GidMappings: maps}},
		{"Cloneflags fork path", "fork", true, forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: maps, GidMappings: maps}},
		{"Unshareflags", "vfork", false, forkexec.SysProcAttr{Unshareflags: syscall.CLONE_NEWUSER, UidMappings: self, GidMappings: self}},
		{"EnableSetgroups", parentPath, false, forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: maps, GidMappings: maps, GidMappingsEnableSetgroups: true}},
		{"Credential", parentPath, false, forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: maps, GidMappings: maps, Credential: &forkexec.Credential{Uid: 5, Gid: 6}}},
		{"Credential fork path", "fork", true, forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: maps, GidMappings: maps, Credential: &forkexec.Credential{Uid: 5, Gid: 6}}},
		// Mapping only itself, the child writes its own maps on the vfork path.
		{"self map", "vfork", false, forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: self, GidMappings: self}},
		{"self uid map only", "vfork", false, forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: self}},
		// No maps: nothing to wait for.
		{"no maps", "vfork", false, forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER}},
	} {
		t.Run(c.name, func(t *testing.T) {
			sys := c.sys
			forkexec.SetForceReportPipe(c.pipe)
			defer forkexec.SetForceReportPipe(false)
			if got := forkexec.ChildPath(&sys); got != c.path {
				t.Errorf("path %q, want %q", got, c.path)
			}
			rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &sys})
			if rep.NS["user"] == selfNS(t, "user") {
				t.Fatalf("user namespace not new")
			}
			wantUID, wantGID := 0, 0
			if sys.UidMappings == nil {
				wantUID = 65534 // unmapped
			}
			if sys.Credential != nil {
				wantUID, wantGID = int(sys.Credential.Uid), int(sys.Credential.Gid)
			}
			if sys.GidMappings == nil {
				wantGID = 65534 // unmapped
			}
			if rep.Uid[0] != wantUID || rep.Gid[0] != wantGID {
				t.Errorf("ids in the namespace: uid %v gid %v, want %d and %d", rep.Uid, rep.Gid, wantUID, wantGID)
			}
			// The map is visible from outside as the child's, under /proc.
			b, err := os.ReadFile("/proc/" + strconv.Itoa(rep.Pid) + "/uid_map")
			if err == nil && len(strings.Fields(string(b))) != 3 {
				t.Errorf("uid_map %q", b)
			}
		})
	}
}

func TestAmbientCaps(t *testing.T) {
	requireRoot(t)
	const capNetBindService = 10
	rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{
		Credential:  &forkexec.Credential{Uid: 12345, Gid: 12345},
		AmbientCaps: []uintptr{capNetBindService},
	}})
	amb, err := strconv.ParseUint(rep.Status["CapAmb"], 16, 64)
	if err != nil {
		t.Fatalf("CapAmb %q: %v", rep.Status["CapAmb"], err)
	}
	eff, _ := strconv.ParseUint(rep.Status["CapEff"], 16, 64)
	if amb != 1<<capNetBindService || eff != 1<<capNetBindService {
		t.Errorf("CapAmb %#x CapEff %#x, want both %#x", amb, eff, 1<<capNetBindService)
	}
	if rep.Uid[0] != 12345 {
		t.Errorf("uid %d, want 12345", rep.Uid[0])
	}
}

func TestCgroupFD(t *testing.T) {
	requireRoot(t)
	var st unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &st); err != nil || st.Type != unix.CGROUP2_SUPER_MAGIC {
		t.Skip("needs cgroup v2 at /sys/fs/cgroup")
	}
	dir, err := os.MkdirTemp("/sys/fs/cgroup", "forkexec-test-")
	if err != nil {
		t.Skipf("cannot create a cgroup: %v", err)
	}
	defer os.Remove(dir)
	cg, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer cg.Close()
	pid, r, err := startProbe(t, forkexec.ForkExec, probePath, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{UseCgroupFD: true, CgroupFD: int(cg.Fd())}})
	if err == syscall.EBUSY || err == syscall.EOPNOTSUPP {
		t.Skipf("cgroup %s refuses processes: %v", dir, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	rep := readReport(t, pid, r)
	if want := "0::/" + filepath.Base(dir); !strings.HasSuffix(rep.Cgroup, filepath.Base(dir)) {
		t.Errorf("cgroup %q, want one ending %q", rep.Cgroup, want)
	}
}

func TestPidFD(t *testing.T) {
	for _, clone3 := range []bool{false, true} {
		t.Run("clone3="+strconv.FormatBool(clone3), func(t *testing.T) {
			forkexec.SetForceClone3(clone3)
			defer forkexec.SetForceClone3(false)
			pidfd := -2
			pid, err := forkexec.ForkExec(probePath, []string{probePath, "exit", "7"}, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{PidFD: &pidfd}})
			if err != nil {
				t.Fatal(err)
			}
			defer syscall.Close(pidfd)
			if pidfd < 0 {
				t.Fatalf("PidFD = %d", pidfd)
			}
			// The pidfd refers to the child: waiting on it reaps it.
			var info unix.Siginfo
			if err := unix.Waitid(unix.P_PIDFD, pidfd, &info, unix.WEXITED, nil); err != nil {
				t.Fatalf("waitid(P_PIDFD): %v", err)
			}
			var ws syscall.WaitStatus
			if p, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil); err != syscall.ECHILD {
				t.Errorf("after waitid on the pidfd, wait4(%d) = %d, %v; want ECHILD", pid, p, err)
			}
		})
	}
	// On failure *PidFD is -1 and no descriptor is left open.
	before := openFDs(t)
	pidfd := -2
	_, err := forkexec.ForkExec("/no/such/program", nil, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{PidFD: &pidfd}})
	if err != syscall.ENOENT || pidfd != -1 {
		t.Errorf("failed spawn: err %v, PidFD %d; want ENOENT and -1", err, pidfd)
	}
	if after := openFDs(t); after != before {
		t.Errorf("descriptors: %d before, %d after a failed spawn", before, after)
	}
}

func TestStartProcessAndConcurrentSpawns(t *testing.T) {
	const n = 16
	errs := make(chan error, n)
	for range n {
		go func() {
			pid, handle, err := forkexec.StartProcess(probePath, []string{probePath, "exit", "3"}, &forkexec.ProcAttr{Files: stdio()})
			if err == nil && handle != 0 {
				err = syscall.EINVAL
			}
			if err == nil {
				var ws syscall.WaitStatus
				syscall.Wait4(pid, &ws, 0, nil)
				if ws.ExitStatus() != 3 {
					err = syscall.ECHILD
				}
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestExec(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// The probe execs /bin/echo in place of itself with forkexec.Exec.
	pid, err := forkexec.ForkExec(probePath, []string{probePath, "exec", "/bin/echo", "replaced"}, &forkexec.ProcAttr{Files: []uintptr{0, w.Fd(), 2}})
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 64)
	n, _ := r.Read(b)
	r.Close()
	wait(t, pid)
	if got := string(b[:n]); got != "replaced\n" {
		t.Errorf("output %q, want %q", got, "replaced\n")
	}
	if err := forkexec.Exec("/bin/echo", []string{"a\x00b"}, nil); err != syscall.EINVAL {
		t.Errorf("Exec with a NUL byte: %v, want EINVAL", err)
	}
	if err := forkexec.Exec("/no/such", nil, nil); err != syscall.ENOENT {
		t.Errorf("Exec of a missing program: %v, want ENOENT", err)
	}
}

// TestRlimitNofile documents the one known difference: the child keeps the
// parent's current soft RLIMIT_NOFILE, where syscall.ForkExec restores the
// one the process started with.
func TestRlimitNofile(t *testing.T) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	rep := runProbe(t, &forkexec.ProcAttr{Files: stdio()})
	if rep.Nofile != [2]uint64{lim.Cur, lim.Max} {
		t.Errorf("child RLIMIT_NOFILE %v, parent's %v", rep.Nofile, lim)
	}
}

// TestOwnStackUnderLoad spawns children into new user namespaces whose maps
// the parent writes (the own-stack path where there is one) from several
// goroutines at once, half of them failing after the maps are written,
// while another goroutine churns the heap and forces collections: the
// child reads the parent's memory while the rest of the program runs. Each
// success must exit with the status asked for, in a namespace whose map the
// parent wrote; each failure must be the chdir.
func TestOwnStackUnderLoad(t *testing.T) {
	requireRoot(t)
	if _, err := os.Stat("/proc/self/ns/user"); err != nil {
		t.Skip("no user namespaces here")
	}
	maps := []forkexec.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1000}}
	stop := make(chan struct{})
	churned := make(chan struct{})
	go func() {
		defer close(churned)
		var keep [][]byte
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			keep = append(keep, make([]byte, 64<<10))
			if len(keep) > 64 {
				keep = keep[:0]
				runtime.GC()
			}
		}
	}()
	const goroutines, spawns = 4, 25
	errs := make(chan error, goroutines)
	for g := range goroutines {
		go func() {
			errs <- func() error {
				for i := range spawns {
					sys := &forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: maps, GidMappings: maps}
					attr := &forkexec.ProcAttr{Files: stdio(), Sys: sys}
					if i%2 == 1 {
						attr.Dir = "/no/such/dir"
						_, err := forkexec.Spawn(probePath, []string{probePath, "exit", "0"}, attr)
						var fe *forkexec.Error
						if !errors.As(err, &fe) || fe.Step != forkexec.StepChdir || fe.Errno != syscall.ENOENT {
							return fmt.Errorf("goroutine %d spawn %d: %v, want the chdir to fail with ENOENT", g, i, err)
						}
						continue
					}
					status := (g*spawns + i) % 200
					pid, err := forkexec.Spawn(probePath, []string{probePath, "uidmap-exit", strconv.Itoa(status)}, attr)
					if err != nil {
						return fmt.Errorf("goroutine %d spawn %d: %v", g, i, err)
					}
					var ws syscall.WaitStatus
					if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
						return err
					}
					if !ws.Exited() || ws.ExitStatus() != status {
						return fmt.Errorf("goroutine %d spawn %d: %s, want exit %d", g, i, describe(ws), status)
					}
				}
				return nil
			}()
		}()
	}
	for range goroutines {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	close(stop)
	<-churned
}

// TestOwnStackParentDies: a parent that dies on the own-stack path before
// writing the child's maps must not leave the child waiting for them for
// ever. A helper process spawns so, and kills itself there; this test,
// its subreaper, inherits the orphan, which must give up and exit 253.
func TestOwnStackParentDies(t *testing.T) {
	requireRoot(t)
	if !forkexec.OwnStackAvailable() {
		t.Skip("no own-stack path here")
	}
	if isHelper("TestOwnStackParentDies") {
		forkexec.SetForceParentDies(true)
		maps := []forkexec.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1000}}
		forkexec.Spawn(probePath, []string{probePath, "exit", "0"}, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: maps, GidMappings: maps}})
		t.Fatal("the parent survived")
	}
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	defer unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
	cmd := exec.Command(os.Args[0], "-test.run=^TestOwnStackParentDies$")
	cmd.Env = append(os.Environ(), helperEnv+"=TestOwnStackParentDies", helperProbeEnv+"="+probePath)
	if err := cmd.Run(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("helper: %v, want killed", err)
	}
	// The orphan is ours now: it must exit within a few of its checks.
	done := make(chan syscall.WaitStatus, 1)
	go func() {
		var ws syscall.WaitStatus
		for {
			pid, err := syscall.Wait4(-1, &ws, syscall.WALL, nil)
			if err == syscall.EINTR {
				continue
			}
			if pid > 0 {
				done <- ws
			}
			return
		}
	}()
	select {
	case ws := <-done:
		if !ws.Exited() || ws.ExitStatus() != 253 {
			t.Errorf("orphan: %v, want exit 253", describe(ws))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the orphaned child still waits for its maps after 5s")
	}
}
