//go:build linux

package forkexec_test

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/forkexec/forkexec/forkexec"
)

// The stress test's size: spawns per phase (see stressPhases), from
// FORKEXEC_STRESS_SPAWNS.
// The default keeps `go test` quick; CI runs a medium size (.ci/run).
const (
	stressSpawnsEnv     = "FORKEXEC_STRESS_SPAWNS"
	stressSeedEnv       = "FORKEXEC_STRESS_SEED"
	stressDefaultSpawns = 240
	stressWorkers       = 8
	// stressStall is how long the spawn count may stand still before the
	// watchdog dumps every goroutine and ends the test binary.
	stressStall = 2 * time.Minute
)

// stressImpl is a way to spawn. extensions: ResetSignals and CloseFDs are
// drawn too. stdlib: it is syscall.ForkExec. spawn returns the pid and the
// error as its API gives it.
type stressImpl struct {
	name               string
	extensions, stdlib bool
	spawn              func(argv0 string, argv []string, attr *forkexec.ProcAttr) (int, error)
}

// The phases of a run: forkexec's three entry points with every attribute;
// forkexec.ForkExec with the stdlib's attributes only; syscall.ForkExec,
// with the same. The last two draw the same spawns, so their rates compare.
var stressPhases = []struct {
	name  string
	impls []stressImpl
}{
	{"forkexec (ForkExec, StartProcess, Spawn; extensions too)", []stressImpl{
		{"ForkExec", true, false, forkexec.ForkExec},
		{"StartProcess", true, false, func(argv0 string, argv []string, attr *forkexec.ProcAttr) (int, error) {
			pid, _, err := forkexec.StartProcess(argv0, argv, attr)
			return pid, err
		}},
		{"Spawn", true, false, forkexec.Spawn},
	}},
	{"forkexec.ForkExec (stdlib attributes)", []stressImpl{{"ForkExec, stdlib attributes", false, false, forkexec.ForkExec}}},
	{"syscall.ForkExec", []stressImpl{{"syscall.ForkExec", false, true, func(argv0 string, argv []string, attr *forkexec.ProcAttr) (int, error) {
		a := toStdlib(attr)
		if attr.Sys != nil {
			a.Sys.PidFD = attr.Sys.PidFD
		}
		return syscall.ForkExec(argv0, argv, a)
	}}}},
}

// stressEnv holds what every spawn of one run is checked against.
type stressEnv struct {
	t         *testing.T
	cwd, tmp  string
	notExec   string
	churnPath string // the file the inheritable churn opens
	// notOpen is a descriptor number that is not open, for the planned
	// EBADF: half the soft RLIMIT_NOFILE, so that parking above it stays
	// below the limit (see TestFindingParkErrnoMatchesStdlib for above).
	notOpen    int
	baseline   map[int]string // the parent's descriptors without close-on-exec, and their targets
	sigIgn     uint64         // the parent's ignored signals
	pgid, sid  int
	userns     string // this process's user namespace; "" when a child cannot get one
	wideMaps   bool   // maps the parent writes are possible (root)
	mismatches atomic.Int64
	spawned    atomic.Int64
	failures   atomic.Int64 // planned failures that failed as planned
	// stdlibIDMapLeaks counts the id-map files of other children that
	// syscall.ForkExec's children inherited (see stressCheck).
	stdlibIDMapLeaks atomic.Int64
}

// stdlibIDMapFile is the target of a descriptor the stdlib's parent opens
// to write a child's user namespace maps.
var stdlibIDMapFile = regexp.MustCompile(`^/proc/[0-9]+/(uid_map|gid_map|setgroups)$`)

// stressFail is a spawn planned to fail, and how.
type stressFail struct {
	name  string
	step  forkexec.Step
	errno syscall.Errno
}

// stressCase is one spawn and what the child must report.
type stressCase struct {
	argv0    string
	attr     forkexec.ProcAttr
	report   int      // the report pipe's slot in Files
	want     []string // per slot of Files: the target, or "" for closed
	fail     *stressFail
	setsid   bool
	setpgid  bool
	reset    bool
	closeFDs bool
	userns   bool
	pidfd    int
	wantCwd  string
}

// TestStress spawns from stressWorkers goroutines through ForkExec,
// StartProcess and Spawn, then through syscall.ForkExec, with random
// attributes (Files permutations with duplicates, -1, fd[i] < i and
// fd[i] == i; Dir; Env; Setsid; Setpgid; Pdeathsig; ResetSignals;
// CloseFDs; user namespaces; PidFD) and planned failures, while other
// goroutines force collections, flood the process with handled signals and
// open and close descriptors with close-on-exec set atomically, set under
// ForkLock, and not set at all. cprobe reports each child's descriptors,
// signals, ids, namespace, cwd and environment, checked against what was
// asked. At the end no child is left, waited for or not, and the
// descriptor count is back where it started. It logs spawns per second for
// forkexec and syscall.ForkExec under the same load.
func TestStress(t *testing.T) {
	requireCProbe(t)
	spawns := stressDefaultSpawns
	if s := os.Getenv(stressSpawnsEnv); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < stressWorkers {
			t.Fatalf("%s=%q: want a number of at least %d", stressSpawnsEnv, s, stressWorkers)
		}
		spawns = n
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(stressSeedEnv); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("%d spawns per phase from %d goroutines, seed %d (%s=%d to repeat)", spawns, stressWorkers, seed, stressSeedEnv, seed)

	env := newStressEnv(t)
	// Lazily made runtime descriptors (the poller) exist before the count.
	if r, w, err := os.Pipe(); err == nil {
		r.Close()
		w.Close()
	}
	fdsBefore := openFDs(t)

	stop := make(chan struct{})
	var load sync.WaitGroup
	counts := stressLoad(t, env, stop, &load)
	watchdogDone := stressWatchdog(env, stop)

	// Two rounds of every phase, so that drift in this shared machine's load
	// falls on all.
	elapsed := make([]time.Duration, len(stressPhases))
	done := make([]int, len(stressPhases))
	for round := range 2 {
		for i, phase := range stressPhases {
			n := spawns / 2
			start := time.Now()
			// The last two phases draw the same spawns.
			stressRun(env, phase.impls, n, seed+uint64(round*len(stressPhases)+min(i, 1)))
			elapsed[i] += time.Since(start)
			done[i] += n
		}
	}
	close(stop)
	load.Wait()
	<-watchdogDone

	// Every child was waited for: none is left, alive or dead.
	var ws syscall.WaitStatus
	if pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG|syscall.WALL, nil); err != syscall.ECHILD {
		t.Errorf("a child is left behind: wait4 = %d, %v (%s)", pid, err, describe(ws))
	}
	if fdsAfter := openFDs(t); fdsAfter != fdsBefore {
		t.Errorf("%d descriptors open after, %d before", fdsAfter, fdsBefore)
	}
	rate := func(i int) float64 { return float64(done[i]) / elapsed[i].Seconds() }
	for i, phase := range stressPhases {
		t.Logf("%s: %d spawns in %v, %.0f/s, %.2f times syscall.ForkExec's rate",
			phase.name, done[i], elapsed[i].Round(time.Millisecond), rate(i), rate(i)/rate(len(stressPhases)-1))
	}
	t.Logf("planned failures %d; mismatches %d; syscall.ForkExec children that inherited another child's id-map file (a stdlib leak) %d; load: %d GCs, %d signals, %d descriptors churned",
		env.failures.Load(), env.mismatches.Load(), env.stdlibIDMapLeaks.Load(), counts.gcs.Load(), counts.signals.Load(), counts.fds.Load())
}

func newStressEnv(t *testing.T) *stressEnv {
	e := &stressEnv{t: t, tmp: t.TempDir(), baseline: map[int]string{}}
	var err error
	if e.cwd, err = os.Getwd(); err != nil {
		t.Fatal(err)
	}
	e.notExec = filepath.Join(e.tmp, "not-executable")
	e.churnPath = filepath.Join(e.tmp, "churn-inherited")
	for _, p := range []string{e.notExec, e.churnPath} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range ents {
		fd, _ := strconv.Atoi(ent.Name())
		flags, err := fcntl(fd, syscall.F_GETFD)
		if err == nil && flags&syscall.FD_CLOEXEC == 0 {
			e.baseline[fd] = fdTarget(fd)
		}
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	for e.notOpen = int(min(lim.Cur, 1<<20) / 2); e.notOpen > 100; e.notOpen-- {
		if _, err := fcntl(e.notOpen, syscall.F_GETFD); err != nil {
			break
		}
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "SigIgn:"); ok {
			e.sigIgn, _ = strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	e.pgid, e.sid = syscall.Getpgrp(), stressGetsid()
	// User namespaces where a child can have one.
	self := []forkexec.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
	sys := &forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: self,
		GidMappings: []forkexec.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}}
	if _, err := os.Stat("/proc/self/ns/user"); err != nil {
		t.Log("no user namespaces here: left out")
	} else if pid, err := forkexec.ForkExec(cprobePath, []string{cprobePath, "-"}, &forkexec.ProcAttr{Sys: sys}); err != nil {
		t.Logf("a child cannot have a user namespace here (%v): left out", err)
	} else {
		wait(t, pid)
		e.userns = fdTarget0("/proc/self/ns/user")
		e.wideMaps = os.Geteuid() == 0
	}
	return e
}

func stressGetsid() int {
	sid, _, _ := syscall.RawSyscall(syscall.SYS_GETSID, 0, 0, 0)
	return int(sid)
}

func fcntl(fd, cmd int) (int, error) {
	r, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), uintptr(cmd), 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// fdTarget is what descriptor fd of this process points to, as the probe
// reports it.
func fdTarget(fd int) string { return fdTarget0("/proc/self/fd/" + strconv.Itoa(fd)) }

func fdTarget0(path string) string {
	s, _ := os.Readlink(path)
	return s
}

// stressLoadCounts counts what the load goroutines did.
type stressLoadCounts struct{ gcs, signals, fds atomic.Int64 }

// stressLoad starts the goroutines that load the process while it spawns:
// collections, handled signals, and descriptors opened and closed in three
// ways. They stop when stop is closed; load counts them.
func stressLoad(t *testing.T, e *stressEnv, stop chan struct{}, load *sync.WaitGroup) *stressLoadCounts {
	c := &stressLoadCounts{}
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	goLoad := func(f func()) {
		load.Add(1)
		go func() {
			defer load.Done()
			for !stopped() {
				f()
			}
		}()
	}
	goLoad(func() {
		garbage := make([][]byte, 64)
		for i := range garbage {
			garbage[i] = make([]byte, 16<<10)
		}
		runtime.GC()
		c.gcs.Add(1)
		time.Sleep(2 * time.Millisecond)
	})
	// Handled signals whose default action is to ignore them, so that one
	// still pending after signal.Stop does no harm.
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs, syscall.SIGWINCH, syscall.SIGCHLD)
	load.Add(1)
	go func() {
		defer load.Done()
		for {
			select {
			case <-sigs:
			case <-stop:
				signal.Stop(sigs)
				return
			}
		}
	}()
	goLoad(func() {
		for range 16 {
			syscall.Kill(os.Getpid(), syscall.SIGWINCH)
		}
		c.signals.Add(16)
		runtime.Gosched()
	})
	// Close-on-exec set atomically: never in a child.
	goLoad(func() {
		var p [2]int
		if syscall.Pipe2(p[:], syscall.O_CLOEXEC) == nil {
			syscall.Close(p[0])
			syscall.Close(p[1])
			c.fds.Add(2)
		}
	})
	// Close-on-exec set in a second step, under ForkLock for reading, as
	// code that cannot set it atomically must: never in a child either.
	goLoad(func() {
		var p [2]int
		forkexec.ForkLock.RLock()
		err := syscall.Pipe(p[:])
		if err == nil {
			runtime.Gosched() // widen the window ForkLock closes
			syscall.CloseOnExec(p[0])
			syscall.CloseOnExec(p[1])
		}
		forkexec.ForkLock.RUnlock()
		if err == nil {
			runtime.Gosched()
			syscall.Close(p[0])
			syscall.Close(p[1])
			c.fds.Add(2)
		}
	})
	// No close-on-exec: a child without CloseFDs may inherit it.
	goLoad(func() {
		fd, err := syscall.Open(e.churnPath, syscall.O_RDONLY, 0)
		if err == nil {
			runtime.Gosched()
			syscall.Close(fd)
			c.fds.Add(1)
		}
	})
	return c
}

// stressWatchdog dumps every goroutine and ends the test binary if no
// spawn completes for stressStall. It returns when stop is closed.
func stressWatchdog(e *stressEnv, stop chan struct{}) chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		last, since := e.spawned.Load(), time.Now()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if n := e.spawned.Load(); n != last {
				last, since = n, time.Now()
				continue
			}
			if time.Since(since) > stressStall {
				buf := make([]byte, 8<<20)
				buf = buf[:runtime.Stack(buf, true)]
				fmt.Fprintf(os.Stderr, "TestStress: no spawn completed for %v; every goroutine:\n%s\n", stressStall, buf)
				panic("TestStress stalled")
			}
		}
	}()
	return done
}

// stressRun makes n spawns through impls from stressWorkers goroutines.
func stressRun(e *stressEnv, impls []stressImpl, n int, seed uint64) {
	var wg sync.WaitGroup
	for w := range stressWorkers {
		share := n / stressWorkers
		if w < n%stressWorkers {
			share++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Pdeathsig follows the spawning thread.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			stressWorker(e, impls, share, rand.New(rand.NewPCG(seed, uint64(w))))
		}()
	}
	wg.Wait()
}

// stressOwned is a worker's own descriptors, of several kinds, that Files
// lists: close-on-exec in the parent, as Go makes every descriptor.
type stressOwned struct {
	fds     []int
	targets map[int]string
	closers []io.Closer
}

func newStressOwned(e *stressEnv) *stressOwned {
	o := &stressOwned{targets: map[int]string{}}
	add := func(f *os.File, err error) {
		if err != nil {
			e.t.Error(err)
			return
		}
		o.closers = append(o.closers, f)
		o.fds = append(o.fds, int(f.Fd()))
	}
	add(os.Open("/dev/null"))
	add(os.CreateTemp(e.tmp, "file"))
	add(os.Open(e.tmp)) // a directory
	if r, w, err := os.Pipe(); err == nil {
		add(r, nil)
		o.closers = append(o.closers, w)
	}
	if sp, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0); err == nil {
		add(os.NewFile(uintptr(sp[0]), "socket"), nil)
		syscall.Close(sp[1])
	}
	o.fds = append(o.fds, 0, 1, 2)
	for _, fd := range o.fds {
		o.targets[fd] = fdTarget(fd)
	}
	return o
}

func (o *stressOwned) close() {
	for _, c := range o.closers {
		c.Close()
	}
}

func stressWorker(e *stressEnv, impls []stressImpl, n int, rng *rand.Rand) {
	owned := newStressOwned(e)
	defer owned.close()
	for i := range n {
		impl := impls[i%len(impls)]
		c := stressNewCase(e, owned, impl, rng)
		if err := stressSpawn(e, impl, c); err != nil {
			if e.mismatches.Add(1) <= 20 {
				e.t.Errorf("%s: %v\ncase: %+v", impl.name, err, c)
			}
		}
		e.spawned.Add(1)
	}
}

var stressFails = []stressFail{
	{"missing Dir", forkexec.StepChdir, syscall.ENOENT},
	{"missing program", forkexec.StepExec, syscall.ENOENT},
	{"program not executable", forkexec.StepExec, syscall.EACCES},
	{"Setpgid after Setsid", forkexec.StepSetpgid, syscall.EPERM},
	{"descriptor not open", forkexec.StepDup, syscall.EBADF},
}

// stressNewCase draws a spawn.
func stressNewCase(e *stressEnv, o *stressOwned, impl stressImpl, rng *rand.Rand) *stressCase {
	c := &stressCase{argv0: cprobePath, pidfd: -2}
	sys := &forkexec.SysProcAttr{}
	c.attr.Sys = sys
	// Files: descriptors of several kinds, repeated, and closed slots.
	const none = ^uintptr(0)
	files := make([]uintptr, rng.IntN(9))
	for i := range files {
		if rng.IntN(6) == 0 {
			files[i] = none
		} else {
			files[i] = uintptr(o.fds[rng.IntN(len(o.fds))])
		}
	}
	// Sometimes a descriptor in its own slot.
	if rng.IntN(4) == 0 {
		if fd := o.fds[rng.IntN(len(o.fds))]; fd < 32 {
			for len(files) <= fd {
				files = append(files, none)
			}
			files[fd] = uintptr(fd)
		}
	}
	c.report = rng.IntN(len(files) + 1)
	files = slices.Insert(files, c.report, 0) // the report pipe, set at spawn
	c.attr.Files = files
	for i, fd := range files {
		switch {
		case i == c.report:
			c.want = append(c.want, "")
		case fd == none:
			c.want = append(c.want, "")
		default:
			c.want = append(c.want, o.targets[int(fd)])
		}
	}
	c.wantCwd = e.cwd
	switch rng.IntN(3) {
	case 1:
		c.attr.Dir, c.wantCwd = "/", "/"
	case 2:
		c.attr.Dir, c.wantCwd = e.tmp, e.tmp
	}
	if rng.IntN(4) != 0 {
		c.attr.Env = []string{"STRESS=" + strconv.FormatUint(rng.Uint64(), 36), "PATH=/bin"}
	}
	switch rng.IntN(4) {
	case 0:
		c.setsid, sys.Setsid = true, true
	case 1:
		c.setpgid, sys.Setpgid = true, true
	}
	if rng.IntN(4) == 0 {
		sys.Pdeathsig = syscall.SIGKILL
	}
	if impl.extensions {
		c.reset = rng.IntN(3) == 0
		sys.ResetSignals = c.reset
		c.closeFDs = rng.IntN(3) == 0
		sys.CloseFDs = c.closeFDs
	}
	if e.userns != "" && rng.IntN(8) == 0 {
		c.userns = true
		sys.Cloneflags = syscall.CLONE_NEWUSER
		sys.UidMappings = []forkexec.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		sys.GidMappings = []forkexec.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
		if e.wideMaps && rng.IntN(2) == 0 {
			// Maps only the parent may write.
			wide := []forkexec.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1000}}
			sys.UidMappings, sys.GidMappings = wide, wide
		}
	}
	if rng.IntN(4) == 0 {
		sys.PidFD = &c.pidfd
	}
	if rng.IntN(8) == 0 {
		f := stressFails[rng.IntN(len(stressFails))]
		c.fail = &f
		switch f.name {
		case "missing Dir":
			c.attr.Dir = "/no/such/dir"
		case "missing program":
			c.argv0 = "/no/such/program"
		case "program not executable":
			c.argv0 = e.notExec
		case "Setpgid after Setsid":
			sys.Setsid, sys.Setpgid = true, true
		case "descriptor not open":
			c.attr.Files[rng.IntN(len(c.attr.Files))] = uintptr(e.notOpen)
		}
	}
	return c
}

// stressSpawn makes the spawn c through impl and checks what came of it.
func stressSpawn(e *stressEnv, impl stressImpl, c *stressCase) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	if c.fail == nil || c.attr.Files[c.report] != uintptr(e.notOpen) {
		c.attr.Files[c.report] = w.Fd()
	}
	pid, err := impl.spawn(c.argv0, []string{c.argv0, strconv.Itoa(c.report)}, &c.attr)
	w.Close()
	if c.fail != nil {
		return stressCheckFailure(e, impl, c, pid, err)
	}
	if err != nil {
		return fmt.Errorf("spawn: %v", err)
	}
	out, rerr := io.ReadAll(r)
	// Before the wait: a reaped child's pidfd no longer names its pid.
	pidfdErr := stressCheckPidFD(c, pid)
	ws, err := waitPid(pid)
	if err != nil {
		return err
	}
	if rerr != nil {
		return rerr
	}
	if !ws.Exited() || ws.ExitStatus() != 0 {
		return fmt.Errorf("cprobe: %s", describe(ws))
	}
	if err := stressCheck(e, impl, c, pid, parseCProbeOutput(out)); err != nil {
		return errors.Join(pidfdErr, err)
	}
	return pidfdErr
}

// stressCheckPidFD checks that the PidFD asked for is the child's, and
// closes it.
func stressCheckPidFD(c *stressCase, pid int) error {
	if c.attr.Sys.PidFD == nil {
		return nil
	}
	if c.pidfd < 0 {
		return fmt.Errorf("PidFD %d after a successful spawn", c.pidfd)
	}
	defer syscall.Close(c.pidfd)
	info, _ := os.ReadFile("/proc/self/fdinfo/" + strconv.Itoa(c.pidfd))
	if !strings.Contains(string(info), "\nPid:\t"+strconv.Itoa(pid)+"\n") {
		return fmt.Errorf("PidFD %d is not child %d's pidfd: %q", c.pidfd, pid, info)
	}
	return nil
}

func stressCheckFailure(e *stressEnv, impl stressImpl, c *stressCase, pid int, err error) error {
	if pid != 0 {
		return fmt.Errorf("planned failure %q: pid %d, want 0 (err %v)", c.fail.name, pid, err)
	}
	// Untouched, or -1 as the stdlib leaves it; never a descriptor.
	if c.pidfd != -2 && c.pidfd != -1 {
		return fmt.Errorf("planned failure %q: PidFD set to %d", c.fail.name, c.pidfd)
	}
	if impl.name == "Spawn" {
		var fe *forkexec.Error
		if !errors.As(err, &fe) || fe.Step != c.fail.step || fe.Errno != c.fail.errno {
			return fmt.Errorf("planned failure %q: %v, want step %v, %v", c.fail.name, err, c.fail.step, c.fail.errno)
		}
	} else if err != c.fail.errno {
		return fmt.Errorf("planned failure %q: %v (%T), want the bare %v", c.fail.name, err, err, c.fail.errno)
	}
	e.failures.Add(1)
	return nil
}

// stressCheck holds a child's report against what c asked for.
func stressCheck(e *stressEnv, impl stressImpl, c *stressCase, pid int, rep *cprobeReport) error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	for i, want := range c.want {
		if i == c.report {
			continue
		}
		got, open := rep.fds[i]
		switch {
		case want == "" && open:
			bad("fd %d open (%s), want closed", i, got.Target)
		case want != "" && (!open || got.Target != want || got.Cloexec):
			bad("fd %d = %+v (open %v), want %s without close-on-exec", i, got, open, want)
		}
	}
	for fd, got := range rep.fds {
		if fd < len(c.want) {
			continue
		}
		switch {
		case fd < 3:
			bad("fd %d open (%s), want closed: Files has only %d", fd, got.Target, len(c.want))
		case c.closeFDs:
			bad("fd %d open (%s) with CloseFDs", fd, got.Target)
		case got.Target == e.churnPath || e.baseline[fd] == got.Target:
			// Inherited, as it had no close-on-exec.
		case impl.stdlib && stdlibIDMapFile.MatchString(got.Target):
			// The stdlib's parent writes a child's uid_map, gid_map and
			// setgroups through descriptors opened without close-on-exec
			// and outside ForkLock, so they leak into children spawned at
			// that moment; forkexec's parent opens them close-on-exec.
			e.stdlibIDMapLeaks.Add(1)
		default:
			bad("fd %d leaked into the child (%+v): not in Files, close-on-exec in the parent", fd, got)
		}
	}
	if rep.cwd != c.wantCwd {
		bad("cwd %q, want %q", rep.cwd, c.wantCwd)
	}
	if !slices.Equal(rep.env, c.attr.Env) && (len(rep.env) != 0 || len(c.attr.Env) != 0) {
		bad("env %q, want %q", rep.env, c.attr.Env)
	}
	wantPgid, wantSid := e.pgid, e.sid
	if c.setsid {
		wantPgid, wantSid = pid, pid
	} else if c.setpgid {
		wantPgid = pid
	}
	if rep.ids != [4]int{pid, os.Getpid(), wantPgid, wantSid} {
		bad("pid, ppid, pgid, sid %v, want %v", rep.ids, [4]int{pid, os.Getpid(), wantPgid, wantSid})
	}
	if rep.pdeathsig != int(c.attr.Sys.Pdeathsig) {
		bad("pdeathsig %d, want %d", rep.pdeathsig, c.attr.Sys.Pdeathsig)
	}
	if c.reset && (rep.sigBlk != 0 || rep.sigIgn != 0) {
		bad("ResetSignals: SigBlk %#x SigIgn %#x, want 0 and 0", rep.sigBlk, rep.sigIgn)
	}
	if !c.reset && rep.sigIgn != e.sigIgn {
		bad("SigIgn %#x, want the parent's %#x", rep.sigIgn, e.sigIgn)
	}
	if c.userns == (rep.userns == e.userns) && e.userns != "" {
		bad("user namespace %s (the parent's: %s), asked for a new one: %v", rep.userns, e.userns, c.userns)
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}
