//go:build linux

package forkexec

import (
	"slices"
	"testing"
	"time"
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

// BenchmarkParentHookPaired measures spawn+wait without a hook and with a
// no-op one alternately, spawn by spawn (the order swapped every other
// pair), and reports each one's median and the ratio of the medians: on a
// shared machine, whose load drifts by more than the difference sought,
// pairs see the same load where rounds of a second each do not.
//
//	go test -run '^$' -bench ParentHookPaired -benchtime 4000x ./forkexec
func BenchmarkParentHookPaired(b *testing.B) {
	path := benchStaticHelper(b)
	for _, heap := range benchHeaps(b) {
		b.Run("heap="+heap, func(b *testing.B) {
			benchSetHeap(b, heap)
			none := &ProcAttr{Env: benchEnv, Files: []uintptr{0, 1, 2}, Sys: &SysProcAttr{}}
			hook := &ProcAttr{Env: benchEnv, Files: []uintptr{0, 1, 2}, Sys: &SysProcAttr{ParentHook: func(int) error { return nil }}}
			spawnWait := func(attr *ProcAttr) time.Duration {
				t0 := time.Now()
				pid, err := ForkExec(path, []string{path}, attr)
				if err != nil {
					b.Fatal(err)
				}
				if err := benchWait4(benchHandle{pid: pid}); err != nil {
					b.Fatal(err)
				}
				return time.Since(t0)
			}
			spawnWait(none)
			spawnWait(hook)
			var dNone, dHook []time.Duration
			b.ResetTimer()
			for i := range b.N {
				if i%2 == 0 {
					dNone = append(dNone, spawnWait(none))
					dHook = append(dHook, spawnWait(hook))
				} else {
					dHook = append(dHook, spawnWait(hook))
					dNone = append(dNone, spawnWait(none))
				}
			}
			b.StopTimer()
			mNone, mHook := benchMedian(dNone), benchMedian(dHook)
			b.ReportMetric(float64(mNone.Nanoseconds()), "none-ns/op")
			b.ReportMetric(float64(mHook.Nanoseconds()), "hook-ns/op")
			b.ReportMetric(float64(mHook)/float64(mNone), "hook/none")
		})
	}
	benchSetHeap(b, "0")
}

func benchMedian(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	slices.Sort(s)
	return s[len(s)/2]
}
