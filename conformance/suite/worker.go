package suite

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/forkexec/forkexec/conformance/probe"
	"golang.org/x/sys/unix"
)

const needsRoot = "needs root"

// Worker runs scenarios in the current process.
type Worker struct {
	// Probe is the native probe executable.
	Probe *probe.Probe
	// Base is the worker's scratch directory (also its cwd).
	Base string
	// Emulated is true under qemu-user.
	Emulated bool

	parentNS map[string]string
}

// Record is one scenario's outcome with one implementation, as a worker
// prints it (one JSON object per line).
type Record struct {
	Scenario string `json:"scenario"`
	Impl     string `json:"impl"`
	// Fields is the normalized outcome (absent when skipped or failed).
	Fields Fields `json:"fields,omitempty"`
	// Skip is why the scenario was not run.
	Skip string `json:"skip,omitempty"`
	// NotApplicable names the feature the implementation lacks.
	NotApplicable string `json:"not_applicable,omitempty"`
	// Error is a harness failure (setup error, panic).
	Error string `json:"error,omitempty"`
	// Violations, for scenarios with Expect, lists unmet expectations.
	Violations []string `json:"violations,omitempty"`
	// Millis is how long the run took.
	Millis int64 `json:"ms"`
}

// workerEnv names the environment variable that turns a program calling
// [Run] into a worker: it holds the workerSpec as JSON.
const workerEnv = "FORKEXEC_CONFORMANCE_WORKER"

// workerSpec is what one worker process runs.
type workerSpec struct {
	Probe     string   `json:"probe"`
	Static    bool     `json:"static"`
	Scenarios []string `json:"scenarios"`
	Impls     []string `json:"impls"`
	Emulated  bool     `json:"emulated"`
	PinNofile bool     `json:"pin_nofile"`
}

// workerMain runs the scenarios of spec with its implementations in this
// process and prints one Record per line on stdout. It returns the
// process exit status.
func workerMain(spec workerSpec) int {
	if spec.PinNofile {
		// Setrlimit makes the stdlib forget the soft limit it saved at
		// start-up, so both implementations' children inherit the
		// current value and the documented difference stays confined
		// to the scenarios that ask for it.
		var rl syscall.Rlimit
		if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err == nil {
			syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
		}
	}
	base, err := os.MkdirTemp("", "fxconf-worker-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(base)
	os.Chmod(base, 0o777)
	if err := os.Chdir(base); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Warm the runtime's poller so its descriptors are not counted as
	// leaks in the first scenario.
	if r, w, err := os.Pipe(); err == nil {
		r.Close()
		w.Close()
	}
	p := &probe.Probe{Path: spec.Probe, Static: spec.Static}
	w := &Worker{Probe: p, Base: base, Emulated: spec.Emulated, parentNS: readNS()}
	var list []Impl
	for _, n := range spec.Impls {
		i, ok := LookupImpl(n)
		if !ok {
			fmt.Fprintf(os.Stderr, "unknown implementation %q (not registered in this program)\n", n)
			return 2
		}
		list = append(list, i)
	}
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	for _, n := range spec.Scenarios {
		s := Lookup(n)
		if s == nil {
			fmt.Fprintf(os.Stderr, "unknown scenario %q (not registered in this program)\n", n)
			return 2
		}
		for _, impl := range list {
			// A hung run (ForkExec itself can deadlock, see the
			// stdlib's vfork with UidMappings) is reported and ends
			// the worker; the driver restarts after it.
			t := time.AfterFunc(w.runTimeout(), func() {
				killChildren()
				enc.Encode(Record{Scenario: s.Name, Impl: impl.Name(),
					Error: fmt.Sprintf("hung: no outcome after %v (children killed)", w.runTimeout())})
				out.Flush()
				os.Exit(3)
			})
			t0 := time.Now()
			rec := w.RunScenario(s, impl)
			rec.Millis = time.Since(t0).Milliseconds()
			t.Stop()
			enc.Encode(rec)
			out.Flush()
		}
	}
	return 0
}

// RunScenario runs s once with impl in this process.
func (w *Worker) RunScenario(s *Scenario, impl Impl) Record {
	rec := Record{Scenario: s.Name, Impl: impl.Name()}
	switch {
	case lacking(impl, s.features()) != "":
		rec.NotApplicable = notApplicable(impl, lacking(impl, s.features()))
	case s.NeedsRoot && os.Geteuid() != 0:
		rec.Skip = needsRoot
	case s.NeedsStatic && !w.Probe.Static:
		rec.Skip = "probe is not static (cc -static failed), cannot run in a chroot"
	case w.Emulated && s.NotUnderQemu != "":
		rec.Skip = s.NotUnderQemu
	default:
		return w.runImpl(s, impl)
	}
	return rec
}

func (w *Worker) runTimeout() time.Duration {
	if w.Emulated {
		return 40 * time.Second
	}
	return time.Minute
}

// parentPidName names the worker's own pid, process group and session.
func parentPidName(v int64) (string, bool) {
	switch v {
	case int64(unix.Getpid()):
		return "$parent", true
	case int64(unix.Getpgrp()):
		return "$parent.pgid", true
	}
	if sid, err := unix.Getsid(0); err == nil && int64(sid) == v {
		return "$parent.sid", true
	}
	return "", false
}
