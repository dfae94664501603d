package suite

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

func sigsetAdd(set *unix.Sigset_t, sig syscall.Signal) {
	bits := int(unsafe.Sizeof(set.Val[0]) * 8)
	i, b := (int(sig)-1)/bits, (int(sig)-1)%bits
	set.Val[i] |= 1 << b
}

// registerParent registers the scenarios of parent state: each runs
// each implementation in a fresh worker process (Isolated) so nothing
// leaks into other scenarios.
func registerParent() {
	Register(Scenario{Name: "parent-sig-ignored", Group: "parent", Doc: "parent ignores SIGPIPE, SIGHUP, SIGUSR1, SIGTTOU, signal 40 (signal.Ignore)", Isolated: true,
		Setup: func(c *Ctx) error {
			signal.Ignore(syscall.SIGPIPE, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGTTOU, syscall.Signal(40))
			c.Defer(func() { signal.Reset() })
			return nil
		}})
	Register(Scenario{Name: "parent-sig-caught", Group: "parent", Doc: "parent catches SIGUSR1, SIGUSR2, SIGWINCH (signal.Notify): child gets SIG_DFL", Isolated: true,
		Setup: func(c *Ctx) error {
			ch := make(chan os.Signal, 4)
			signal.Notify(ch, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH)
			c.Defer(func() { signal.Stop(ch) })
			return nil
		}})
	Register(Scenario{Name: "parent-sig-blocked", Group: "parent", Doc: "forking thread blocks SIGUSR2, SIGTERM, signal 38 (pthread_sigmask)", Isolated: true,
		Setup: func(c *Ctx) error {
			// runImpl runs on a locked thread that is discarded afterwards.
			var set unix.Sigset_t
			sigsetAdd(&set, syscall.SIGUSR2)
			sigsetAdd(&set, syscall.SIGTERM)
			sigsetAdd(&set, syscall.Signal(38))
			return blockThreadSignals(&set)
		}})
	Register(Scenario{Name: "parent-umask", Group: "parent", Doc: "parent umask 077", Isolated: true,
		Setup: func(c *Ctx) error {
			old := syscall.Umask(0o077)
			c.Defer(func() { syscall.Umask(old) })
			return nil
		}})
	Register(Scenario{Name: "parent-cwd", Group: "parent", Doc: "parent chdir'd elsewhere, Dir empty", Isolated: true,
		Setup: func(c *Ctx) error {
			old, _ := os.Getwd()
			c.Defer(func() { os.Chdir(old) })
			return os.Chdir(mkdir(c, "elsewhere"))
		}})
	Register(Scenario{Name: "parent-no-new-privs", Group: "parent", Doc: parentNoNewPrivsDoc, Isolated: true,
		Setup: func(c *Ctx) error { return setNoNewPrivs() }})
	Register(Scenario{Name: "parent-rlimit-core", Group: "parent", Doc: "parent RLIMIT_CORE and RLIMIT_STACK changed", Isolated: true,
		Setup: func(c *Ctx) error {
			if err := syscall.Setrlimit(syscall.RLIMIT_CORE, rlimitOf(4096, 8192)); err != nil {
				return err
			}
			return syscall.Setrlimit(syscall.RLIMIT_STACK, rlimitOf(4<<20, ^uint64(0)))
		}})
	Register(Scenario{Name: "parent-rlimit-startup", Group: "parent", Doc: "worker starts with soft RLIMIT_NOFILE 1024 < hard and never calls Setrlimit", Isolated: true,
		SoftNofile: 1024, KeepNofile: true,
		Setup: func(c *Ctx) error { return nil }})
	Register(Scenario{Name: "parent-rlimit-raised", Group: "parent", Doc: "soft RLIMIT_NOFILE 1024 at start, then syscall.Setrlimit raises it to the hard limit", Isolated: true,
		SoftNofile: 1024, KeepNofile: true,
		Setup: func(c *Ctx) error {
			var rl syscall.Rlimit
			syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
			rl.Cur = rl.Max
			return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
		}})
	Register(Scenario{Name: "parent-rlimit-lowered", Group: "parent", Doc: "syscall.Setrlimit lowers the soft RLIMIT_NOFILE to 256", Isolated: true,
		KeepNofile: true,
		Setup: func(c *Ctx) error {
			var rl syscall.Rlimit
			syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
			rl.Cur = 256
			return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
		}})
	Register(Scenario{Name: "parent-rlimit-hard-lowered", Group: "parent", Doc: "syscall.Setrlimit lowers soft and hard RLIMIT_NOFILE to 512/4096", Isolated: true,
		KeepNofile: true,
		Setup: func(c *Ctx) error {
			return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 512, Max: 4096})
		}})
	Register(Scenario{Name: "parent-many-fds-cloexec", Group: "parent", Doc: "400 open close-on-exec descriptors in the parent", Isolated: true,
		Setup: func(c *Ctx) error {
			for i := 0; i < 400; i++ {
				c.MustOpen("/dev/null", syscall.O_RDONLY, 0)
			}
			return nil
		}})
	Register(Scenario{Name: "parent-many-fds-inherited", Group: "parent", Doc: "400 open descriptors without close-on-exec (inherited)", Isolated: true,
		Setup: func(c *Ctx) error {
			syscall.ForkLock.Lock()
			defer syscall.ForkLock.Unlock()
			for i := 0; i < 400; i++ {
				fd, err := syscall.Open(filepath.Join(c.Run.Dir, fmt.Sprintf("n%d", i%4)), syscall.O_RDWR|syscall.O_CREAT, 0o666)
				if err != nil {
					return err
				}
				c.Defer(func() { syscall.Close(fd) })
			}
			return nil
		}})
	Register(Scenario{Name: "parent-goroutines", Group: "parent", Doc: "16 goroutines spawn at once, each with its own pipe on fd 3", Isolated: true,
		Setup: func(c *Ctx) error {
			c.Exec = concurrentSpawn
			return nil
		}})
}

// concurrentSpawn starts 16 probes from 16 goroutines at once (each with
// a private close-on-exec pipe as fd 3) and merges their normalized
// reports, ordered by the argv marker.
func concurrentSpawn(c *Ctx) Fields {
	const n = 16
	type one struct {
		idx int
		f   Fields
	}
	results := make([]one, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		sub, err := c.W.newCtx(c.Impl)
		if err != nil {
			return Fields{"error": "harness: " + err.Error()}
		}
		defer sub.cleanup()
		_, w := sub.Pipe()
		sub.Attr.Files = append(sub.Attr.Files, w)
		sub.Argv = []string{"probe", fmt.Sprint(i)}
		wg.Add(1)
		go func(i int, sub *Ctx) {
			defer wg.Done()
			<-start
			results[i] = one{i, sub.ExecProbe()}
		}(i, sub)
	}
	time.Sleep(10 * time.Millisecond)
	close(start)
	wg.Wait()
	sort.Slice(results, func(a, b int) bool { return results[a].idx < results[b].idx })
	out := Fields{}
	for _, r := range results {
		for k, v := range r.f {
			out[fmt.Sprintf("child%02d.%s", r.idx, k)] = v
		}
	}
	return out
}
