package suite

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/forkexec/forkexec/conformance/probe"
)

// Status is the verdict for one scenario on one architecture.
type Status string

// The verdicts.
const (
	Same    Status = "same"    // outcomes identical after masking
	Differs Status = "DIFFERS" // differs where it must not
	Known   Status = "known"   // differs only where documented
	NotRun  Status = "not run" // skipped, with a reason
	Pass    Status = "ok"      // extension meets its documented expectation
	Fail    Status = "FAIL"    // extension misses its documented expectation
	Error   Status = "ERROR"   // the harness could not get an outcome
)

// Bad reports whether the status makes the run fail.
func (s Status) Bad() bool { return s == Differs || s == Fail || s == Error }

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
}

// Judge judges a scenario from its records: ref and ut for Compare
// scenarios (ref is ignored for Extension ones).
func Judge(s *Scenario, arch string, ref, ut Record) Result {
	r := Result{Scenario: s.Name, Group: s.Group, Arch: arch}
	recs := []Record{ut}
	if s.Kind == Compare {
		recs = []Record{ref, ut}
	}
	for _, rec := range recs {
		if rec.Error != "" {
			r.Status, r.Reason = Error, rec.Impl+": "+rec.Error
			return r
		}
	}
	for _, rec := range recs {
		if rec.Skip != "" {
			r.Status, r.Reason = NotRun, rec.Skip
			return r
		}
	}
	if s.Kind == Extension {
		if len(ut.Violations) > 0 {
			r.Status, r.Reason = Fail, strings.Join(ut.Violations, "; ")
		} else {
			r.Status = Pass
		}
		return r
	}
	keys := map[string]bool{}
	for k := range ref.Fields {
		keys[k] = true
	}
	for k := range ut.Fields {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	unknown := false
	for _, k := range names {
		a, aok := ref.Fields[k]
		b, bok := ut.Fields[k]
		if aok == bok && a == b {
			continue
		}
		if !aok {
			a = "(absent)"
		}
		if !bok {
			b = "(absent)"
		}
		d := Diff{Field: k, Ref: a, Impl: b}
		if k == "parent.fd_leak" && b == "0" {
			d.Known = "the stdlib leaks descriptors in the parent here; the implementation under test does not"
		}
		for p, why := range s.Known {
			if strings.HasPrefix(k, p) {
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

// Config says what Run does.
type Config struct {
	// Arches lists GOARCH values; "host" or the host's GOARCH runs natively.
	Arches []string
	// UnderTest names the implementation under test.
	UnderTest string
	// Filter, if set, selects scenarios by name.
	Filter *regexp.Regexp
	// Self is how to start a native worker: argv prefix and extra env.
	Self    []string
	SelfEnv []string
	// Package is the import path of the worker command, cross-compiled
	// for the non-host arches.
	Package string
	// Parallel bounds concurrently running worker processes.
	Parallel int
	// Log, if set, receives progress lines.
	Log func(format string, args ...any)
}

// QemuBinaries maps GOARCH to Debian's qemu-user-static binary.
var QemuBinaries = map[string]string{
	"amd64":    "qemu-x86_64-static",
	"arm64":    "qemu-aarch64-static",
	"386":      "qemu-i386-static",
	"arm":      "qemu-arm-static",
	"riscv64":  "qemu-riscv64-static",
	"ppc64le":  "qemu-ppc64le-static",
	"s390x":    "qemu-s390x-static",
	"loong64":  "qemu-loongarch64-static",
	"mips64le": "qemu-mips64el-static",
}

// AllArches is the list "-arch all" stands for.
var AllArches = []string{"amd64", "arm64", "386", "arm", "riscv64", "ppc64le", "s390x", "loong64", "mips64le"}

// Outcome is the result of a Run.
type Outcome struct {
	// Arches in column order.
	Arches []string `json:"arches"`
	// Results, scenario-major in registration order.
	Results []Result `json:"results"`
	// Probe describes how the probe was built.
	Probe string `json:"probe"`
	// UnderTest names the implementation under test.
	UnderTest string `json:"under_test"`
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

// Run builds the probe, runs the selected scenarios on every arch and
// compares the outcomes.
func Run(ctx context.Context, cfg Config) (*Outcome, error) {
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
	if _, ok := LookupImpl(cfg.UnderTest); !ok {
		return nil, fmt.Errorf("unknown implementation %q (have %v)", cfg.UnderTest, ImplNames())
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
	var scen []*Scenario
	for _, s := range Scenarios() {
		if cfg.Filter == nil || cfg.Filter.MatchString(s.Name) {
			scen = append(scen, s)
		}
	}
	out := &Outcome{Arches: cfg.Arches, Probe: p.Note, UnderTest: cfg.UnderTest}
	results := make(map[string]map[string]Result) // arch -> scenario -> result
	var mu sync.Mutex
	sem := make(chan struct{}, cfg.Parallel)
	var wg sync.WaitGroup
	for _, arch := range cfg.Arches {
		res := map[string]Result{}
		results[arch] = res
		prefix, env, emulated, why, buildErr := cfg.workerCommand(ctx, arch, tmp, logf)
		if why != "" {
			st := NotRun
			if buildErr {
				st = Error
			}
			for _, s := range scen {
				res[s.Name] = Result{Scenario: s.Name, Group: s.Group, Arch: arch, Status: st, Reason: why}
			}
			continue
		}
		timeout := 5 * time.Minute
		if emulated {
			timeout = 10 * time.Minute
		}
		run := func(list []*Scenario, impls []string, s0 *Scenario) map[string]Record {
			sem <- struct{}{}
			defer func() { <-sem }()
			var names []string
			for _, s := range list {
				names = append(names, s.Name)
			}
			args := append([]string{}, prefix...)
			args = append(args, "-probe", p.Path, "-static="+strconv.FormatBool(p.Static),
				"-scenarios", strings.Join(names, ","), "-impls", strings.Join(impls, ","))
			if emulated {
				args = append(args, "-emulated")
			}
			if s0 != nil && s0.KeepNofile {
				args = append(args, "-pin-nofile=false")
			}
			if s0 != nil && s0.SoftNofile > 0 {
				n := s0.SoftNofile
				var rl syscall.Rlimit
				if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil && rl.Max <= n {
					n = rl.Max / 2
				}
				args = append([]string{"/bin/sh", "-c", fmt.Sprintf(`ulimit -Sn %d && exec "$@"`, n), "sh"}, args...)
			}
			retries := 0
			if emulated {
				retries = 2
			}
			return runWorkers(ctx, args, names, len(impls), env, timeout, retries)
		}
		ref := Stdlib.Name()
		var batch []*Scenario
		for _, s := range scen {
			if !s.Isolated {
				batch = append(batch, s)
			}
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
			r := Judge(s, arch, get(ref), get(cfg.UnderTest))
			if n := recs["\x00retry:"+s.Name].Error; n != "" && r.Reason == "" {
				r.Reason = "retried " + n + "x: the forked child hung inside qemu-user (emulator fork deadlock)"
			}
			mu.Lock()
			res[s.Name] = r
			mu.Unlock()
		}
		arch := arch
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The batch splits by kind: extension scenarios need only
			// the implementation under test.
			var cmp, ext []*Scenario
			for _, s := range batch {
				if s.Kind == Extension {
					ext = append(ext, s)
				} else {
					cmp = append(cmp, s)
				}
			}
			if len(cmp) > 0 {
				recs := run(cmp, []string{ref, cfg.UnderTest}, nil)
				for _, s := range cmp {
					store(s, recs)
				}
			}
			if len(ext) > 0 {
				recs := run(ext, []string{cfg.UnderTest}, nil)
				for _, s := range ext {
					store(s, recs)
				}
			}
			logf("%s: batch of %d scenarios done", arch, len(batch))
		}()
		for _, s := range scen {
			if !s.Isolated {
				continue
			}
			s := s
			wg.Add(1)
			go func() {
				defer wg.Done()
				recs := map[string]Record{}
				impls := []string{cfg.UnderTest}
				if s.Kind == Compare {
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
		for _, arch := range cfg.Arches {
			out.Results = append(out.Results, results[arch][s.Name])
		}
	}
	return out, nil
}

// workerCommand returns the argv prefix and env that start a worker for
// arch, building it if needed, or why it cannot run.
func (cfg Config) workerCommand(ctx context.Context, arch, tmp string, logf func(string, ...any)) (prefix, env []string, emulated bool, why string, buildErr bool) {
	if arch == "host" || arch == runtime.GOARCH {
		return cfg.Self, cfg.SelfEnv, false, "", false
	}
	q, ok := QemuBinaries[arch]
	if !ok {
		return nil, nil, false, "unknown arch " + arch, false
	}
	qpath, err := exec.LookPath(q)
	if err != nil {
		return nil, nil, false, q + " not installed (apt-get install qemu-user-static)", false
	}
	bin := filepath.Join(tmp, "worker-"+arch)
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, cfg.Package)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, nil, false, fmt.Sprintf("cross-compiling for %s failed: %v: %s", arch, err, firstLines(string(b), 3)), true
	}
	logf("%s: built worker in %v", arch, time.Since(start).Round(time.Second))
	// Preflight: can a Go program of this arch start under this qemu at
	// all? (Go 1.26's linux/386 runtime crashes at start-up under
	// bookworm's qemu-i386-static 7.2, even for hello world.)
	for i := 0; i < 2; i++ {
		pf := exec.CommandContext(ctx, qpath, bin, "-worker", "-scenarios", "", "-emulated")
		pf.Env = append(os.Environ(), "GOMAXPROCS=1")
		if b, err := pf.CombinedOutput(); err != nil {
			fatal := ""
			for _, l := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(l, "fatal") || strings.HasPrefix(l, "SIGSEGV") || strings.HasPrefix(l, "qemu:") {
					fatal = l
					break
				}
			}
			return nil, nil, false, fmt.Sprintf("a Go linux/%s program crashes at start-up under %s (%s; the worker with no scenario: %v %s)",
				arch, q, qemuVersion(qpath), err, fatal), false
		}
	}
	// One P keeps the emulated worker's threads mostly idle at fork
	// time: qemu-user 7.2's fork of a multithreaded guest deadlocks the
	// child now and then (it is retried, see runWorkers).
	return []string{qpath, bin, "-worker"}, []string{"GOMAXPROCS=1"}, true, "", false
}

func qemuVersion(q string) string {
	b, _ := exec.Command(q, "--version").Output()
	return firstLines(string(b), 1)
}

// runWorkers runs workers until every scenario has its records: when a
// worker dies, the scenario it was on gets an error record and a new
// worker carries on with the rest.
func runWorkers(ctx context.Context, args, names []string, nimpl int, env []string, timeout time.Duration, retries int) map[string]Record {
	all := map[string]Record{}
	si := -1
	for i, a := range args {
		if a == "-scenarios" {
			si = i + 1
		}
	}
	attempts := map[string]int{}
	remaining := names
	for len(remaining) > 0 {
		args[si] = strings.Join(remaining, ",")
		recs := runWorker(ctx, args, env, timeout)
		perr, failed := recs["\x00err"]
		delete(recs, "\x00err")
		count := map[string]int{}
		hung := map[string]bool{}
		stalled := strings.HasPrefix(perr.Error, "hung:")
		for k, r := range recs {
			all[k] = r
			count[r.Scenario]++
			if strings.HasPrefix(r.Error, "hung:") {
				hung[r.Scenario] = true
			}
		}
		if !failed {
			break
		}
		next := -1
		for i, n := range remaining {
			if count[n] < nimpl || hung[n] {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		culprit := remaining[next]
		if stalled {
			hung[culprit] = true
		}
		if ctx.Err() != nil {
			break
		}
		if hung[culprit] && attempts[culprit] < retries {
			// Under qemu-user a forked child occasionally deadlocks in
			// the emulator; try the scenario again in a new worker.
			attempts[culprit]++
			for k, r := range all {
				if r.Scenario == culprit {
					delete(all, k)
				}
			}
			all["\x00retry:"+culprit] = Record{Error: fmt.Sprint(attempts[culprit])}
			remaining = remaining[next:]
			continue
		}
		// Records of the culprit that the worker did write (such as
		// its "hung" record) stay; the rest get the process error.
		all["\x00err:"+culprit] = perr
		remaining = remaining[next+1:]
	}
	return all
}

// stallTimeout is how long a worker may print nothing (its own per-run
// watchdog fires at 40s under qemu, 60s natively).
const stallTimeout = 75 * time.Second

// runWorker runs one worker process and collects its records keyed by
// scenario NUL impl; key "\x00err" carries a process-level failure.
func runWorker(ctx context.Context, args, env []string, timeout time.Duration) map[string]Record {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// A worker silent for longer than its own per-run watchdog is itself
	// stuck (seen under qemu-user: the emulated Go runtime deadlocks).
	var stalled atomic.Bool
	idle := time.AfterFunc(stallTimeout, func() { stalled.Store(true); cancel() })
	defer idle.Stop()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
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
