//go:build linux

package forkexec_test

import (
	"errors"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/forkexec/forkexec/forkexec"
	"golang.org/x/sys/unix"
)

// injectErrno is the errno injected faults fail with: one no real step of
// these spawns returns, so that an injected failure cannot be mistaken for
// a natural one.
const injectErrno = syscall.Errno(unix.EHWPOISON)

// TestInjectEveryStep makes each step of real spawns fail in turn, by
// injection (InjectFault), and checks what every failure must give: Spawn's
// *Error names the injected step, its index in the plan and the errno;
// ForkExec returns the bare errno; the target never ran; no zombie, no
// descriptor left. The configurations together hold every kind of step of
// the Linux program; one whose step fails on its own (a terminal the test
// does not have) is injected up to that step, and the test checks at the
// end that every kind was reached.
func TestInjectEveryStep(t *testing.T) {
	requireRoot(t)
	// Ptrace makes the spawning thread the tracer, which must also reap.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	master, slave := openPTY(t)
	defer master.Close()
	defer slave.Close()

	// For the extensions: a namespace to join (our own), a directory, a
	// program in memory, a Landlock ruleset where the kernel has Landlock.
	selfUTS, err := os.Open("/proc/self/ns/uts")
	if err != nil {
		t.Fatal(err)
	}
	defer selfUTS.Close()
	dir, err := os.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	prog, err := os.Open(probePath)
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	ruleset, err := tryLandlockRuleset(t)
	landlock := err == nil
	if !landlock {
		t.Logf("no Landlock here (%v): its step is not injected", err)
	}
	allow := []unix.SockFilter{{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW}}
	root := &forkexec.Credential{Uid: 0, Gid: 0}

	wide := []forkexec.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 65536}}
	own := []forkexec.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}}
	configs := []struct {
		name  string
		attr  forkexec.ProcAttr
		setup func() (undo func())
	}{
		{name: "every field", attr: forkexec.ProcAttr{Dir: "/", Env: []string{"A=1"}, Files: []uintptr{0, 1, 2, slave.Fd()}, Sys: &forkexec.SysProcAttr{
			Chroot: "/", Credential: &forkexec.Credential{Uid: 0, Gid: 0, Groups: []uint32{0}},
			Setsid: true, Setctty: true, Ctty: 3, Pdeathsig: syscall.SIGKILL,
			Unshareflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWUTS, AmbientCaps: []uintptr{unix.CAP_CHOWN},
			CloseFDs: true, ResetSignals: true, Ptrace: true,
		}}},
		{name: "parent writes maps", attr: forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{
			Cloneflags: syscall.CLONE_NEWUSER, UidMappings: wide, GidMappings: wide,
			Setpgid: true, Foreground: true, Ctty: int(master.Fd()),
		}}},
		{name: "child writes maps", attr: forkexec.ProcAttr{Files: []uintptr{slave.Fd(), 1, 2}, Sys: &forkexec.SysProcAttr{
			Cloneflags: syscall.CLONE_NEWUSER, UidMappings: own, GidMappings: own, Noctty: true,
		}}},
		{name: "maps over a pipe", attr: forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{
			Cloneflags: syscall.CLONE_NEWUSER, UidMappings: wide, GidMappings: wide,
		}}, setup: func() func() { forkexec.SetForceReportPipe(true); return func() { forkexec.SetForceReportPipe(false) } }},
		{name: "every extension", attr: forkexec.ProcAttr{Dir: "tmp", Files: stdio(), Sys: &forkexec.SysProcAttr{
			JoinNamespaces: []forkexec.Namespace{{FD: int(selfUTS.Fd()), Type: syscall.CLONE_NEWUTS}},
			Unshareflags:   syscall.CLONE_NEWUTS, Hostname: "h", Domainname: "d",
			UseOOMScoreAdj: true, OOMScoreAdj: 0, Rlimits: []forkexec.Rlimit{{Resource: syscall.RLIMIT_CORE}},
			Credential: root, Capabilities: &forkexec.Capabilities{SecureBits: secbitNoroot, Bounding: []uintptr{unix.CAP_CHOWN}, Effective: []uintptr{}},
			UseDirFD: true, DirFD: int(dir.Fd()), UseUmask: true, Umask: 0o22,
			NoNewPrivs: true, UseLandlock: landlock, LandlockFD: ruleset,
			UseExecFD: true, ExecFD: int(prog.Fd()), UseSignalMask: true, SignalMask: []syscall.Signal{syscall.SIGUSR1},
			SeccompFilter: allow, RetryTextBusy: time.Second,
		}}},
		{name: "close fds by /proc", attr: forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{CloseFDs: true}},
			setup: func() func() {
				forkexec.SetForceCloseFDsByProc(true)
				return func() { forkexec.SetForceCloseFDsByProc(false) }
			}},
		{name: "every action", attr: forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{
			Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWUTS, Actions: everyAction(t, slave),
		}}},
		{name: "actions over a pipe", attr: forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{
			Actions: []forkexec.Action{forkexec.OpenFile(100, "/dev/null", syscall.O_RDONLY, 0), forkexec.Dup2(100, 101), forkexec.CloseFile(101)},
		}}, setup: func() func() { forkexec.SetForceReportPipe(true); return func() { forkexec.SetForceReportPipe(false) } }},
		{name: "parent hook", attr: forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{
			ParentHook: func(int) error { return nil }, Actions: []forkexec.Action{forkexec.Chdir("/")},
		}}},
		{name: "parent hook, fork path", attr: forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{
			ParentHook: func(int) error { return nil }, Actions: []forkexec.Action{forkexec.Chdir("/")},
		}}, setup: func() func() { forkexec.SetForceHookFork(true); return func() { forkexec.SetForceHookFork(false) } }},
	}

	reached := map[string]bool{}
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			if cfg.setup != nil {
				defer cfg.setup()()
			}
			plan, err := forkexec.NewPlan(probePath, []string{"probe"}, &cfg.attr)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range plan.Steps {
				if !injectAt(t, &cfg.attr, plan, i) {
					break
				}
				reached[planKind(s)] = true
			}
		})
	}

	// Every kind of step the Linux child has, as a plan lists it.
	for _, kind := range []string{
		"set keepcaps", "write id map /proc/self/uid_map", "write id map /proc/self/setgroups", "write id map /proc/self/gid_map",
		"write id map by the parent; the child waits on a pipe", "setsid", "setpgid", "set foreground", "restore signals",
		"unshare", "make / private", "chroot", "setgroups", "setgid", "setuid", "set capabilities", "raise ambient capability",
		"chdir", "set pdeathsig", "dup", "close fds by close_range", "close fds by /proc/self/fd", "detach ctty", "set ctty",
		"reset signal", "ptrace", "exec",
		"setns", "sethostname", "setdomainname", "set oom_score_adj", "setrlimit", "set securebits", "drop bounding capability",
		"fchdir", "umask", "set no_new_privs", "park exec", "set signal mask", "seccomp",
		// Actions (action_linux_test.go's everyAction), and ParentHook.
		"action open", "action close", "action dup2", "action close from", "action chdir", "action fchdir",
		"action tcsetpgrp", "action mount", "action remount read-only", "action set propagation", "action umount",
		"action mkdir", "action symlink", "action write file", "action pivot_root", "action setrlimit",
		"action sethostname", "action setns", "move error pipe", "parent hook wait on a pipe",
	} {
		if !reached[kind] {
			t.Errorf("no configuration reached a step %q", kind)
		}
	}
	if landlock && !reached["landlock_restrict_self"] {
		t.Errorf("no configuration reached landlock_restrict_self")
	}
	if forkexec.OwnStackAvailable() && !reached["write id map by the parent; the child waits on a futex"] {
		t.Errorf("the own-stack path's wait was not reached")
	}
	if forkexec.OwnStackAvailable() && (!reached["parent hook wait on a futex"] || !reached["parent hook let the parent leave the fork hooks"]) {
		t.Errorf("the hook path's steps were not all reached")
	}
}

// planKind names a step's kind for TestInjectEveryStep's coverage check:
// the step, and what tells operations of one step apart.
func planKind(s forkexec.PlanStep) string {
	if s.Step.IsAction() {
		return "action " + s.Step.String()
	}
	switch s.Step {
	case forkexec.StepIDMap:
		return s.Step.String() + " " + s.Args
	case forkexec.StepCloseFDs:
		_, how, _ := strings.Cut(s.Args, " by ")
		return s.Step.String() + " by " + how
	case forkexec.StepParentHook:
		how, _, _ := strings.Cut(s.Args, " (")
		return s.Step.String() + " " + how
	}
	return s.Step.String()
}

// injectAt spawns with step i failing and checks the failure. It returns
// false, after logging why, when an earlier step failed on its own: the
// steps from there on cannot be reached in this configuration.
func injectAt(t *testing.T, attr *forkexec.ProcAttr, plan *forkexec.Plan, i int) bool {
	t.Helper()
	checkNoZombie(t)
	before := openFDs(t)
	// The target, if it ran, would write to this pipe.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	a := *attr
	a.Files = append(append([]uintptr(nil), attr.Files...), w.Fd())
	argv := []string{"probe", "-report", strconv.Itoa(len(attr.Files)), "report"}

	forkexec.InjectFault(i, injectErrno)
	defer forkexec.InjectFault(0, 0)
	pid, err := forkexec.Spawn(probePath, argv, &a)
	if err == nil {
		// Only a traced child gets here: stopped at its exec.
		syscall.Kill(pid, syscall.SIGKILL)
		wait(t, pid)
		t.Fatalf("step %d (%v): Spawn succeeded", i, plan.Steps[i].Step)
	}
	var e *forkexec.Error
	if !errors.As(err, &e) {
		t.Fatalf("step %d: %v is not an *Error", i, err)
	}
	if e.Errno != injectErrno && e.Index >= 0 && e.Index < i {
		t.Logf("step %d (%v) not reachable here: step %d failed on its own: %v", i, plan.Steps[i].Step, e.Index, err)
		w.Close()
		r.Close()
		return false
	}
	if e.Index != i || e.Step != plan.Steps[i].Step || e.Errno != injectErrno {
		t.Errorf("step %d (%v): got index %d, %v", i, plan.Steps[i].Step, e.Index, err)
	}
	// The same fault through ForkExec: the bare errno.
	if _, ferr := forkexec.ForkExec(probePath, argv, &a); ferr != injectErrno {
		t.Errorf("step %d: ForkExec: %#v, want the bare %#v", i, ferr, injectErrno)
	}
	w.Close()
	if out, _ := io.ReadAll(r); len(out) != 0 {
		t.Errorf("step %d: the target ran and wrote %q", i, out)
	}
	r.Close()
	checkNoZombie(t)
	if after := openFDs(t); after != before {
		t.Errorf("step %d: descriptors: %d before, %d after", i, before, after)
	}
	return true
}

// openPTY opens a new pseudo-terminal pair, neither end the test's
// controlling terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	var n, unlock uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), unix.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		m.Close()
		t.Fatal(e)
	}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), unix.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		m.Close()
		t.Fatal(e)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Fatal(err)
	}
	return m, s
}
