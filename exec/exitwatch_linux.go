package exec

import (
	"os"
	"syscall"
	"time"

	"github.com/forkexec/forkexec/forkexec"
	"golang.org/x/sys/unix"
)

// startProcess spawns the child as c.attr says, with a pidfd
// (CLONE_PIDFD) for the exit watcher where the kernel gives one, and sets
// Process.
func (c *Cmd) startProcess() error {
	callerPidFD := c.sys.PidFD // c.sys is our copy; this is the caller's
	c.exit.cloned = -1
	if pollExits {
		c.sys.PidFD = &c.exit.cloned
	}
	pid, err := forkexec.Spawn(c.Path, c.argv(), &c.attr)
	if err != nil {
		return err
	}
	if callerPidFD != nil {
		// The caller asked for a pidfd of its own; ours is closed by Wait.
		*callerPidFD = -1
		if c.exit.cloned >= 0 {
			if fd, err := unix.FcntlInt(uintptr(c.exit.cloned), unix.F_DUPFD_CLOEXEC, 0); err == nil {
				*callerPidFD = fd
			}
		}
	}
	// The child is ours and not yet reaped, so its pid cannot have been
	// reused: FindProcess gets a pidfd of it for the os package (through
	// pidfd_open), which then signals and reaps through that.
	c.Process, _ = os.FindProcess(pid)
	c.exit.watching = c.exit.cloned >= 0
	return nil
}

// pollExits is false only in tests of the fallback for kernels without
// pidfds: a blocking wait in os.Process.Wait.
var pollExits = true

// exitWatcher waits for a child to exit without holding a thread: its
// pidfd, made non-blocking, is registered with the runtime's poller, and
// a pidfd is readable once its process has exited. The registration waits
// until a wait finds the child still running: a command whose output
// ended has usually exited by the time Wait looks, and then its pidfd
// never reaches the poller (two epoll_ctl calls, two fcntl and an
// *os.File saved). The zero value watches nothing, and its wait returns at
// once.
type exitWatcher struct {
	cloned   int      // where clone stores the pidfd
	watching bool     // cloned is a pidfd, ours to close
	polled   *os.File // cloned on the poller, once a wait needed it
}

// wait returns once the child has exited, leaving it to be reaped. If the
// pidfd cannot be polled it returns at once, and the caller's blocking
// wait does the waiting.
func (w *exitWatcher) wait() {
	if !w.watching || childExited(uintptr(w.cloned)) {
		return
	}
	// os.NewFile registers a descriptor with the poller only if it is
	// non-blocking; for a pidfd, O_NONBLOCK also makes waitid return
	// EAGAIN rather than sleep.
	setNonblock(w.cloned)
	w.polled = os.NewFile(uintptr(w.cloned), "pidfd")
	conn, err := w.polled.SyscallConn()
	if err != nil {
		return
	}
	conn.Read(childExited)
}

// childExited reports whether the child of pidfd has exited (or cannot be
// waited for, which its reaper will report). WNOWAIT: look, don't reap;
// os.Process.Wait reaps, and makes the os.ProcessState only the os package
// can make.
func childExited(pidfd uintptr) bool {
	var info unix.Siginfo
	err := unix.Waitid(unix.P_PIDFD, int(pidfd), &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
	switch err {
	case nil:
		return info.Signo != 0 // zero: still running
	case syscall.EINTR, syscall.EAGAIN:
		return false
	}
	return true
}

// close closes the pidfd, through the poller if it is registered there.
func (w *exitWatcher) close() {
	switch {
	case w.polled != nil:
		w.polled.Close()
	case w.watching:
		syscall.Close(w.cloned)
	}
	w.watching, w.polled = false, nil
}

// waitForExit waits for the process pid, not necessarily a child, to
// exit, through a pidfd on the poller, for at most d (forever if d < 0),
// and reports whether it did. A pid that cannot be opened has exited.
func waitForExit(pid int, d time.Duration) bool {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return true
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	if d >= 0 {
		f.SetReadDeadline(time.Now().Add(d))
	}
	conn, err := f.SyscallConn()
	if err != nil {
		return false
	}
	// A pidfd polls readable once its process has exited; it cannot be
	// read, so the callback only says whether to wait for readiness.
	exited := false
	err = conn.Read(func(fd uintptr) bool {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, _ := unix.Poll(fds, 0)
		exited = n > 0
		return exited
	})
	return exited && err == nil
}

// dropPidFD clears a request for a pidfd.
func dropPidFD(sys *forkexec.SysProcAttr) { sys.PidFD = nil }
