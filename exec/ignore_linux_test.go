//go:build linux

package exec

import (
	"os/signal"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// ignoreSIGHUP makes this process ignore SIGHUP until the test ends.
func ignoreSIGHUP(t *testing.T) {
	signal.Ignore(syscall.SIGHUP)
	t.Cleanup(func() { signal.Reset(syscall.SIGHUP) })
}

func runtimeGOMAXPROCS() int { return runtime.GOMAXPROCS(0) }

// sleepBriefly lets other goroutines and threads make progress.
func sleepBriefly() { time.Sleep(50 * time.Millisecond) }
