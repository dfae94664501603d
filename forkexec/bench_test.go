//go:build linux

package forkexec

// Benchmarks of a spawn, each case beside the same case through
// syscall.ForkExec and os/exec (and, via bench/run.sh, a C posix_spawn
// baseline that prints the same names). Names are key=value path elements so
// that benchstat can pair them: compare implementations with
//
//	benchstat -col /impl results.txt
//
// The cases:
//
//	BenchmarkSpawnWait/prog=P/attr=A/heap=H/par=N/impl=I  spawn and wait for the child
//	BenchmarkSpawn/prog=P/attr=A/heap=H/par=1/impl=I      time only the spawn call (reaped untimed)
//	BenchmarkSpawnAllocs/impl=I                          testing.AllocsPerRun of spawn+wait
//	BenchmarkSpawnParts/part=X                           parent-side pieces: newCmdline, ForkLock
//
// prog is static (a static no-op C program built here with cc -static -O2;
// skipped without cc) or true (/bin/true). attr is none, newuser
// (CLONE_NEWUSER mapping the caller to root: maps the child may write
// itself), newusermap (CLONE_NEWUSER mapping 0-65535 to 100000-165535:
// maps only the parent may write, and only as root), pdeathsig (SIGKILL) or
// closefds (1000 extra open descriptors, close-on-exec as Go opens them;
// forkexec also sets CloseFDs). heap is the size of a resident []byte kept
// alive during the benchmark. par is the number of goroutines spawning at
// once. impl is forkexec, forkexec_pipe (forkexec's own vfork child, but
// reporting through a close-on-exec pipe as the stdlib does: what
// shared-memory reporting saves), syscall or osexec.
//
// Environment (none of it is read by plain go test, which runs no benchmark):
//
//	FORKEXEC_BENCH_HEAPS   heap sizes, default "0,1GiB"; "0,1GiB,4GiB" adds the
//	                       slow one (making 4GiB resident takes ~20s here)
//	FORKEXEC_BENCH_HELPER  path of the static no-op program to use instead
//	                       of building one (bench/run.sh shares its build
//	                       with the C baseline)

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

const benchNoopC = "int main(void) { return 0; }\n"

var (
	benchHelperOnce sync.Once
	benchHelperPath string
	benchHelperErr  error

	benchHeap     []byte // resident memory the benchmarks run beside
	benchHeapSize int64  = 0

	benchEnv = []string{"PATH=/usr/bin:/bin", "LANG=C"}
)

// benchStaticHelper returns the path of a static no-op program, building it
// with cc the first time.
func benchStaticHelper(b *testing.B) string {
	benchHelperOnce.Do(func() {
		if p := os.Getenv("FORKEXEC_BENCH_HELPER"); p != "" {
			benchHelperPath = p
			return
		}
		// $CC as make and cgo read it (a command, possibly with arguments), or cc.
		ccArgs := strings.Fields(os.Getenv("CC"))
		if len(ccArgs) == 0 {
			ccArgs = []string{"cc"}
		}
		cc, err := exec.LookPath(ccArgs[0])
		if err != nil {
			benchHelperErr = errors.New("no C compiler to build the static no-op helper (set $CC or install gcc): " + err.Error())
			return
		}
		dir, err := os.MkdirTemp("", "forkexec-bench")
		if err != nil {
			benchHelperErr = err
			return
		}
		src := filepath.Join(dir, "noop.c")
		if err := os.WriteFile(src, []byte(benchNoopC), 0o644); err != nil {
			benchHelperErr = err
			return
		}
		bin := filepath.Join(dir, "noop")
		out, err := exec.Command(cc, append(ccArgs[1:], "-static", "-O2", "-o", bin, src)...).CombinedOutput()
		if err != nil {
			benchHelperErr = fmt.Errorf("cc -static failed: %v\n%s", err, out)
			return
		}
		benchHelperPath = bin
	})
	if benchHelperErr != nil {
		b.Skip(benchHelperErr)
	}
	return benchHelperPath
}

// benchHeaps parses FORKEXEC_BENCH_HEAPS.
func benchHeaps(b *testing.B) []string {
	s := os.Getenv("FORKEXEC_BENCH_HEAPS")
	if s == "" {
		s = "0,1GiB"
	}
	var hs []string
	for _, h := range strings.Split(s, ",") {
		if h = strings.TrimSpace(h); h != "" {
			if _, err := benchParseSize(h); err != nil {
				b.Fatalf("FORKEXEC_BENCH_HEAPS: %v", err)
			}
			hs = append(hs, h)
		}
	}
	return hs
}

func benchParseSize(s string) (int64, error) {
	mult := int64(1)
	num := s
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if strings.HasSuffix(s, u.suffix) {
			mult, num = u.m, strings.TrimSuffix(s, u.suffix)
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad heap size %q", s)
	}
	return n * mult, nil
}

// benchSetHeap makes a []byte of the given size resident (every page
// written) and keeps it alive, replacing the previous one. It is outside any
// timer: the callers run it before their sub-benchmarks.
func benchSetHeap(b *testing.B, h string) {
	n, _ := benchParseSize(h)
	if n == benchHeapSize {
		return
	}
	benchHeap, benchHeapSize = nil, 0
	runtime.GC()
	debug.FreeOSMemory()
	if n == 0 {
		return
	}
	m := make([]byte, n)
	// MADV_POPULATE_WRITE (Linux 5.14) faults the range in with one call,
	// several times faster than a fault per page in a VM; the loop below
	// then writes every page anyway, so the heap is resident either way.
	const madvPopulateWrite = 23
	syscall.Syscall(syscall.SYS_MADVISE, uintptr(unsafe.Pointer(&m[0])), uintptr(n), madvPopulateWrite)
	for i := 0; i < len(m); i += 4096 {
		m[i] = 1
	}
	benchHeap, benchHeapSize = m, n
}

// benchHandle is a started child: its pid, or its exec.Cmd for osexec.
type benchHandle struct {
	pid int
	cmd *exec.Cmd
}

// benchImpl starts and waits for children of one implementation, set up for
// one case. start and wait must be safe for concurrent use.
type benchImpl struct {
	name  string
	start func() (benchHandle, error)
	wait  func(benchHandle) error
}

func benchWait4(h benchHandle) error {
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(h.pid, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if !ws.Exited() || ws.ExitStatus() != 0 {
			return fmt.Errorf("child %d: wait status %#x", h.pid, ws)
		}
		return nil
	}
}

func benchCmdWait(h benchHandle) error { return h.cmd.Wait() }

// benchImpls returns the implementations for one case.
func benchImpls(path, attr string, withPipe bool) []benchImpl {
	argv := []string{path}
	files := []uintptr{0, 1, 2}
	uid, gid := os.Getuid(), os.Getgid()

	fsys := &SysProcAttr{}
	ssys := &syscall.SysProcAttr{}
	switch attr {
	case "newuser":
		fsys.Cloneflags = syscall.CLONE_NEWUSER
		fsys.UidMappings = []SysProcIDMap{{ContainerID: 0, HostID: uid, Size: 1}}
		fsys.GidMappings = []SysProcIDMap{{ContainerID: 0, HostID: gid, Size: 1}}
		ssys.Cloneflags = syscall.CLONE_NEWUSER
		ssys.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: uid, Size: 1}}
		ssys.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: gid, Size: 1}}
	case "newusermap":
		fsys.Cloneflags = syscall.CLONE_NEWUSER
		fsys.UidMappings = []SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 65536}}
		fsys.GidMappings = []SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 65536}}
		ssys.Cloneflags = syscall.CLONE_NEWUSER
		ssys.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 65536}}
		ssys.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 65536}}
	case "pdeathsig":
		fsys.Pdeathsig = syscall.SIGKILL
		ssys.Pdeathsig = syscall.SIGKILL
	case "closefds":
		// The stdlib has no CloseFDs: the 1000 descriptors are close-on-exec,
		// which has the same effect on the program.
		fsys.CloseFDs = true
	case "none":
	default:
		panic("unknown attr " + attr)
	}
	fattr := &ProcAttr{Env: benchEnv, Files: files, Sys: fsys}
	sattr := &syscall.ProcAttr{Env: benchEnv, Files: files, Sys: ssys}

	impls := []benchImpl{
		{"forkexec", func() (benchHandle, error) {
			pid, err := ForkExec(path, argv, fattr)
			return benchHandle{pid: pid}, err
		}, benchWait4},
	}
	if withPipe {
		impls = append(impls, benchImpl{"forkexec_pipe", func() (benchHandle, error) {
			pid, err := benchForkExecPipe(path, argv, fattr)
			return benchHandle{pid: pid}, err
		}, benchWait4})
	}
	impls = append(impls,
		benchImpl{"syscall", func() (benchHandle, error) {
			pid, err := syscall.ForkExec(path, argv, sattr)
			return benchHandle{pid: pid}, err
		}, benchWait4},
		benchImpl{"osexec", func() (benchHandle, error) {
			cmd := &exec.Cmd{Path: path, Args: argv, Env: benchEnv,
				Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
			if attr != "none" && attr != "closefds" {
				cmd.SysProcAttr = ssys
			}
			err := cmd.Start()
			return benchHandle{cmd: cmd}, err
		}, benchCmdWait},
	)
	return impls
}

// benchForkExecPipe is ForkExec with the vfork child reporting through a
// close-on-exec pipe, as syscall.ForkExec's child does, instead of through
// the memory it shares with the parent: the difference between it and
// ForkExec is what shared-memory reporting saves. It flips a package-wide
// test hook, so it is only used by sequential (par=1) benchmarks.
func benchForkExecPipe(argv0 string, argv []string, attr *ProcAttr) (int, error) {
	forceReportPipe = true
	defer func() { forceReportPipe = false }()
	return ForkExec(argv0, argv, attr)
}

// benchOpenFDs opens n close-on-exec descriptors and returns a func that
// closes them.
func benchOpenFDs(b *testing.B, n int) func() {
	fds := make([]int, 0, n)
	for range n {
		fd, err := syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			for _, fd := range fds {
				syscall.Close(fd)
			}
			b.Fatalf("opening descriptor %d of %d: %v", len(fds), n, err)
		}
		fds = append(fds, fd)
	}
	return func() {
		for _, fd := range fds {
			syscall.Close(fd)
		}
	}
}

// benchRun runs impl b.N times on par goroutines. With callOnly it times only
// the start call, reaping each child outside the measured time, and
// overrides ns/op with that time.
func benchRun(b *testing.B, impl benchImpl, par int, callOnly bool) {
	// One untimed spawn first: a case the system refuses (CLONE_NEWUSER
	// where user namespaces are off) is skipped, not failed.
	h, err := impl.start()
	if err != nil {
		if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOSPC) {
			b.Skipf("%s: not permitted here: %v", impl.name, err)
		}
		b.Fatalf("%s: %v", impl.name, err)
	}
	if err := impl.wait(h); err != nil {
		b.Fatalf("%s: %v", impl.name, err)
	}
	b.ReportAllocs()
	b.ResetTimer()

	if callOnly {
		var total time.Duration
		for range b.N {
			t0 := time.Now()
			h, err := impl.start()
			total += time.Since(t0)
			if err != nil {
				b.Fatalf("%s: %v", impl.name, err)
			}
			if err := impl.wait(h); err != nil {
				b.Fatalf("%s: %v", impl.name, err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "ns/op")
		return
	}

	if par == 1 {
		for range b.N {
			h, err := impl.start()
			if err != nil {
				b.Fatalf("%s: %v", impl.name, err)
			}
			if err := impl.wait(h); err != nil {
				b.Fatalf("%s: %v", impl.name, err)
			}
		}
		return
	}

	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range par {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) && !failed.Load() {
				h, err := impl.start()
				if err == nil {
					err = impl.wait(h)
				}
				if err != nil {
					failed.Store(true)
					b.Errorf("%s: %v", impl.name, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

type benchProg struct{ name, path string }

func benchProgs(b *testing.B) []benchProg {
	return []benchProg{{"static", benchStaticHelper(b)}, {"true", "/bin/true"}}
}

// benchMatrix runs every case of one kind (spawn+wait, or the spawn call
// alone) under b, heap outermost so that each heap is made resident once,
// and CLONE_NEWUSER (where the stdlib forks rather than vforks) last
// within a heap.
func benchMatrix(b *testing.B, callOnly bool) {
	type kase struct {
		prog, attr string
		par        int
	}
	var cases []kase
	if callOnly {
		cases = []kase{{"static", "none", 1}, {"static", "pdeathsig", 1}, {"static", "closefds", 1}, {"static", "newuser", 1}, {"static", "newusermap", 1}}
	} else {
		cases = []kase{
			{"static", "none", 1}, {"static", "none", 8},
			{"true", "none", 1}, {"true", "none", 8},
			{"static", "pdeathsig", 1}, {"static", "closefds", 1}, {"static", "newuser", 1}, {"static", "newusermap", 1},
		}
	}
	progs := map[string]string{}
	for _, p := range benchProgs(b) {
		progs[p.name] = p.path
	}
	for _, heap := range benchHeaps(b) {
		for _, c := range cases {
			name := fmt.Sprintf("prog=%s/attr=%s/heap=%s/par=%d", c.prog, c.attr, heap, c.par)
			b.Run(name, func(b *testing.B) {
				benchSetHeap(b, heap)
				if c.attr == "closefds" {
					defer benchOpenFDs(b, 1000)()
				}
				withPipe := c.attr == "none" && c.par == 1 && c.prog == "static"
				for _, impl := range benchImpls(progs[c.prog], c.attr, withPipe) {
					b.Run("impl="+impl.name, func(b *testing.B) {
						benchRun(b, impl, c.par, callOnly)
					})
				}
				if strings.HasPrefix(c.attr, "newuser") {
					// The stdlib's forked children leave work behind (their
					// copies of the page tables to tear down): let it drain
					// before the next case.
					time.Sleep(time.Second)
				}
			})
		}
	}
	benchSetHeap(b, "0")
}

// BenchmarkSpawnWait: spawn a no-op program and wait for it.
func BenchmarkSpawnWait(b *testing.B) { benchMatrix(b, false) }

// BenchmarkSpawn: the spawn call alone; the child is reaped untimed.
func BenchmarkSpawn(b *testing.B) { benchMatrix(b, true) }

// BenchmarkSpawnAllocs reports testing.AllocsPerRun of one spawn+wait of the
// static helper, as allocs/spawn (ns/op is meaningless here and suppressed).
func BenchmarkSpawnAllocs(b *testing.B) {
	path := benchStaticHelper(b)
	for _, impl := range benchImpls(path, "none", true) {
		b.Run("impl="+impl.name, func(b *testing.B) {
			var failed error
			allocs := testing.AllocsPerRun(max(b.N, 10), func() {
				h, err := impl.start()
				if err == nil {
					err = impl.wait(h)
				}
				if err != nil {
					failed = err
				}
			})
			if failed != nil {
				b.Fatal(failed)
			}
			b.ReportMetric(allocs, "allocs/spawn")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkSpawnParts measures parent-side pieces of a spawn on their own.
func BenchmarkSpawnParts(b *testing.B) {
	path := "/usr/local/bin/some-program"
	argv := []string{path, "-flag", "argument"}
	attr := &ProcAttr{Env: benchEnv, Files: []uintptr{0, 1, 2}}
	b.Run("part=compile", func(b *testing.B) {
		b.ReportAllocs()
		sys := &SysProcAttr{}
		for range b.N {
			var p program
			if err := compile(&p, path, argv, attr, sys); err != nil {
				b.Fatal(err)
			}
			runtime.KeepAlive(&p)
		}
	})
	b.Run("part=forklock", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			acquireForkLock()
			releaseForkLock()
		}
	})
	b.Run("part=beforefork+afterfork", func(b *testing.B) {
		// The two signal-mask changes around the clone, with nothing between.
		b.ReportAllocs()
		for range b.N {
			runtimeBeforeFork()
			runtimeAfterFork()
		}
	})
}
