//go:build !linux

package exec

import (
	"os"
	"syscall"
	"time"

	"github.com/forkexec/forkexec/forkexec"
)

// startProcess spawns the child as c.attr says and sets Process. Without
// pidfds there is nothing to poll: Wait blocks a thread in
// os.Process.Wait, as os/exec's does.
func (c *Cmd) startProcess() error {
	pid, err := forkexec.Spawn(c.Path, c.argv(), &c.attr)
	if err != nil {
		return err
	}
	c.Process, _ = os.FindProcess(pid)
	return nil
}

// exitWatcher watches nothing here; see exitwatch_linux.go.
type exitWatcher struct{}

func (*exitWatcher) wait()  {}
func (*exitWatcher) close() {}

// waitForExit waits for the process pid to exit, for at most d (forever
// if d < 0), by asking every few milliseconds whether it still exists:
// without pidfds there is nothing to wait on for a process that is not a
// child.
func waitForExit(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for d < 0 || time.Now().Before(deadline) {
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}

// dropPidFD does nothing: there is no SysProcAttr.PidFD here.
func dropPidFD(*forkexec.SysProcAttr) {}
