package exec

import (
	"os"
	"syscall"

	"github.com/forkexec/forkexec/forkexec"
	"golang.org/x/sys/unix"
)

// startProcess spawns the child with a pidfd (CLONE_PIDFD) and returns it
// as an os.Process, with an exitWatcher on the pidfd, or nil where the
// kernel gave none.
func startProcess(path string, argv []string, attr *forkexec.ProcAttr) (*os.Process, *exitWatcher, error) {
	pidfd := -1
	callerPidFD := attr.Sys.PidFD // attr.Sys is our copy
	attr.Sys.PidFD = &pidfd
	pid, err := forkexec.Spawn(path, argv, attr)
	if err != nil {
		return nil, nil, err
	}
	if callerPidFD != nil {
		// The caller asked for a pidfd of its own; ours is closed by Wait.
		*callerPidFD = -1
		if pidfd >= 0 {
			if fd, err := unix.FcntlInt(uintptr(pidfd), unix.F_DUPFD_CLOEXEC, 0); err == nil {
				*callerPidFD = fd
			}
		}
	}
	// The child is ours and not yet reaped, so its pid cannot have been
	// reused: FindProcess gets a pidfd of it for the os package (through
	// pidfd_open), which then signals and reaps through that.
	p, _ := os.FindProcess(pid)
	if pidfd < 0 {
		return p, nil, nil
	}
	return p, newExitWatcher(pidfd), nil
}

// exitWatcher waits for a child to exit without holding a thread: its
// pidfd, made non-blocking, is registered with the runtime's poller, and
// a pidfd is readable once its process has exited.
type exitWatcher struct {
	pidfd *os.File
}

func newExitWatcher(pidfd int) *exitWatcher {
	// os.NewFile registers a descriptor with the poller only if it is
	// non-blocking; for a pidfd, O_NONBLOCK also makes waitid return
	// EAGAIN rather than sleep.
	unix.SetNonblock(pidfd, true)
	return &exitWatcher{os.NewFile(uintptr(pidfd), "pidfd")}
}

// wait returns once the child has exited, leaving it to be reaped. If the
// pidfd cannot be polled it returns at once, and the caller's blocking
// wait does the waiting.
func (w *exitWatcher) wait() {
	conn, err := w.pidfd.SyscallConn()
	if err != nil {
		return
	}
	conn.Read(func(fd uintptr) bool {
		// WNOWAIT: look, don't reap; os.Process.Wait reaps, and makes
		// the os.ProcessState only the os package can make.
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PIDFD, int(fd), &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
		switch err {
		case nil:
			return info.Signo != 0 // zero: still running
		case syscall.EINTR, syscall.EAGAIN:
			return false
		}
		return true // reaped elsewhere or unwaitable: let the caller see
	})
}

func (w *exitWatcher) close() { w.pidfd.Close() }
