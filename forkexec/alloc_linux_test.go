//go:build linux

package forkexec_test

import (
	"syscall"
	"testing"

	"github.com/forkexec/forkexec/forkexec"
)

// TestAllocsPerSpawn: the parent side of a spawn makes one heap allocation,
// the buffer holding argv, the environment and the Files scratch copy. The
// stdlib makes five.
func TestAllocsPerSpawn(t *testing.T) {
	argv := []string{probePath, "exit", "0"}
	env := []string{"A=1", "B=2"}
	attr := &forkexec.ProcAttr{Env: env, Files: stdio(), Sys: &forkexec.SysProcAttr{Setpgid: true}}
	var failed error
	allocs := testing.AllocsPerRun(20, func() {
		pid, err := forkexec.ForkExec(probePath, argv, attr)
		if err != nil {
			failed = err
			return
		}
		var ws syscall.WaitStatus
		syscall.Wait4(pid, &ws, 0, nil)
	})
	if failed != nil {
		t.Fatal(failed)
	}
	want := 1.0
	if raceEnabled {
		// The instrumentation takes the child report's address, which
		// moves it to the heap.
		want = 2
	}
	if allocs > want {
		t.Errorf("%v allocations per spawn, want at most %v", allocs, want)
	}
}
