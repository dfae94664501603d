//go:build linux

package forkexec

import (
	"testing"
)

// BenchmarkParentHook: spawn and wait for the static no-op program, with
// no hook, with a no-op ParentHook (the own-stack path, child in the
// parent's memory), and with the same hook on the fork path (what an
// architecture without the own stack, or the stdlib's way of waiting for
// the parent, costs), at each heap of FORKEXEC_BENCH_HEAPS (default 0 and
// 1 GiB). Compare with benchstat -col /hook.
//
//	go test -run '^$' -bench ParentHook -count 6 ./forkexec
func BenchmarkParentHook(b *testing.B) {
	path := benchStaticHelper(b)
	noop := func(int) error { return nil }
	for _, heap := range benchHeaps(b) {
		b.Run("heap="+heap, func(b *testing.B) {
			benchSetHeap(b, heap)
			for _, hook := range []string{"none", "noop", "noop_fork"} {
				b.Run("hook="+hook, func(b *testing.B) {
					sys := &SysProcAttr{}
					if hook != "none" {
						sys.ParentHook = noop
					}
					if hook == "noop_fork" {
						forceHookFork = true
						defer func() { forceHookFork = false }()
					}
					attr := &ProcAttr{Env: benchEnv, Files: []uintptr{0, 1, 2}, Sys: sys}
					benchRun(b, benchImpl{"forkexec", func() (benchHandle, error) {
						pid, err := ForkExec(path, []string{path}, attr)
						return benchHandle{pid: pid}, err
					}, benchWait4}, 1, false)
				})
			}
		})
	}
	benchSetHeap(b, "0")
}
