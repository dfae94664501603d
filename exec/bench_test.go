//go:build linux

package exec

import (
	"bytes"
	"io"
	"os"
	stdexec "os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/forkexec/forkexec/forkexec"
)

// Benchmarks against os/exec. The ratios come from the interleaved ones,
// which run both packages alternately within each iteration and report
// exec-ns/call, osexec-ns/call and exec/osexec:
//
//	go test -run '^$' -bench 'VsOSExec|LayerVs' -benchtime 2s -count 6 ./exec
//
// BenchmarkCalls and BenchmarkRunParallel8 run one package after the other
// (sub-benchmarks impl=...), for allocations, and for benchstat -col /impl:
//
//	go test -run '^$' -bench 'Calls|RunParallel8' -benchmem ./exec
//
// All spawn a static no-op C program (bench/noop.c built with cc -static),
// so that the child's own start-up is as small as it gets and the
// spawn-and-wait machinery is what differs. BenchmarkThousandChildren
// counts threads instead (-benchtime 1x).

var noop = sync.OnceValues(func() (string, error) {
	if path := os.Getenv("EXEC_BENCH_NOOP"); path != "" {
		return path, nil // bench/exec.sh's, built once for all its processes
	}
	dir, err := os.MkdirTemp("", "exec-bench")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "noop")
	// $CC as make and cgo read it (a command, possibly with arguments), or cc.
	cc := strings.Fields(os.Getenv("CC"))
	if len(cc) == 0 {
		cc = []string{"cc"}
	}
	out, err := stdexec.Command(cc[0], append(cc[1:], "-static", "-O2", "-o", bin, "../bench/noop.c")...).CombinedOutput()
	if err != nil {
		return "", &os.PathError{Op: cc[0] + " -static", Path: string(out), Err: err}
	}
	return bin, nil
})

func noopPath(b *testing.B) string {
	path, err := noop()
	if err != nil {
		b.Skip(err)
	}
	return path
}

// implNames name the two packages under comparison, in the order of a
// benchCase's impl.
var implNames = [2]string{"exec", "osexec"}

// benchCase is one way of running a command, in this package and in
// os/exec.
type benchCase struct {
	name string
	impl [2]func() error
}

// benchCases: Output() of the static no-op, Run() with Stdout a
// bytes.Buffer, and the same without this package's defaults (CloseFDs,
// ResetSignals), where the child does what os/exec's does.
func benchCases(path string) []benchCase {
	var buf bytes.Buffer
	return []benchCase{
		{"Output", [2]func() error{
			func() error { _, err := Command(path).Output(); return err },
			func() error { _, err := stdexec.Command(path).Output(); return err },
		}},
		{"RunBuffer", [2]func() error{
			func() error { buf.Reset(); c := Command(path); c.Stdout = &buf; return c.Run() },
			func() error { buf.Reset(); c := stdexec.Command(path); c.Stdout = &buf; return c.Run() },
		}},
		{"RunBufferInherit", [2]func() error{
			func() error {
				buf.Reset()
				c := Command(path)
				c.Stdout, c.InheritFDs, c.InheritSignals = &buf, true, true
				return c.Run()
			},
			func() error { buf.Reset(); c := stdexec.Command(path); c.Stdout = &buf; return c.Run() },
		}},
	}
}

// BenchmarkCalls runs each case for each package in turn, for allocations
// (-benchmem) and benchstat -col /impl. Its times come from different
// moments; BenchmarkVsOSExec's ratios are the ones to compare.
func BenchmarkCalls(b *testing.B) {
	for _, k := range benchCases(noopPath(b)) {
		for i, run := range k.impl {
			b.Run("case="+k.name+"/impl="+implNames[i], func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := run(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// par8Env is the environment of BenchmarkRunParallel8's children: the one
// bench/posix_spawn_bench.c gives its own, so that both exec the same
// strings.
var par8Env = []string{"PATH=/usr/bin:/bin", "LANG=C"}

// BenchmarkRunParallel8: Run() from 8 goroutines at once, for throughput
// (compare with bench/posix_spawn_bench's par=8 case, 8 threads each in
// posix_spawn and waitpid, with the same environment).
func BenchmarkRunParallel8(b *testing.B) {
	path := noopPath(b)
	impl := map[string]func() error{
		"exec": func() error {
			c := Command(path)
			c.Env = par8Env
			return c.Run()
		},
		"osexec": func() error {
			c := stdexec.Command(path)
			c.Env = par8Env
			return c.Run()
		},
		// Without CloseFDs and ResetSignals, as forkexec's own benchmarks.
		"exec_inherit": func() error {
			c := Command(path)
			c.Env, c.InheritFDs, c.InheritSignals = par8Env, true, true
			return c.Run()
		},
	}
	for _, name := range []string{"exec", "exec_inherit", "osexec"} {
		run := impl[name]
		b.Run("impl="+name, func(b *testing.B) {
			b.ReportAllocs()
			// RunParallel starts parallelism*GOMAXPROCS goroutines.
			b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := run(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkThousandChildren: 1,000 children (cat, blocked on its stdin)
// running at once, each waited on by its own goroutine; reports the OS
// threads of this process (Threads in /proc/self/status) while all the
// waits are pending, and how many more that is than before the children
// started. The runtime keeps idle threads, so after os/exec's case the
// absolute count stays high: the added count is the figure that compares.
// One iteration is 1,000 children (ns/op is the time to start, wait for
// and reap them all): run with -benchtime 1x.
func BenchmarkThousandChildren(b *testing.B) {
	const n = 1000
	for _, impl := range []string{"exec", "osexec"} {
		b.Run("impl="+impl, func(b *testing.B) {
			peak, added := 0, 0
			for b.Loop() {
				before := threadCount()
				during := thousandChildren(b, impl, n)
				peak, added = max(peak, during), max(added, during-before)
			}
			b.ReportMetric(float64(peak), "threads")
			b.ReportMetric(float64(added), "threads-added")
		})
	}
}

// thousandChildren starts n cats, waits on each from its own goroutine,
// and returns the thread count once every wait is pending.
func thousandChildren(b *testing.B, impl string, n int) int {
	inputs := make([]io.Closer, 0, n)
	var wg sync.WaitGroup
	var waiting sync.WaitGroup
	waiting.Add(n)
	for range n {
		var in io.WriteCloser
		var start, wait func() error
		if impl == "exec" {
			c := Command("/bin/cat")
			in, _ = c.StdinPipe()
			start, wait = c.Start, c.Wait
		} else {
			c := stdexec.Command("/bin/cat")
			in, _ = c.StdinPipe()
			start, wait = c.Start, c.Wait
		}
		if err := start(); err != nil {
			b.Fatal(err)
		}
		inputs = append(inputs, in)
		wg.Go(func() {
			waiting.Done()
			if err := wait(); err != nil {
				b.Error(err)
			}
		})
	}
	waiting.Wait()
	threads := settledThreads()
	for _, in := range inputs {
		in.Close()
	}
	wg.Wait()
	return threads
}

// settledThreads returns the thread count once it stops growing: the
// os/exec waits take their threads as the goroutines reach waitid.
func settledThreads() int {
	last := -1
	for {
		n := threadCount()
		if n == last {
			return n
		}
		last = n
		time.Sleep(50 * time.Millisecond) // let the waits reach the kernel
	}
}

func threadCount() int {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// BenchmarkVsOSExec runs this package and os/exec alternately, one call
// each per iteration (which goes first alternates too), so that both see
// the same machine at the same moment, and reports each one's ns per call
// and their ratio. On a shared machine the ratio from one run is the
// figure to trust, not either time.
func BenchmarkVsOSExec(b *testing.B) {
	for _, k := range benchCases(noopPath(b)) {
		b.Run("case="+k.name, func(b *testing.B) {
			interleave(b, 1, func(which int) error { return k.impl[which]() })
		})
	}
}

// BenchmarkParallel8VsOSExec: throughput of Run from 8 goroutines, this
// package and os/exec alternately, a batch of 64 runs each per iteration.
func BenchmarkParallel8VsOSExec(b *testing.B) {
	path := noopPath(b)
	const workers, batch = 8, 64
	impl := [2]func() error{
		func() error { return Command(path).Run() },
		func() error { return stdexec.Command(path).Run() },
	}
	interleave(b, batch, func(which int) error {
		return inParallel(workers, batch, impl[which])
	})
}

// interleave times run(0) (this package) and run(1) (os/exec), each
// making calls calls, once per iteration, the first of the two
// alternating, and reports ns per call of each and their ratio.
func interleave(b *testing.B, calls int, run func(which int) error) {
	var spent [2]time.Duration
	n := 0
	for b.Loop() {
		for j := range 2 {
			which := (n + j) % 2
			start := time.Now()
			if err := run(which); err != nil {
				b.Fatal(err)
			}
			spent[which] += time.Since(start)
		}
		n++
	}
	calls *= n
	b.ReportMetric(0, "ns/op") // an iteration is both; the per-package figures follow
	b.ReportMetric(float64(spent[0].Nanoseconds())/float64(calls), "exec-ns/call")
	b.ReportMetric(float64(spent[1].Nanoseconds())/float64(calls), "osexec-ns/call")
	b.ReportMetric(float64(spent[0])/float64(spent[1]), "exec/osexec")
}

// BenchmarkLayerVsForkExec8: what this layer costs over forkexec itself,
// 8 goroutines at once, alternately: Run (without the CloseFDs and
// ResetSignals defaults, so that the child does the same work) against
// forkexec.Spawn plus a blocking wait4. The exec-ns/call column is this
// package, osexec-ns/call is bare forkexec here.
func BenchmarkLayerVsForkExec8(b *testing.B) {
	path := noopPath(b)
	impl := [2]func() error{
		func() error {
			c := Command(path)
			c.InheritFDs, c.InheritSignals = true, true
			return c.Run()
		},
		func() error {
			pid, err := forkexec.Spawn(path, []string{path}, &forkexec.ProcAttr{Files: []uintptr{0, 1, 2}})
			if err != nil {
				return err
			}
			var ws syscall.WaitStatus
			_, err = syscall.Wait4(pid, &ws, 0, nil)
			return err
		},
	}
	const workers, batch = 8, 64
	interleave(b, batch, func(which int) error {
		return inParallel(workers, batch, impl[which])
	})
}

// inParallel makes calls calls of run from workers goroutines and
// returns the first error.
func inParallel(workers, calls int, run func() error) error {
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range calls / workers {
				if err := run(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// BenchmarkHundredMBVsOSExec: 100 MB of a child's output into a 1 MB
// LimitedBuffer, this package and os/exec alternately.
func BenchmarkHundredMBVsOSExec(b *testing.B) {
	const script = "head -c 104857600 /dev/zero"
	impl := [2]func() error{
		func() error {
			c := Command("/bin/sh", "-c", script)
			c.Stdout = &LimitedBuffer{Limit: 1 << 20}
			return c.Run()
		},
		func() error {
			c := stdexec.Command("/bin/sh", "-c", script)
			c.Stdout = &LimitedBuffer{Limit: 1 << 20}
			return c.Run()
		},
	}
	interleave(b, 1, func(which int) error { return impl[which]() })
}
