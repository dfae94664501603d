package exec

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/forkexec/forkexec/forkexec"
	"golang.org/x/sys/unix"
)

// The waits park on the poller: 200 children running at once, all being
// waited on, add no OS thread per child. (A count, not a timing: the
// runtime may start a few threads for other reasons, hence the margin.)
func TestWaitHoldsNoThread(t *testing.T) {
	checkLeaks(t)
	const n = 200
	before := threadCount()
	cmds := make([]*Cmd, n)
	in := make([]*os.File, n)
	for i := range cmds {
		cmds[i] = Command("/bin/cat")
		w, err := cmds[i].StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		in[i] = w.(*closeOnce).File
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
		if !cmds[i].exit.watching {
			t.Fatal("no pidfd watcher: kernel without pidfds?")
		}
	}
	errs := make(chan error, n)
	for _, c := range cmds {
		go func() { errs <- c.Wait() }()
	}
	// Every Wait is parked; the children run until their input ends.
	waitParked(t, n)
	during := threadCount()
	for _, w := range in {
		w.Close()
	}
	for range cmds {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if during-before > 20 {
		t.Errorf("threads: %d before, %d with %d children waited on", before, during, n)
	}
	t.Logf("threads: %d before, %d with %d children waited on", before, during, n)
}

// waitParked waits until n goroutines are in Wait.
func waitParked(t *testing.T, n int) {
	for {
		buf := make([]byte, 1<<22)
		s := string(buf[:runtime.Stack(buf, true)])
		if strings.Count(s, "exec.(*Cmd).Wait(") >= n {
			return
		}
		syscall.Nanosleep(&syscall.Timespec{Nsec: 1e6}, nil)
	}
}

// A pidfd the caller asked for stays valid after Wait closed ours.
func TestCallerPidFDSurvivesWait(t *testing.T) {
	checkLeaks(t)
	var pidfd int
	c := Command("/bin/true")
	c.SysProcAttr = &forkexec.SysProcAttr{PidFD: &pidfd}
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(pidfd)
	var info unix.Siginfo
	// Reaped already: ECHILD, not EBADF.
	if err := unix.Waitid(unix.P_PIDFD, pidfd, &info, unix.WEXITED|unix.WNOHANG, nil); err != syscall.ECHILD {
		t.Errorf("waitid on the caller's pidfd: %v", err)
	}
}

func fcntlLocked(t *testing.T, path string) bool {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lk := unix.Flock_t{Type: unix.F_WRLCK}
	if err := unix.FcntlFlock(f.Fd(), unix.F_GETLK, &lk); err != nil {
		t.Fatal(err)
	}
	return lk.Type != unix.F_UNLCK
}

// Without a pidfd (kernels before 5.3), Wait falls back to os.Process.Wait's
// blocking wait; the os/exec behaviours hold the same.
func TestWithoutPidFD(t *testing.T) {
	checkLeaks(t)
	pollExits = false
	defer func() { pollExits = true }()
	c := Command("/bin/sh", "-c", "echo out; exit 2")
	out, err := c.Output()
	var ee *ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || string(out) != "out\n" || c.exit.watching {
		t.Fatalf("%q %v (watching %v)", out, err, c.exit.watching)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c = CommandContext(ctx, "/bin/sleep", "100")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := c.Wait(); !errors.As(err, &ee) || c.WaitStatus().Signal() != syscall.SIGKILL {
		t.Fatalf("cancelled: %v", err)
	}
	c = Command("/bin/sleep", "100")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if err := c.Abort(time.Minute); !errors.As(err, &ee) || c.WaitStatus().Signal() != syscall.SIGTERM {
		t.Fatalf("Abort: %v", err)
	}
}

// Many commands at once, finishing, failing, cancelled and cut short by
// WaitDelay, for the race detector and the leak checks.
func TestConcurrentMix(t *testing.T) {
	checkLeaks(t)
	const n = 40
	errs := make(chan error, n)
	for i := range n {
		go func() {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			switch i % 4 {
			case 0:
				out, err := CommandContext(ctx, "/bin/echo", "hi").Output()
				if err == nil && string(out) != "hi\n" {
					err = errors.New("output " + string(out))
				}
				errs <- err
			case 1:
				err := CommandContext(ctx, "/bin/sh", "-c", "exit 3").Run()
				var ee *ExitError
				if errors.As(err, &ee) && ee.ExitCode() == 3 {
					err = nil
				}
				errs <- err
			case 2:
				c := CommandContext(ctx, "/bin/sleep", "100")
				c.WaitDelay = 10 * time.Millisecond
				if err := c.Start(); err != nil {
					errs <- err
					return
				}
				cancel()
				err := c.Wait()
				var ee *ExitError
				if errors.As(err, &ee) {
					err = nil
				}
				errs <- err
			case 3:
				c := CommandContext(ctx, "/bin/cat")
				c.Stdin = strings.NewReader(strings.Repeat("x", 100000))
				var out LimitedBuffer
				out.Limit = 10
				c.Stdout = &out
				err := c.Run()
				if err == nil && out.Dropped() != 100000-10 {
					err = errors.New("short copy")
				}
				errs <- err
			}
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
