package suite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/forkexec/forkexec/conformance/probe"
	"golang.org/x/sys/unix"
)

// Scenario is one fork/exec situation: a ProcAttr/SysProcAttr
// combination, perhaps with parent state, run through the implementation
// under test and (unless it has Expect) through the stdlib, whose
// outcomes are then compared field by field. Register one with
// [Register]; the package documentation shows how.
type Scenario struct {
	// Name is a short unique identifier (the table's row label).
	Name string
	// Group is the topic ("files", "env", "ns", "extension", ...).
	Group string
	// Doc says what the scenario does.
	Doc string
	// Setup prepares one run: it changes c.Argv0, c.Argv, c.Attr (which
	// start as a plain run of the probe) and c.Ext, and parent state,
	// registering undo functions with c.Defer. It returns c.Skip(...)
	// to skip the run.
	Setup func(c *Ctx) error
	// Expect, if set, judges the implementation under test alone
	// against a documented expectation instead of comparing it with the
	// stdlib: it returns the expectations f (the child's outcome) does
	// not meet. Scenarios of extensions have one.
	Expect func(c *Ctx, f Fields) []string
	// Ext asks for extensions (each set field needs its feature); a
	// Setup may also set c.Ext.
	Ext Ext
	// Needs lists features the implementation must have besides those
	// Ext asks for (for a scenario about an extension switched off).
	Needs []Feature
	// NeedsRoot: the scenario only means something as root (it sets
	// credentials or changes the worker's ids); otherwise not run.
	NeedsRoot bool
	// NeedsStatic: the scenario needs a static probe (chroot).
	NeedsStatic bool
	// NotUnderQemu, if set, is why the scenario is not run under
	// qemu-user.
	NotUnderQemu string
	// Isolated scenarios change process-wide or thread state; each
	// implementation then runs alone in a fresh worker process. A
	// scenario that is not Isolated must leave no state behind.
	Isolated bool
	// SoftNofile, if non-zero, starts the isolated worker with this soft
	// RLIMIT_NOFILE (capped at the hard limit).
	SoftNofile uint64
	// KeepNofile stops the worker from pinning RLIMIT_NOFILE with
	// syscall.Setrlimit at start-up (that pin hides the documented
	// rlimit difference of forkexec everywhere else).
	KeepNofile bool
}

// Compared reports whether the scenario is judged by comparison with
// the stdlib (it has no Expect).
func (s *Scenario) Compared() bool { return s.Expect == nil }

// features lists what s needs of an implementation before Setup runs.
func (s *Scenario) features() []Feature { return append(s.Ext.Features(), s.Needs...) }

// Fields is a flattened, normalized outcome: field name to value.
type Fields map[string]string

var (
	registryMu sync.Mutex
	registry   []*Scenario
)

// Register adds scenarios to the suite, in order. It panics on a
// duplicate or unnamed scenario, or one without Setup, so that a mistake
// shows at start-up. Call it from an init function (the workers are the
// same program started again and look scenarios up by name).
func Register(ss ...Scenario) {
	registryMu.Lock()
	defer registryMu.Unlock()
	for _, s := range ss {
		if s.Name == "" || s.Setup == nil || s.Doc == "" {
			panic(fmt.Sprintf("conformance: scenario %q needs Name, Doc and Setup", s.Name))
		}
		for _, o := range registry {
			if o.Name == s.Name {
				panic("conformance: scenario " + s.Name + " registered twice")
			}
		}
		s := s
		registry = append(registry, &s)
	}
}

// Scenarios returns every registered scenario in registration order.
func Scenarios() []*Scenario {
	registryMu.Lock()
	defer registryMu.Unlock()
	return append([]*Scenario(nil), registry...)
}

// Lookup returns the scenario named name, or nil.
func Lookup(name string) *Scenario {
	for _, s := range Scenarios() {
		if s.Name == name {
			return s
		}
	}
	return nil
}

type skipError struct{ reason string }

func (e *skipError) Error() string { return "skip: " + e.reason }

// Ctx is the context of one run of one scenario with one implementation.
type Ctx struct {
	// W is the worker running the scenario.
	W *Worker
	// Impl is the implementation being run.
	Impl Impl
	// Run is this run's probe directory.
	Run *probe.Run
	// Argv0, Argv and Attr are passed to ForkExec.
	Argv0 string
	Argv  []string
	Attr  *syscall.ProcAttr
	// Ext asks the implementation for extensions (it starts as the
	// scenario's Ext).
	Ext Ext
	// Err is what the start returned, once the child has been started.
	Err error
	// Wait, if set, replaces the default wait for the child (which
	// kills it after a timeout).
	Wait func(pid int) (syscall.WaitStatus, error)
	// After, if set, runs once the child is reaped, to add parent-side
	// observations to the outcome.
	After func(pid int, f Fields)
	// Exec, if set, replaces the whole start/wait/read sequence
	// ([Ctx.ExecProbe]), for a scenario that starts several children.
	Exec func(c *Ctx) Fields

	names    map[int64]string
	repl     [][2]string
	ttyNr    int64
	cleanups []func()

	//lint:ignore U1000 the run's cgroup exists on Linux only (cgroupDir, flattenOS)
	cgroup string
}

// Skip returns the error a Setup returns to skip the scenario.
func (c *Ctx) Skip(format string, args ...any) error {
	return &skipError{fmt.Sprintf(format, args...)}
}

// Sys returns c.Attr.Sys, allocating it if nil.
func (c *Ctx) Sys() *syscall.SysProcAttr {
	if c.Attr.Sys == nil {
		c.Attr.Sys = &syscall.SysProcAttr{}
	}
	return c.Attr.Sys
}

// Defer registers f to undo parent state after the run (LIFO).
func (c *Ctx) Defer(f func()) { c.cleanups = append(c.cleanups, f) }

// NamePid makes the normalizer print pid as name.
func (c *Ctx) NamePid(pid int, name string) { c.names[int64(pid)] = name }

// Replace makes the normalizer replace old with new in paths.
func (c *Ctx) Replace(old, new string) { c.repl = append(c.repl, [2]string{old, new}) }

func (c *Ctx) cleanup() {
	for i := len(c.cleanups) - 1; i >= 0; i-- {
		c.cleanups[i]()
	}
	c.cleanups = nil
}

// Open opens path and returns its descriptor, closed after the run.
func (c *Ctx) Open(path string, flag int, perm uint32) (uintptr, error) {
	fd, err := syscall.Open(path, flag|syscall.O_CLOEXEC, perm)
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	c.Defer(func() { syscall.Close(fd) })
	return uintptr(fd), nil
}

// MustOpen is Open that panics (the scenario then errors).
func (c *Ctx) MustOpen(path string, flag int, perm uint32) uintptr {
	fd, err := c.Open(path, flag, perm)
	if err != nil {
		panic(err)
	}
	return fd
}

// File creates a file named name in the run directory, opened read-write,
// so that its path identifies it in the probe's fd report.
func (c *Ctx) File(name string) uintptr {
	return c.MustOpen(filepath.Join(c.Run.Dir, name), syscall.O_RDWR|syscall.O_CREAT, 0o666)
}

// Pipe returns a pipe's read and write ends (close-on-exec in the parent).
func (c *Ctx) Pipe() (r, w uintptr) {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		panic(err)
	}
	c.Defer(func() { syscall.Close(p[0]); syscall.Close(p[1]) })
	return uintptr(p[0]), uintptr(p[1])
}

// Std returns three descriptors for the child's 0, 1, 2: /dev/null for
// reading, and two for writing.
func (c *Ctx) Std() []uintptr {
	return []uintptr{
		c.MustOpen("/dev/null", syscall.O_RDONLY, 0),
		c.MustOpen("/dev/null", syscall.O_WRONLY, 0),
		c.MustOpen("/dev/null", syscall.O_WRONLY, 0),
	}
}

// Pty is a pseudo-terminal pair opened with /dev/ptmx.
type Pty struct {
	Master, Slave int
	Name          string
	TTYNr         int64 // the slave's device as the probe reports the controlling terminal (tty_nr)
}

// OpenPty opens a new pty (both ends close-on-exec, slave with O_NOCTTY
// unless ctty is true) and registers it with the normalizer as $PTY.
func (c *Ctx) OpenPty(ctty bool) (*Pty, error) {
	m, name, err := openPtyMaster()
	if err != nil {
		return nil, err
	}
	c.Defer(func() { unix.Close(m) })
	flags := unix.O_RDWR | unix.O_CLOEXEC
	if !ctty {
		flags |= unix.O_NOCTTY
	}
	s, err := unix.Open(name, flags, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	c.Defer(func() { unix.Close(s) })
	var st unix.Stat_t
	if err := unix.Fstat(s, &st); err != nil {
		return nil, err
	}
	p := &Pty{Master: m, Slave: s, Name: name, TTYNr: ttyNr(uint64(st.Rdev))}
	c.ttyNr = p.TTYNr
	c.Replace(name, "$PTY")
	return p, nil
}

// newCtx prepares a default run: the probe with argv {"probe", "x"}, a
// one-variable environment and /dev/null on 0, 1, 2.
func (w *Worker) newCtx(impl Impl) (*Ctx, error) {
	run, err := w.Probe.NewRun(w.Base)
	if err != nil {
		return nil, err
	}
	c := &Ctx{W: w, Impl: impl, Run: run, names: map[int64]string{}}
	c.Defer(run.Remove)
	c.Replace(run.Dir, "$RUN")
	c.Replace(w.Base, "$BASE")
	c.Replace(filepath.Base(run.Dir), "$RUN") // relative to the worker's cwd, Base
	c.Argv0 = run.Exe
	c.Argv = []string{"probe", "x"}
	c.Attr = &syscall.ProcAttr{Env: []string{"FXCONF=1"}, Files: c.Std()}
	return c, nil
}

// runImpl runs scenario s once with impl on a locked OS thread. An
// Isolated scenario's thread is discarded afterwards (the goroutine exits
// locked), so thread state it set, such as the signal mask, dies with it;
// other scenarios leave no thread state and hand their thread back.
//
// Handing it back matters under qemu-user: a guest thread's exit (and
// creation) holds qemu's clone_lock, which qemu does not take around a
// fork, so a child forked meanwhile inherits it locked and deadlocks in
// exit(2) when its exec fails. A worker that discarded a thread per run
// lost a child that way every few dozen runs.
func (w *Worker) runImpl(s *Scenario, impl Impl) (rec Record) {
	rec = Record{Scenario: s.Name, Impl: impl.Name()}
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		if !s.Isolated {
			defer runtime.UnlockOSThread()
		}
		before := countFDs()
		c, err := w.newCtx(impl)
		if err != nil {
			rec.Error = err.Error()
			return
		}
		c.Ext = s.Ext
		func() {
			defer c.cleanup()
			defer func() {
				if r := recover(); r != nil {
					rec.Error = fmt.Sprintf("panic: %v", r)
				}
			}()
			if err := s.Setup(c); err != nil {
				var se *skipError
				if errors.As(err, &se) {
					rec.Skip = se.reason
				} else {
					rec.Error = "setup: " + err.Error()
				}
				return
			}
			if f := lacking(impl, c.Ext.Features()); f != "" {
				rec.NotApplicable = notApplicable(impl, f)
				return
			}
			var f Fields
			if c.Exec != nil {
				f = c.Exec(c)
			} else {
				f = c.ExecProbe()
			}
			if s.Expect != nil {
				rec.Violations = s.Expect(c, f)
				if rec.Violations == nil {
					rec.Violations = []string{}
				}
			}
			rec.Fields = f
		}()
		if rec.Fields != nil {
			rec.Fields["parent.fd_leak"] = strconv.Itoa(countFDs() - before)
		}
		c.maskRecord(&rec)
	}()
	<-done
	return rec
}

func notApplicable(impl Impl, f Feature) string {
	return fmt.Sprintf("%s lacks %s", impl.Name(), f)
}

// ExecProbe starts the child through the implementation (with c.Ext's
// extensions), waits for it (c.Wait), runs c.After and reads the probe's
// report: the default run, which an Exec hook may call.
func (c *Ctx) ExecProbe() Fields {
	var pid int
	var err error
	if x, ok := c.Impl.(Extended); ok && len(c.Ext.Features()) > 0 {
		pid, err = x.ForkExecExt(c.Argv0, c.Argv, c.Attr, c.Ext)
	} else {
		pid, err = c.Impl.ForkExec(c.Argv0, c.Argv, c.Attr)
	}
	c.Err = err
	f := Fields{"error": DescribeError(err)}
	if err != nil {
		return f
	}
	c.NamePid(pid, "$child")
	wait := c.Wait
	if wait == nil {
		wait = func(pid int) (syscall.WaitStatus, error) { return WaitTimeout(pid, 30*time.Second) }
	}
	ws, werr := wait(pid)
	if werr != nil {
		f["exit"] = "wait: " + werr.Error()
	} else {
		f["exit"] = describeWait(ws)
	}
	if c.After != nil {
		c.After(pid, f)
	}
	rep, rerr := c.Run.Read()
	if rerr != nil {
		f["report"] = "missing"
		return f
	}
	c.flatten(rep, f, "")
	return f
}

// WaitTimeout reaps pid, killing it if it has not exited within d.
func WaitTimeout(pid int, d time.Duration) (syscall.WaitStatus, error) {
	t := time.AfterFunc(d, func() { syscall.Kill(pid, syscall.SIGKILL) })
	defer t.Stop()
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &ws, waitAll, nil)
		if err == syscall.EINTR {
			continue
		}
		return ws, err
	}
}

func describeWait(ws syscall.WaitStatus) string {
	switch {
	case ws.Exited():
		return fmt.Sprintf("exit %d", ws.ExitStatus())
	case ws.Signaled():
		return "signal " + unix.SignalName(ws.Signal())
	case ws.Stopped():
		return "stopped " + unix.SignalName(ws.StopSignal())
	}
	return fmt.Sprintf("status %#x", int(ws))
}

// DescribeError renders an error for comparison: errno name and number
// for a syscall.Errno, else its dynamic type and message.
func DescribeError(err error) string {
	if err == nil {
		return "none"
	}
	if e, ok := err.(syscall.Errno); ok {
		return fmt.Sprintf("%s (errno %d: %s)", unix.ErrnoName(e), int(e), e.Error())
	}
	return fmt.Sprintf("%T: %s", err, err.Error())
}

var (
	inodeRE = regexp.MustCompile(`^(pipe|socket|net|mnt|ipc|uts|pid|user|cgroup|time):\[\d+\]$`)
	ptsRE   = regexp.MustCompile(`^/dev/pts/\d+$`)
)

func (c *Ctx) pid(rep *probe.Report, v int64) string {
	if v > 0 && v == int64(rep.Pid) {
		return "$child"
	}
	if n, ok := c.names[v]; ok {
		return n
	}
	if n, ok := parentPidName(v); ok {
		return n
	}
	if v <= 1 {
		return strconv.FormatInt(v, 10)
	}
	return "$other"
}

func (c *Ctx) path(s string) string {
	for _, r := range c.repl {
		if s == r[0] || strings.HasPrefix(s, r[0]+"/") {
			return r[1] + s[len(r[0]):]
		}
	}
	if inodeRE.MatchString(s) {
		return s[:strings.IndexByte(s, ':')] + ":[*]"
	}
	if ptsRE.MatchString(s) {
		return "/dev/pts/*"
	}
	return s
}

// maskRecord replaces the run's per-run paths (its run directory, the
// worker's directory, a pty's name) with their placeholders wherever they
// occur in rec's fields, violations and error, such as in an error
// message naming a path in the run directory: what a run records is then
// the same from one run to the next, so that two runs on one machine
// compare equal (-compare), and the table, JSON and HTML show the masked
// form. Whole-path values were masked already (path); a name relative to
// the worker's directory is masked only there, as a whole value.
func (c *Ctx) maskRecord(rec *Record) {
	for k, v := range rec.Fields {
		rec.Fields[k] = c.maskText(v)
	}
	for i, v := range rec.Violations {
		rec.Violations[i] = c.maskText(v)
	}
	rec.Error = c.maskText(rec.Error)
}

// maskText replaces each absolute path registered with Replace where it
// occurs in s as a whole path or a prefix of one (followed by the end, a
// slash or a character that cannot continue a file name here).
func (c *Ctx) maskText(s string) string {
	for _, r := range c.repl {
		if !strings.HasPrefix(r[0], "/") || !strings.Contains(s, r[0]) {
			continue
		}
		var b strings.Builder
		rest := s
		for {
			i := strings.Index(rest, r[0])
			if i < 0 {
				b.WriteString(rest)
				break
			}
			end := i + len(r[0])
			if end == len(rest) || !isNameByte(rest[end]) {
				b.WriteString(rest[:i])
				b.WriteString(r[1])
			} else {
				b.WriteString(rest[:end])
			}
			rest = rest[end:]
		}
		s = b.String()
	}
	return s
}

func isNameByte(b byte) bool {
	return b == '.' || b == '-' || b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

func (c *Ctx) flatten(rep *probe.Report, f Fields, prefix string) {
	set := func(k, v string) { f[prefix+k] = v }
	for i, a := range rep.Argv {
		set(fmt.Sprintf("argv[%d]", i), strconv.Quote(a))
	}
	set("argv.len", strconv.Itoa(len(rep.Argv)))
	for i, e := range rep.Env {
		set(fmt.Sprintf("env[%d]", i), strconv.Quote(truncate(e, 60)))
	}
	set("env.len", strconv.Itoa(len(rep.Env)))
	set("execfn", c.path(rep.Execfn))
	set("cwd", c.path(rep.Cwd))
	set("root", c.path(rep.Root))
	set("uid", fmt.Sprint(rep.UID))
	set("gid", fmt.Sprint(rep.GID))
	set("groups", fmt.Sprint(rep.Groups))
	set("pid", c.pid(rep, int64(rep.Pid)))
	set("ppid", c.pid(rep, int64(rep.Ppid)))
	set("pgid", c.pid(rep, int64(rep.Pgid)))
	set("sid", c.pid(rep, int64(rep.Sid)))
	switch {
	case rep.TTYNr == 0:
		set("ctty", "none")
	case rep.TTYNr == c.ttyNr:
		set("ctty", "$PTY")
	default:
		set("ctty", "other")
	}
	set("ctty.tpgid", c.pid(rep, rep.Tpgid))
	if rep.DevTTY {
		set("devtty", "pgrp "+c.pid(rep, int64(rep.DevTTYPgrp)))
	} else {
		set("devtty", "errno "+unix.ErrnoName(syscall.Errno(rep.DevTTYErrno)))
	}
	masks := map[string]uint64{}
	for k, v := range rep.Signals {
		masks[k], _ = strconv.ParseUint(v, 16, 64)
	}
	for sig := 1; sig <= 64; sig++ {
		bit := uint64(1) << (sig - 1)
		d := "dfl"
		if masks["SigIgn"]&bit != 0 {
			d = "ign"
		} else if masks["SigCgt"]&bit != 0 {
			d = "caught"
		}
		if masks["SigBlk"]&bit != 0 {
			d += "+blocked"
		}
		if (masks["SigPnd"]|masks["ShdPnd"])&bit != 0 {
			d += "+pending"
		}
		set("sig."+sigName(sig), d)
	}
	for k, v := range rep.Status {
		if k == "TracerPid" {
			n, _ := strconv.ParseInt(v, 10, 64)
			v = c.pid(rep, n)
			// The tracer is the thread that spawned: the parent's main
			// thread or any other of its threads, by the luck of the
			// scheduler. Either is the parent.
			if _, err := os.Stat("/proc/self/task/" + strconv.FormatInt(n, 10)); n > 0 && err == nil {
				v = "$parent"
			}
		}
		set("status."+k, v)
	}
	set("pdeathsig", sigName(rep.Pdeathsig))
	set("no_new_privs", strconv.Itoa(rep.NoNewPrivs))
	for k, v := range rep.Rlimits {
		set("rlimit."+k, v[0]+"/"+v[1])
	}
	for _, fd := range rep.FDs {
		v := fmt.Sprintf("%s cloexec=%v flags=%#o", c.path(fd.Target), fd.Cloexec, fd.Flags)
		if fd.TTY {
			v += " tty tcgetpgrp=" + c.pid(rep, int64(fd.Tcgetpgrp))
		}
		set(fmt.Sprintf("fd.%d", fd.FD), v)
	}
	set("fd.count", strconv.Itoa(len(rep.FDs)))
	set("hostname", rep.Hostname)
	c.flattenOS(rep, set)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s...(%d bytes)", s[:n], len(s))
}

func sigName(sig int) string {
	if sig == 0 {
		return "0"
	}
	if sig > 0 && sig < len(hostSigNames) {
		return hostSigNames[sig]
	}
	return "SIG" + strconv.Itoa(sig)
}
