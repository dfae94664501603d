//go:build !linux

package exec

import (
	"os"

	"github.com/forkexec/forkexec/forkexec"
)

// startProcess spawns the child. Without pidfds there is nothing to poll:
// Wait blocks a thread in os.Process.Wait, as os/exec's does.
func startProcess(path string, argv []string, attr *forkexec.ProcAttr) (*os.Process, *exitWatcher, error) {
	pid, err := forkexec.Spawn(path, argv, attr)
	if err != nil {
		return nil, nil, err
	}
	p, _ := os.FindProcess(pid)
	return p, nil, nil
}

// exitWatcher is never made here; see exitwatch_linux.go.
type exitWatcher struct{}

func (*exitWatcher) wait()  {}
func (*exitWatcher) close() {}
