package suite

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/forkexec/forkexec/conformance/probe"
	"github.com/forkexec/forkexec/internal/targets"
)

// Status is the verdict for one scenario on one architecture.
type Status string

// The verdicts.
const (
	Same          Status = "same"    // outcomes identical after masking
	Differs       Status = "DIFFERS" // differs where it must not
	Known         Status = "known"   // differs only where documented
	NotRun        Status = "not run" // skipped, with a reason
	NotApplicable Status = "n/a"     // the implementation lacks a feature the scenario needs
	Pass          Status = "ok"      // meets its documented expectation
	Fail          Status = "FAIL"    // misses its documented expectation
	Error         Status = "ERROR"   // the harness could not get an outcome
)

// Bad reports whether the status makes the run fail.
func (s Status) Bad() bool { return s == Differs || s == Fail || s == Error }

// Ran reports whether the status is a verdict on an outcome.
func (s Status) Ran() bool { return s == Same || s == Differs || s == Known || s == Pass || s == Fail }

// Diff is one differing field.
type Diff struct {
	Field string `json:"field"`
	Ref   string `json:"ref"`             // the stdlib's value
	Impl  string `json:"impl"`            // the implementation under test's value
	Known string `json:"known,omitempty"` // documented reason, if known
}

// Result is the verdict for one scenario on one architecture.
type Result struct {
	Scenario string `json:"scenario"`
	Group    string `json:"group"`
	Arch     string `json:"arch"`
	Status   Status `json:"status"`
	Reason   string `json:"reason,omitempty"`
	Diffs    []Diff `json:"diffs,omitempty"`
	// Fields is the implementation under test's outcome, kept so that a
	// later run can be compared with this one field by field.
	Fields Fields `json:"fields,omitempty"`
}

// Judge judges a scenario from its records: ref (the stdlib's) and ut
// (that of impl, the implementation under test) for compared scenarios;
// ref is ignored for scenarios with Expect.
func Judge(s *Scenario, arch string, ref, ut Record, impl Impl) Result {
	r := Result{Scenario: s.Name, Group: s.Group, Arch: arch}
	recs := []Record{ut}
	if s.Compared() {
		recs = []Record{ref, ut}
	}
	for _, rec := range recs {
		if rec.Error != "" {
			r.Status, r.Reason = Error, rec.Impl+": "+rec.Error
			return r
		}
	}
	if ut.NotApplicable != "" {
		r.Status, r.Reason = NotApplicable, ut.NotApplicable
		return r
	}
	for _, rec := range recs {
		if rec.Skip != "" {
			r.Status, r.Reason = NotRun, rec.Skip
			return r
		}
	}
	r.Fields = ut.Fields
	if !s.Compared() {
		if len(ut.Violations) > 0 {
			r.Status, r.Reason = Fail, strings.Join(ut.Violations, "; ")
		} else {
			r.Status = Pass
		}
		return r
	}
	doc, _ := impl.(Documented)
	unknown := false
	for _, fc := range diffFields(ref.Fields, ut.Fields) {
		k, b := fc.Field, fc.New
		d := Diff{Field: k, Ref: fc.Old, Impl: b}
		if k == "parent.fd_leak" && b == "0" {
			d.Known = "the stdlib leaks descriptors in the parent here; the implementation under test does not"
		}
		if doc != nil {
			if why := doc.KnownDifference(s.Name, k); why != "" {
				d.Known = why
			}
		}
		if d.Known == "" {
			unknown = true
		}
		r.Diffs = append(r.Diffs, d)
	}
	switch {
	case len(r.Diffs) == 0:
		r.Status = Same
	case unknown:
		r.Status = Differs
	default:
		r.Status = Known
	}
	return r
}

// diffFields lists the fields where a and b differ, in name order, with
// "(absent)" for a field one of them lacks.
func diffFields(a, b Fields) []FieldChange {
	var out []FieldChange
	for _, k := range unionKeys(a, b) {
		x, xok := a[k]
		y, yok := b[k]
		if xok == yok && x == y {
			continue
		}
		if !xok {
			x = "(absent)"
		}
		if !yok {
			y = "(absent)"
		}
		out = append(out, FieldChange{Field: k, Old: x, New: y})
	}
	return out
}

func unionKeys(a, b Fields) []string {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Config says what Run does. The zero Config runs every scenario natively
// against the default implementation.
type Config struct {
	// Arches lists the columns: Linux GOARCH values ("host" or the
	// host's GOARCH runs natively, others under qemu-user) and
	// "freebsd" (native on a FreeBSD host, where it is "host"; not run
	// on Linux). Empty means the host only.
	Arches []string
	// UnderTest names the implementation under test (see RegisterImpl);
	// empty means DefaultUnderTest().
	UnderTest string
	// Filter, if set, selects scenarios by name.
	Filter *regexp.Regexp
	// Package is the import path of the program cross-compiled as the
	// worker for emulated arches, built in the current directory. Empty
	// means this program's main package, from its build information
	// (for a test binary, its package, built with go test -c).
	Package string
	// QemuDir, if set, is the directory holding the qemu-user binaries;
	// otherwise they are looked up in $PATH.
	QemuDir string
	// Parallel bounds concurrently running worker processes (default 3).
	Parallel int
	// Log, if set, receives progress lines.
	Log func(format string, args ...any)
}

// ErrUsage is wrapped by the errors Run returns for a Config that cannot
// run: an unknown arch or implementation, a Filter matching no scenario.
var ErrUsage = errors.New("usage")

// Arch is one column of the table.
type Arch struct {
	// GOARCH of the column ("freebsd" for the FreeBSD column).
	Name string
	// Qemu lists the qemu-user binary names tried in turn: Debian's
	// qemu-user (10.0, bookworm-backports and later) has plain names,
	// its qemu-user-static package before 10.0 "-static" ones.
	Qemu []string
}

// Arches is every column "-arch all" stands for, in table order: the
// linux targets of internal/targets/targets.txt, then FreeBSD.
var Arches = allArches()

// qemuNames maps GOARCH to the name qemu-user gives the CPU.
var qemuNames = map[string]string{
	"amd64": "x86_64", "arm64": "aarch64", "386": "i386", "arm": "arm", "riscv64": "riscv64",
	"ppc64le": "ppc64le", "s390x": "s390x", "loong64": "loongarch64", "mips64le": "mips64el",
}

func allArches() []Arch {
	var as []Arch
	for _, goarch := range targets.Arches("linux") {
		a := Arch{Name: goarch}
		if q, ok := qemuNames[goarch]; ok {
			a.Qemu = []string{"qemu-" + q, "qemu-" + q + "-static"}
		}
		as = append(as, a)
	}
	return append(as, Arch{Name: FreeBSD})
}

// FreeBSD is the name of the FreeBSD column. It runs natively on a
// FreeBSD host (where it is the host column); on a Linux host it says so
// rather than being left out, as the Linux columns do on FreeBSD.
const FreeBSD = "freebsd"

// freeBSDReason is the FreeBSD column's explanation on Linux.
const freeBSDReason = "no FreeBSD host (on FreeBSD, go run ./conformance runs this column: see README)"

// linuxReason is a Linux column's explanation on FreeBSD.
const linuxReason = "no Linux host (the Linux columns run on Linux, natively or under qemu-user)"

// foreign reports whether column arch is of another system than this
// one: never run here, by design.
func foreign(arch string) bool { return (arch == FreeBSD) != (runtime.GOOS == "freebsd") }

// AllArches is the list of column names "-arch all" stands for.
func AllArches() []string {
	var n []string
	for _, a := range Arches {
		n = append(n, a.Name)
	}
	return n
}

func lookupArch(name string) (Arch, bool) {
	for _, a := range Arches {
		if a.Name == name {
			return a, true
		}
	}
	return Arch{}, false
}

// Environment describes where a run was made.
type Environment struct {
	// Kernel is the probe's uname: system, release, machine.
	Kernel string `json:"kernel"`
	// Libc is the C library the probe was built against.
	Libc string `json:"libc"`
	// Go is the toolchain version of the driver (and its workers).
	Go string `json:"go"`
	// Qemu maps each emulated arch to its qemu-user version.
	Qemu map[string]string `json:"qemu,omitempty"`
	// Date is when the run started (UTC, RFC 3339).
	Date string `json:"date"`
}

// Outcome is the result of a Run. Its JSON (the command's -json, read
// back by [ReadOutcome]) is described at [RecordFormat]: the fields a
// scenario's outcome has on most arches are written once.
type Outcome struct {
	// Arches in column order.
	Arches []string `json:"arches"`
	// Results, scenario-major in registration order.
	Results []Result `json:"results"`
	// Probe describes how the probe was built.
	Probe string `json:"probe"`
	// UnderTest names the implementation under test.
	UnderTest string `json:"under_test"`
	// Env describes the machine.
	Env Environment `json:"env"`
}

// Bad reports whether any result makes the run fail.
func (o *Outcome) Bad() bool {
	for _, r := range o.Results {
		if r.Status.Bad() {
			return true
		}
	}
	return false
}

// EmptyColumns lists the columns where no scenario ran (every result is
// not run, not applicable or an error), except the columns of another
// system (the FreeBSD column on a Linux host, the Linux columns on
// FreeBSD), which cannot run by design, as long as some other column
// ran: a table where nothing ran at all lists every column.
func (o *Outcome) EmptyColumns() []string {
	ran := map[string]bool{}
	for _, r := range o.Results {
		if r.Status.Ran() {
			ran[r.Arch] = true
		}
	}
	var empty []string
	for _, a := range o.Arches {
		if !ran[a] && (!foreign(a) || len(ran) == 0) {
			empty = append(empty, a)
		}
	}
	return empty
}

// Run runs the selected scenarios on every arch and compares the
// outcomes. It builds the C probe with the machine's cc and starts the
// workers: this same program again (cross-compiled for emulated arches),
// which, finding the worker variable in its environment, does its part
// in its own call of Run and exits there. Register implementations and
// scenarios in init functions so that the workers have them too.
func Run(ctx context.Context, cfg Config) (*Outcome, error) {
	if spec, ok := os.LookupEnv(workerEnv); ok {
		var ws workerSpec
		if err := json.Unmarshal([]byte(spec), &ws); err != nil {
			fmt.Fprintf(os.Stderr, "conformance worker: bad %s: %v\n", workerEnv, err)
			os.Exit(2)
		}
		os.Exit(workerMain(ws))
	}
	logf := cfg.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 3
	}
	if cfg.UnderTest == "" {
		cfg.UnderTest = DefaultUnderTest()
	}
	ut, ok := LookupImpl(cfg.UnderTest)
	if !ok {
		return nil, fmt.Errorf("%w: unknown implementation %q (have %v)", ErrUsage, cfg.UnderTest, ImplNames())
	}
	var arches []string
	for _, a := range cfg.Arches {
		if a == "host" {
			a = HostArch()
		}
		if _, ok := lookupArch(a); !ok {
			return nil, fmt.Errorf("%w: unknown arch %q (have %s)", ErrUsage, a, strings.Join(AllArches(), ","))
		}
		if slices.Contains(arches, a) {
			return nil, fmt.Errorf("%w: arch %s given twice", ErrUsage, a)
		}
		arches = append(arches, a)
	}
	if len(arches) == 0 {
		arches = []string{HostArch()}
	}
	var scen []*Scenario
	for _, s := range Scenarios() {
		if cfg.Filter == nil || cfg.Filter.MatchString(s.Name) {
			scen = append(scen, s)
		}
	}
	if len(scen) == 0 {
		return nil, fmt.Errorf("%w: no scenario matches %v", ErrUsage, cfg.Filter)
	}
	tmp, err := os.MkdirTemp("", "fxconf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	os.Chmod(tmp, 0o755)
	p, err := probe.Build(tmp)
	if err != nil {
		return nil, err
	}
	logf("probe: %s", p.Note)
	out := &Outcome{Arches: arches, Probe: p.Note, UnderTest: cfg.UnderTest,
		Env: hostEnvironment(p, tmp)}
	results := make(map[string]map[string]Result) // arch -> scenario -> result
	var mu sync.Mutex
	sem := make(chan struct{}, cfg.Parallel)
	var wg sync.WaitGroup
	ref := Stdlib.Name()
	for _, arch := range arches {
		res := map[string]Result{}
		results[arch] = res
		var todo []*Scenario
		for _, s := range scen {
			// Decided here, without a worker: what the implementation
			// lacks for the scenario (a Setup may still ask for more).
			if f := lacking(ut, s.features()); f != "" {
				res[s.Name] = Result{Scenario: s.Name, Group: s.Group, Arch: arch, Status: NotApplicable, Reason: notApplicable(ut, f)}
				continue
			}
			todo = append(todo, s)
		}
		w, why, buildErr := cfg.worker(ctx, arch, tmp, logf)
		if w.qemuVersion != "" {
			if out.Env.Qemu == nil {
				out.Env.Qemu = map[string]string{}
			}
			out.Env.Qemu[arch] = w.qemuVersion
		}
		if why != "" {
			st := NotRun
			if buildErr {
				st = Error
			}
			for _, s := range todo {
				res[s.Name] = Result{Scenario: s.Name, Group: s.Group, Arch: arch, Status: st, Reason: why}
			}
			continue
		}
		timeout := 5 * time.Minute
		if w.emulated {
			timeout = 10 * time.Minute
		}
		run := func(list []*Scenario, impls []string, s0 *Scenario) map[string]Record {
			sem <- struct{}{}
			defer func() { <-sem }()
			spec := workerSpec{Probe: p.Path, Static: p.Static, Impls: impls, Emulated: w.emulated, PinNofile: true}
			for _, s := range list {
				spec.Scenarios = append(spec.Scenarios, s.Name)
			}
			args := w.argv
			if s0 != nil && s0.KeepNofile {
				spec.PinNofile = false
			}
			if s0 != nil && s0.SoftNofile > 0 {
				n := s0.SoftNofile
				var rl syscall.Rlimit
				if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil && rlimitMax(rl) <= n {
					n = rlimitMax(rl) / 2
				}
				args = append([]string{"/bin/sh", "-c", fmt.Sprintf(`ulimit -Sn %d && exec "$@"`, n), "sh"}, args...)
			}
			return runWorkers(ctx, args, spec, w.env, timeout)
		}
		store := func(s *Scenario, recs map[string]Record) {
			for _, r := range recs {
				if r.Scenario == s.Name && r.Millis > 5000 {
					logf("%s: %s with %s took %v", arch, r.Scenario, r.Impl, time.Duration(r.Millis)*time.Millisecond)
				}
			}
			get := func(impl string) Record {
				if r, ok := recs[s.Name+"\x00"+impl]; ok {
					return r
				}
				e := recs["\x00err:"+s.Name].Error
				if e == "" {
					e = recs["\x00err"].Error
				}
				return Record{Scenario: s.Name, Impl: impl, Error: "no record: " + e}
			}
			r := Judge(s, arch, get(ref), get(cfg.UnderTest), ut)
			mu.Lock()
			res[s.Name] = r
			mu.Unlock()
		}
		arch := arch
		var cmp, exp []*Scenario
		for _, s := range todo {
			switch {
			case s.Isolated:
			case s.Compared():
				cmp = append(cmp, s)
			default:
				exp = append(exp, s)
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Scenarios with Expect need only the implementation
			// under test.
			if len(cmp) > 0 {
				recs := run(cmp, []string{ref, cfg.UnderTest}, nil)
				for _, s := range cmp {
					store(s, recs)
				}
			}
			if len(exp) > 0 {
				recs := run(exp, []string{cfg.UnderTest}, nil)
				for _, s := range exp {
					store(s, recs)
				}
			}
			logf("%s: batch of %d scenarios done", arch, len(cmp)+len(exp))
		}()
		for _, s := range todo {
			if !s.Isolated {
				continue
			}
			s := s
			wg.Add(1)
			go func() {
				defer wg.Done()
				recs := map[string]Record{}
				impls := []string{cfg.UnderTest}
				if s.Compared() {
					impls = []string{ref, cfg.UnderTest}
				}
				for _, impl := range impls {
					for k, v := range run([]*Scenario{s}, []string{impl}, s) {
						recs[k] = v
					}
				}
				store(s, recs)
			}()
		}
	}
	wg.Wait()
	for _, s := range scen {
		for _, arch := range arches {
			out.Results = append(out.Results, results[arch][s.Name])
		}
	}
	return out, nil
}

// hostEnvironment describes this machine, from a plain run of the probe.
func hostEnvironment(p *probe.Probe, tmp string) Environment {
	env := Environment{Go: runtime.Version(), Date: time.Now().UTC().Format(time.RFC3339),
		Kernel: "unknown", Libc: "unknown"}
	r, err := p.NewRun(tmp)
	if err != nil {
		return env
	}
	defer r.Remove()
	pid, err := syscall.ForkExec(r.Exe, []string{"probe"}, &syscall.ProcAttr{})
	if err != nil {
		return env
	}
	WaitTimeout(pid, 30*time.Second)
	if rep, err := r.Read(); err == nil {
		env.Kernel, env.Libc = rep.Kernel, rep.Libc
	}
	return env
}

// workerCmd is how to start a worker for one arch.
type workerCmd struct {
	argv        []string // program and arguments
	env         []string // added to the environment
	emulated    bool
	qemuVersion string
}

// worker returns how to start a worker for arch, cross-compiling it if
// needed, or why it cannot run (buildErr: because the build failed).
func (cfg Config) worker(ctx context.Context, arch, tmp string, logf func(string, ...any)) (w workerCmd, why string, buildErr bool) {
	switch {
	case foreign(arch) && arch == FreeBSD:
		return workerCmd{}, freeBSDReason, false
	case foreign(arch):
		return workerCmd{}, linuxReason, false
	}
	self, err := os.Executable()
	if err != nil {
		return workerCmd{}, "cannot find this program to start it as the worker: " + err.Error(), true
	}
	if arch == HostArch() {
		return workerCmd{argv: append([]string{self}, selfArgs()...)}, "", false
	}
	a, _ := lookupArch(arch)
	if len(a.Qemu) == 0 {
		return workerCmd{}, "no qemu-user name known for " + arch + " (suite.qemuNames)", false
	}
	qpath, err := cfg.findQemu(a)
	if err != nil {
		return workerCmd{}, err.Error(), false
	}
	w.qemuVersion = qemuVersion(qpath)
	bin := filepath.Join(tmp, "worker-"+arch)
	start := time.Now()
	if err := cfg.crossBuild(ctx, arch, bin); err != nil {
		return w, fmt.Sprintf("cross-compiling the worker for %s failed: %v", arch, err), true
	}
	logf("%s: built worker in %v", arch, time.Since(start).Round(time.Second))
	// Preflight: can a Go program of this arch start under this qemu at
	// all? (Go 1.26's linux/386 runtime crashes at start-up under
	// bookworm's qemu-i386 7.2, even for hello world; 10.0 runs it.)
	pf := exec.CommandContext(ctx, qpath, bin)
	spec, _ := json.Marshal(workerSpec{Emulated: true})
	pf.Args = append(pf.Args, selfArgs()...)
	pf.Env = append(os.Environ(), workerEnv+"="+string(spec), "GOMAXPROCS=1")
	if b, err := pf.CombinedOutput(); err != nil {
		fatal := ""
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "fatal") || strings.HasPrefix(l, "SIGSEGV") || strings.HasPrefix(l, "qemu:") {
				fatal = l
				break
			}
		}
		return w, fmt.Sprintf("a Go linux/%s program crashes at start-up under %s (%s; the worker with no scenario: %v %s)",
			arch, qpath, w.qemuVersion, err, fatal), false
	}
	// One P keeps the emulated worker's thread count low and steady:
	// under qemu-user each guest thread is an emulator thread, and its
	// creation and exit race with forks (see Worker.runImpl).
	w.argv = append([]string{qpath, bin}, selfArgs()...)
	w.env = []string{"GOMAXPROCS=1"}
	w.emulated = true
	return w, "", false
}

// findQemu finds the qemu-user binary for a: in cfg.QemuDir if set, else
// in $PATH, under any of its names.
func (cfg Config) findQemu(a Arch) (string, error) {
	for _, name := range a.Qemu {
		if cfg.QemuDir != "" {
			p := filepath.Join(cfg.QemuDir, name)
			if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
				return p, nil
			}
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	where := "$PATH"
	if cfg.QemuDir != "" {
		where = cfg.QemuDir
	}
	return "", fmt.Errorf("no %s in %s (install qemu-user, see .ci/conformance.sh)", strings.Join(a.Qemu, " or "), where)
}

// crossBuild compiles the worker program for linux/arch into bin.
func (cfg Config) crossBuild(ctx context.Context, arch, bin string) error {
	pkg, test := cfg.Package, false
	if pkg == "" {
		bi, ok := debug.ReadBuildInfo()
		if !ok || bi.Path == "" || bi.Path == "command-line-arguments" {
			return errors.New("cannot tell which package this program was built from: set Config.Package")
		}
		pkg = bi.Path
		if p, ok := strings.CutSuffix(pkg, ".test"); ok {
			pkg, test = p, true
		}
	}
	args := []string{"build", "-o", bin, pkg}
	if test {
		args = []string{"test", "-c", "-o", bin, pkg}
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %v: %s", strings.Join(args, " "), err, firstLines(string(b), 3))
	}
	return nil
}

// selfArgs are the arguments this program is started with as a worker:
// its own, so that it takes the same path to Run, narrowed to the
// running test in a test binary (so that no other test runs first).
func selfArgs() []string {
	args := append([]string(nil), os.Args[1:]...)
	if t := currentTest(); t != "" {
		args = append(args, "-test.run=^"+t+"$")
	}
	return args
}

// currentTest returns the name of the top-level test function on this
// goroutine's stack (called by testing.tRunner), or "".
func currentTest() string {
	pc := make([]uintptr, 64)
	n := runtime.Callers(2, pc)
	frames := runtime.CallersFrames(pc[:n])
	prev := ""
	for {
		f, more := frames.Next()
		if f.Function == "testing.tRunner" && prev != "" {
			name := prev[strings.LastIndexByte(prev, '/')+1:]
			if parts := strings.Split(name, "."); len(parts) >= 2 && strings.HasPrefix(parts[1], "Test") {
				return parts[1]
			}
			return ""
		}
		prev = f.Function
		if !more {
			return ""
		}
	}
}

func qemuVersion(q string) string {
	b, _ := exec.Command(q, "--version").Output()
	return firstLines(string(b), 1)
}

// runWorkers runs workers until every scenario of spec has its records:
// when a worker dies, the scenario it was on gets an error record and a
// new worker carries on with the rest. Nothing is retried: a hang is an
// error to explain, not to hide.
func runWorkers(ctx context.Context, argv []string, spec workerSpec, env []string, timeout time.Duration) map[string]Record {
	all := map[string]Record{}
	remaining := spec.Scenarios
	for len(remaining) > 0 {
		spec.Scenarios = remaining
		js, _ := json.Marshal(spec)
		recs := runWorker(ctx, argv, append(env, workerEnv+"="+string(js)), timeout)
		perr, failed := recs["\x00err"]
		delete(recs, "\x00err")
		count := map[string]int{}
		for k, r := range recs {
			all[k] = r
			count[r.Scenario]++
		}
		if !failed || ctx.Err() != nil {
			break
		}
		next := -1
		for i, n := range remaining {
			if count[n] < len(spec.Impls) || strings.HasPrefix(all[n+"\x00"+spec.Impls[0]].Error, "hung:") {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		// Records of the culprit that the worker did write (such as
		// its "hung" record) stay; the rest get the process error.
		all["\x00err:"+remaining[next]] = perr
		remaining = remaining[next+1:]
	}
	return all
}

// stallTimeout is how long a worker may print nothing (its own per-run
// watchdog fires at 40s under qemu, 60s natively).
const stallTimeout = 75 * time.Second

// runWorker runs one worker process and collects its records keyed by
// scenario NUL impl; key "\x00err" carries a process-level failure.
func runWorker(ctx context.Context, argv, env []string, timeout time.Duration) map[string]Record {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// A worker silent for longer than its own per-run watchdog is itself
	// stuck.
	var stalled atomic.Bool
	idle := time.AfterFunc(stallTimeout, func() { stalled.Store(true); cancel() })
	defer idle.Stop()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	recs := map[string]Record{}
	if err != nil {
		recs["\x00err"] = Record{Error: err.Error()}
		return recs
	}
	if err := cmd.Start(); err != nil {
		recs["\x00err"] = Record{Error: err.Error()}
		return recs
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		idle.Reset(stallTimeout)
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			continue
		}
		recs[r.Scenario+"\x00"+r.Impl] = r
	}
	werr := cmd.Wait()
	if werr != nil || ctx.Err() != nil {
		msg := fmt.Sprintf("worker %v", werr)
		if ctx.Err() == context.DeadlineExceeded {
			msg = fmt.Sprintf("worker timed out after %v", timeout)
		}
		if stalled.Load() {
			msg = fmt.Sprintf("hung: worker silent for %v (killed)", stallTimeout)
		}
		if t := strings.TrimSpace(stderr.String()); t != "" {
			msg += ": " + lastLines(t, 3)
		}
		recs["\x00err"] = Record{Error: msg}
	}
	return recs
}

func firstLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[:n]
	}
	return strings.Join(l, " | ")
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, " | ")
}
