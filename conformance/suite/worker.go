package suite

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/forkexec/forkexec/conformance/probe"
	"golang.org/x/sys/unix"
)

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
	// Error is a harness failure (setup error, panic).
	Error string `json:"error,omitempty"`
	// Violations, for extension scenarios, lists unmet expectations.
	Violations []string `json:"violations,omitempty"`
	// Millis is how long the run took.
	Millis int64 `json:"ms"`
}

// WorkerMain is the hidden worker mode: it runs the scenarios named by
// -scenarios with the implementations named by -impls and prints one
// Record per line on stdout. It returns the process exit status.
func WorkerMain(args []string) int {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	probePath := fs.String("probe", "", "native probe executable")
	static := fs.Bool("static", false, "the probe is statically linked")
	names := fs.String("scenarios", "", "comma-separated scenario names")
	implNames := fs.String("impls", "syscall", "comma-separated implementations")
	emulated := fs.Bool("emulated", false, "running under qemu-user")
	pin := fs.Bool("pin-nofile", true, "pin RLIMIT_NOFILE with syscall.Setrlimit at start")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *pin {
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
	p := &probe.Probe{Path: *probePath, Static: *static}
	w := &Worker{Probe: p, Base: base, Emulated: *emulated, parentNS: readNS()}
	var list []Impl
	for _, n := range strings.Split(*implNames, ",") {
		i, ok := LookupImpl(n)
		if !ok {
			fmt.Fprintf(os.Stderr, "unknown implementation %q\n", n)
			return 2
		}
		list = append(list, i)
	}
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	for _, n := range strings.Split(*names, ",") {
		if n == "" {
			continue
		}
		s := Lookup(n)
		if s == nil {
			fmt.Fprintf(os.Stderr, "unknown scenario %q\n", n)
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
	if s.NeedStatic && !w.Probe.Static {
		return Record{Scenario: s.Name, Impl: impl.Name(), Skip: "probe is not static (cc -static failed), cannot run in a chroot"}
	}
	if w.Emulated && s.NoQemu != "" {
		return Record{Scenario: s.Name, Impl: impl.Name(), Skip: s.NoQemu}
	}
	return w.runImpl(s, impl)
}

func (w *Worker) runTimeout() time.Duration {
	if w.Emulated {
		return 40 * time.Second
	}
	return time.Minute
}

// killChildren SIGKILLs every process whose parent is this one.
func killChildren() {
	me := strconv.Itoa(os.Getpid())
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(data)
		if i := strings.LastIndexByte(s, ')'); i >= 0 {
			if f := strings.Fields(s[i+1:]); len(f) > 1 && f[1] == me {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
}

func readNS() map[string]string {
	m := map[string]string{}
	ents, _ := os.ReadDir("/proc/self/ns")
	for _, e := range ents {
		if t, err := os.Readlink(filepath.Join("/proc/self/ns", e.Name())); err == nil {
			m[e.Name()] = t
		}
	}
	return m
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
