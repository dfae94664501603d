//go:build linux

package forkexec_test

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/forkexec/forkexec/forkexec"
	"golang.org/x/sys/unix"
)

// The exhaustion tests run in helper processes: resource limits are
// process-wide, and a full descriptor table or process count would break
// whatever else the test process does meanwhile.

// TestExhaustDescriptors fills the descriptor table up to a low
// RLIMIT_NOFILE. A spawn that needs a descriptor fails cleanly, with the
// errno of the call that needed it; one that needs none still works
// (forkexec's vfork path has no error pipe); nothing is left behind, and
// after the table is freed the next spawn works.
func TestExhaustDescriptors(t *testing.T) {
	requireCProbe(t)
	runHelper(t, "TestHelperExhaustDescriptors", helperOpts{})
}

func TestHelperExhaustDescriptors(t *testing.T) {
	skipUnlessHelper(t, "TestHelperExhaustDescriptors")
	requireCProbe(t)
	before := openFDs(t)
	var orig syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &orig); err != nil {
		t.Fatal(err)
	}
	low := orig
	low.Cur = uint64(before + 32)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	var fill []int
	for {
		fd, err := syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EMFILE {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		fill = append(fill, fd)
	}
	t.Logf("table full: %d descriptors opened to reach RLIMIT_NOFILE %d", len(fill), low.Cur)

	// Files longer than the limit, every slot fd 0: parking needs a number
	// above the limit.
	long := make([]uintptr, low.Cur+1)
	var pidfd int
	for _, c := range []struct {
		name   string
		attr   forkexec.ProcAttr
		pipe   bool // force the error pipe
		step   forkexec.Step
		errno  syscall.Errno
		stdlib syscall.Errno // what syscall.ForkExec returns
	}{
		{"PidFD", forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{PidFD: &pidfd}}, false, forkexec.StepClone, syscall.EMFILE, syscall.EMFILE},
		{"error pipe", forkexec.ProcAttr{Files: stdio()}, true, forkexec.StepPipe, syscall.EMFILE, syscall.EMFILE},
		// The stdlib fails at its error pipe first.
		// EBADF, as the stdlib's dup3 onto a number above the limit says;
		// the stdlib itself fails earlier, at its error pipe.
		{"parking above the limit", forkexec.ProcAttr{Files: long}, false, forkexec.StepDup, syscall.EBADF, syscall.EMFILE},
	} {
		pidfd = -2
		forkexec.SetForceReportPipe(c.pipe)
		_, err := forkexec.Spawn(probePath, []string{probePath, "exit", "0"}, &c.attr)
		var fe *forkexec.Error
		if !errors.As(err, &fe) || fe.Step != c.step || fe.Errno != c.errno {
			t.Errorf("%s: Spawn: %v, want step %v, %v", c.name, err, c.step, c.errno)
		}
		if _, err := forkexec.ForkExec(probePath, []string{probePath, "exit", "0"}, &c.attr); err != c.errno {
			t.Errorf("%s: ForkExec: %v, want %v", c.name, err, c.errno)
		}
		forkexec.SetForceReportPipe(false)
		if _, err := syscall.ForkExec(probePath, []string{probePath, "exit", "0"}, toStdlib(&c.attr)); err != c.stdlib {
			t.Errorf("%s: syscall.ForkExec: %v, want %v", c.name, err, c.stdlib)
		}
		if pidfd != -2 && pidfd != -1 {
			t.Errorf("%s: PidFD set to %d by a failed spawn", c.name, pidfd)
		}
	}
	// A spawn that needs no descriptor of the parent's works: the vfork
	// child reports through memory, and the program gets 0, 1 and 2.
	pid, err := forkexec.Spawn(probePath, []string{probePath, "exit", "7"}, &forkexec.ProcAttr{Files: stdio()})
	if err != nil {
		t.Errorf("spawn needing no descriptor, table full: %v", err)
	} else if ws := wait(t, pid); !ws.Exited() || ws.ExitStatus() != 7 {
		t.Errorf("spawn needing no descriptor, table full: %s, want exit status 7", describe(ws))
	}

	for _, fd := range fill {
		syscall.Close(fd)
	}
	checkNoChildren(t)
	if after := openFDs(t); after != before {
		t.Errorf("%d descriptors open after, %d before", after, before)
	}
	// Room again: the same spawns work.
	pidfd = -1
	rep := runCProbe(t, forkexec.Spawn, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{PidFD: &pidfd, CloseFDs: true}})
	if pidfd < 0 {
		t.Errorf("PidFD %d after a successful spawn", pidfd)
	} else {
		syscall.Close(pidfd)
	}
	if len(rep.fds) != 3 {
		t.Errorf("child's descriptors %v, want 0, 1 and 2", rep.fds)
	}
}

// checkNoChildren fails if this process has any child, waited for or not.
func checkNoChildren(t *testing.T) {
	t.Helper()
	var ws syscall.WaitStatus
	if pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG|syscall.WALL, nil); err != syscall.ECHILD {
		t.Errorf("a child is left: wait4 = %d, %v (%s)", pid, err, describe(ws))
	}
}

// exhaustUID is the user the process-limit helper runs as: RLIMIT_NPROC
// counts every task of a user, so the user must have no other.
const exhaustUID = 54321

// TestExhaustProcesses reaches RLIMIT_NPROC as a non-root user (root is
// exempt). Spawns fail with EAGAIN at the clone, as syscall.ForkExec's do,
// leaving nothing behind; after the limit is raised the next spawn works.
func TestExhaustProcesses(t *testing.T) {
	requireRoot(t)
	requireCProbe(t)
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		status, err := os.ReadFile("/proc/" + e.Name() + "/status")
		if err == nil && strings.Contains(string(status), "\nUid:\t"+strconv.Itoa(exhaustUID)+"\t") {
			t.Skipf("uid %d has processes here (pid %s); RLIMIT_NPROC would count them", exhaustUID, e.Name())
		}
	}
	runHelper(t, "TestHelperExhaustProcesses", helperOpts{cred: &syscall.Credential{Uid: exhaustUID, Gid: exhaustUID}})
}

func TestHelperExhaustProcesses(t *testing.T) {
	skipUnlessHelper(t, "TestHelperExhaustProcesses")
	requireCProbe(t)
	if os.Getuid() == 0 {
		t.Fatal("runs as root, which RLIMIT_NPROC exempts")
	}
	// The runtime must not need a new thread while no task can be made:
	// lock goroutines to threads and let them go, leaving the threads idle.
	var locked sync.WaitGroup
	release := make(chan struct{})
	for range 16 {
		locked.Add(1)
		go func() {
			runtime.LockOSThread()
			locked.Done()
			<-release
			runtime.UnlockOSThread()
		}()
	}
	locked.Wait()
	close(release)
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	before := openFDs(t)
	var orig unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NPROC, &orig); err != nil {
		t.Fatal(err)
	}
	// This user's tasks are this process's threads: no room for one more.
	if err := unix.Setrlimit(unix.RLIMIT_NPROC, &unix.Rlimit{Cur: uint64(len(ents)), Max: orig.Max}); err != nil {
		t.Fatal(err)
	}
	attr := &forkexec.ProcAttr{Files: stdio()}
	_, err = forkexec.Spawn(probePath, []string{probePath, "exit", "0"}, attr)
	var fe *forkexec.Error
	if !errors.As(err, &fe) || fe.Step != forkexec.StepClone || fe.Errno != syscall.EAGAIN {
		t.Errorf("Spawn at RLIMIT_NPROC %d: %v, want the clone to fail with EAGAIN", len(ents), err)
	}
	if _, err := forkexec.ForkExec(probePath, []string{probePath, "exit", "0"}, attr); err != syscall.EAGAIN {
		t.Errorf("ForkExec at RLIMIT_NPROC: %v, want EAGAIN", err)
	}
	if _, err := syscall.ForkExec(probePath, []string{probePath, "exit", "0"}, toStdlib(attr)); err != syscall.EAGAIN {
		t.Errorf("syscall.ForkExec at RLIMIT_NPROC: %v, want EAGAIN", err)
	}
	checkNoChildren(t)
	if after := openFDs(t); after != before {
		t.Errorf("%d descriptors open after, %d before", after, before)
	}
	if err := unix.Setrlimit(unix.RLIMIT_NPROC, &orig); err != nil {
		t.Fatal(err)
	}
	rep := runCProbe(t, forkexec.Spawn, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{CloseFDs: true}})
	if len(rep.fds) != 3 {
		t.Errorf("child's descriptors %v, want 0, 1 and 2", rep.fds)
	}
}
