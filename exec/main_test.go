//go:build linux

package exec

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	stdexec "os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/forkexec/forkexec/internal/probe"
)

// probePath is forkexec's test probe (forkexec/testdata/probe), built for
// these tests: run as "probe report", it writes on stdout, as JSON, what it
// inherited (arguments, environment, working directory, descriptors).
var probePath string

func TestMain(m *testing.M) {
	flag.Parse()
	// Open what a program opens once and keeps (the runtime's poller, the
	// os package's pidfd check, the shared /dev/null descriptors) before any
	// test counts descriptors.
	if err := Command("/bin/true").Run(); err != nil {
		fmt.Fprintln(os.Stderr, "warm-up:", err)
		os.Exit(1)
	}
	// A benchmark-only run needs no probe, nor does the SIGCHLD child.
	if flag.Lookup("test.run").Value.String() == "^$" || os.Getenv(sigchldChildEnv) != "" {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "exec-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	probePath = filepath.Join(dir, "probe")
	build := stdexec.Command("go", "build", "-o", probePath, "../forkexec/testdata/probe")
	// Static without cgo; the user's GOFLAGS stay (-buildvcs=false, say,
	// without which a checkout owned by another user does not build).
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the probe: %v\n%s", err, b)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// checkLeaks records this process's descriptors and goroutines and, when
// the test ends, fails it if a child of this process (running or zombie),
// a descriptor or a goroutine is left over.
func checkLeaks(t *testing.T) {
	t.Helper()
	startPoller()
	fds := openFDs()
	goroutines := runtime.NumGoroutine()
	t.Cleanup(func() {
		if kids := children(); len(kids) > 0 {
			t.Errorf("children left behind: %v", kids)
		}
		// Goroutines that have delivered their result may not have
		// returned yet; give them a moment (this waits, it does not time).
		for i := 0; i < 500 && runtime.NumGoroutine() > goroutines; i++ {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > goroutines {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines left behind:\n%s", n-goroutines, buf[:runtime.Stack(buf, true)])
		}
		if now := openFDs(); !slices.Equal(now, fds) {
			t.Errorf("descriptors: before %v, after %v", fds, now)
		}
	})
}

// startPoller starts the runtime's poller, if nothing has yet: it keeps
// its descriptors (an epoll instance and an eventfd) for the life of the
// process, so the first poll in a test must not count them as leaked.
func startPoller() {
	if r, w, err := os.Pipe(); err == nil {
		r.Close()
		w.Close()
	}
}

// openFDs lists this process's descriptors with what they refer to.
func openFDs() []string {
	ents, _ := os.ReadDir("/proc/self/fd")
	var fds []string
	for _, e := range ents {
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil {
			continue // the directory's own descriptor, closed by now
		}
		fds = append(fds, e.Name()+"->"+target)
	}
	return fds
}

// children lists the pids of this process's children, zombies included.
func children() []string {
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	var kids []string
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		kids = append(kids, strings.Fields(string(b))...)
	}
	return kids
}

// runProbe runs the probe in report mode through c (whose Path and Args it
// sets) and returns its report.
func runProbe(t *testing.T, c *Cmd) *probe.Report {
	t.Helper()
	c.Path, c.Args = probePath, []string{probePath, "report"}
	out, err := c.Output()
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	var r probe.Report
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("probe report %q: %v", out, err)
	}
	return &r
}

// inherited counts the probe's descriptors that came from its parent: the
// Go runtime opens a few of its own (close-on-exec) before main.
func inherited(r *probe.Report) int {
	n := 0
	for _, fd := range r.FDs {
		if !fd.Cloexec {
			n++
		}
	}
	return n
}
