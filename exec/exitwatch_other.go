//go:build !linux

package exec

import (
	"os"

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
