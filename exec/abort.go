package exec

import (
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
	// An error here means the process is done (os.ErrProcessDone): Wait
	// below reaps it either way.
	c.Process.Signal(syscall.SIGTERM)
	kill := time.AfterFunc(grace, func() { c.Process.Kill() })
	defer kill.Stop()
	return c.Wait()
}
