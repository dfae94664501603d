package exec

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// Abort stops the started command and reaps it, in place of Wait: it sends
// SIGTERM, gives the command grace to exit, then sends SIGKILL, and waits
// (libvirt's virCommandAbort, with a configurable grace). It returns what
// Wait returns, usually an *ExitError naming the signal; a command that
// had already exited is simply reaped. The signals go through Process,
// so through the pidfd where there is one.
func (c *Cmd) Abort(grace time.Duration) error {
	if c.Process == nil {
		return errNotStarted
	}
	if c.waited {
		return errWaited
	}
	if c.Daemonize {
		return c.abortDaemon(grace)
	}
	// An error here means the process is done (os.ErrProcessDone): Wait
	// below reaps it either way.
	c.Process.Signal(syscall.SIGTERM)
	kill := time.AfterFunc(grace, func() { c.Process.Kill() })
	defer kill.Stop()
	return c.Wait()
}

// abortDaemon is Abort for a daemon, which is not ours to reap: it
// returns once the daemon has exited, or with the error that kept it from
// being signalled.
func (c *Cmd) abortDaemon(grace time.Duration) error {
	c.waited = true
	c.ProcessState = c.middleState
	defer c.Process.Release()
	if err := c.Process.Signal(syscall.SIGTERM); err != nil {
		if errors.Is(err, os.ErrProcessDone) {
			return nil
		}
		return err
	}
	if waitForExit(c.Process.Pid, grace) {
		return nil
	}
	if err := c.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	waitForExit(c.Process.Pid, -1)
	return nil
}
