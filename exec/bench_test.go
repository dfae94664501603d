//go:build linux

package exec

import (
	"bytes"
	"io"
	"os"
	stdexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Benchmarks against os/exec, interleaved: each benchmark has sub-benchmarks
// impl=exec and impl=osexec, which -count runs alternately, so compare them
// with benchstat -col /impl:
//
//	go test -run '^$' -bench . -benchmem -count 10 ./exec > new.txt
//	benchstat -col /impl new.txt
//
// They spawn a static no-op C program (bench/noop.c built with cc -static),
// so that the child's own start-up is as small as it gets and the
// spawn-and-wait machinery is what differs.

var noop = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "exec-bench")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "noop")
	out, err := stdexec.Command("cc", "-static", "-O2", "-o", bin, "../bench/noop.c").CombinedOutput()
	if err != nil {
		return "", &os.PathError{Op: "cc -static", Path: string(out), Err: err}
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

// impls are the two packages under comparison, as functions making a
// command of each.
var impls = []struct {
	name string
	run  func(path string, stdout io.Writer) error
	out  func(path string) ([]byte, error)
}{
	{"exec",
		func(path string, w io.Writer) error { c := Command(path); c.Stdout = w; return c.Run() },
		func(path string) ([]byte, error) { return Command(path).Output() }},
	{"osexec",
		func(path string, w io.Writer) error { c := stdexec.Command(path); c.Stdout = w; return c.Run() },
		func(path string) ([]byte, error) { return stdexec.Command(path).Output() }},
}

// BenchmarkOutput: Output() of the static no-op.
func BenchmarkOutput(b *testing.B) {
	path := noopPath(b)
	for _, impl := range impls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := impl.out(path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRunBuffer: Run() with Stdout a bytes.Buffer.
func BenchmarkRunBuffer(b *testing.B) {
	path := noopPath(b)
	for _, impl := range impls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := impl.run(path, &buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRunParallel8: Run() from 8 goroutines at once, for throughput
// (compare with bench/posix_spawn_bench's par=8 case, 8 threads each in
// posix_spawn and waitpid).
func BenchmarkRunParallel8(b *testing.B) {
	path := noopPath(b)
	for _, impl := range impls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			// RunParallel starts parallelism*GOMAXPROCS goroutines.
			b.SetParallelism(max(1, 8/runtimeGOMAXPROCS()))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := impl.run(path, nil); err != nil {
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
// waits are pending. One iteration is 1,000 children: run with
// -benchtime 1x.
func BenchmarkThousandChildren(b *testing.B) {
	const n = 1000
	for _, impl := range []string{"exec", "osexec"} {
		b.Run("impl="+impl, func(b *testing.B) {
			peak := 0
			for b.Loop() {
				peak = max(peak, thousandChildren(b, impl, n))
			}
			b.ReportMetric(float64(peak), "threads")
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
		sleepBriefly()
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
