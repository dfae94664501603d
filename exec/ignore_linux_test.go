//go:build linux

package exec

import (
	"os/signal"
	"syscall"
	"testing"
)

// ignoreSIGHUP makes this process ignore SIGHUP until the test ends.
func ignoreSIGHUP(t *testing.T) {
	signal.Ignore(syscall.SIGHUP)
	t.Cleanup(func() { signal.Reset(syscall.SIGHUP) })
}
