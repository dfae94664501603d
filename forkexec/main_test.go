//go:build linux

package forkexec_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/forkexec/forkexec/forkexec"
	"github.com/forkexec/forkexec/internal/probe"
)

// The programs tests start to learn what a child got: probePath is
// testdata/probe, a static Go program reporting ids, directories, process
// group, terminal, namespaces and more; cprobePath is testdata/cprobe.c,
// which reports descriptors and signal state, the things a Go program's
// runtime changes before main. cprobePath is empty where there is no C
// compiler, and the tests that need it skip, saying why (cprobeMissing).
var probePath, cprobePath, cprobeMissing string

func TestMain(m *testing.M) {
	// A benchmark-only run (-run '^$', as bench/run.sh does) needs no
	// probe, and building two would leave the machine busy (writeback,
	// caches) just as the first benchmark starts.
	flag.Parse()
	if flag.Lookup("test.run").Value.String() == "^$" {
		os.Exit(m.Run())
	}
	// A helper subprocess (see runHelper) uses its parent's probes.
	if os.Getenv(helperEnv) != "" {
		probePath, cprobePath = os.Getenv(helperProbeEnv), os.Getenv(helperCProbeEnv)
		cprobeMissing = "not built by the parent test process"
		if cprobePath == "" { // started by another package's test
			dir, err := os.MkdirTemp("", "forkexec-helper")
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			cprobePath, cprobeMissing = buildCProbe(dir)
			code := m.Run()
			os.RemoveAll(dir)
			os.Exit(code)
		}
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "forkexec-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Other users run the probes in tests that change credentials.
	os.Chmod(dir, 0o755)
	probePath = filepath.Join(dir, "probe")
	if err := buildProbe(probePath); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	cprobePath, cprobeMissing = buildCProbe(dir)
	if cprobeMissing != "" {
		fmt.Fprintf(os.Stderr, "forkexec tests: %s; the tests that need it skip\n", cprobeMissing)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildProbe builds testdata/probe as a static binary, so that it also runs
// inside a chroot holding nothing else. The user's GOFLAGS stay (such as
// -buildvcs=false, without which a checkout owned by another user fails to
// build); only cgo is turned off, which is what makes the binary static.
func buildProbe(out string) error {
	cmd := exec.Command(goTool(), "build", "-o", out, "./testdata/probe")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the probe: %v\n%s", err, b)
	}
	return nil
}

// goTool returns the go command: the one on PATH, else the one in the
// GOROOT that go test sets for the tests it runs.
func goTool() string {
	if gotool, err := exec.LookPath("go"); err == nil {
		return gotool
	}
	return filepath.Join(os.Getenv("GOROOT"), "bin", "go")
}

// cCompiler returns the C compiler the tests use: $CC, as make and cgo
// read it (a command, possibly with arguments), or cc.
func cCompiler() (name string, args []string, err error) {
	f := strings.Fields(os.Getenv("CC"))
	if len(f) == 0 {
		f = []string{"cc"}
	}
	path, err := exec.LookPath(f[0])
	if err != nil {
		return "", nil, fmt.Errorf("no C compiler (%s; set $CC or install gcc)", f[0])
	}
	return path, f[1:], nil
}

// compileC builds the C program src into out with the C compiler,
// statically where the C library allows it (libc6-dev's libc.a), else
// dynamically.
func compileC(src, out string) error {
	cc, args, err := cCompiler()
	if err != nil {
		return err
	}
	if exec.Command(cc, append(args, "-O2", "-static", "-o", out, src)...).Run() == nil {
		return nil
	}
	if b, err := exec.Command(cc, append(args, "-O2", "-o", out, src)...).CombinedOutput(); err != nil {
		return fmt.Errorf("building %s with %s: %v\n%s", src, cc, err, b)
	}
	return nil
}

// buildCProbe builds testdata/cprobe.c into dir. Static where the C library
// allows it; cprobe never runs in a chroot, so a dynamic one does as well.
// Without a working C compiler it returns why instead.
func buildCProbe(dir string) (path, missing string) {
	out := filepath.Join(dir, "cprobe")
	if err := compileC("testdata/cprobe.c", out); err != nil {
		return "", err.Error()
	}
	return out, ""
}

// requireCProbe skips t when testdata/cprobe.c could not be built.
func requireCProbe(t testing.TB) {
	t.Helper()
	if cprobePath == "" {
		t.Skip("testdata/cprobe.c not built: " + cprobeMissing)
	}
}

// spawnFunc is the function under test: forkexec.ForkExec or forkexec.Spawn.
type spawnFunc func(argv0 string, argv []string, attr *forkexec.ProcAttr) (int, error)

// startProbe starts the probe in report mode through spawn, with attr, its
// report going to a pipe appended to attr.Files. It returns the pid and the
// pipe's read end; the caller waits.
func startProbe(t *testing.T, spawn spawnFunc, argv0 string, attr *forkexec.ProcAttr, args ...string) (int, *os.File, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	a := *attr
	a.Files = append(append([]uintptr(nil), attr.Files...), w.Fd())
	argv := append([]string{argv0, "-report", strconv.Itoa(len(attr.Files))}, args...)
	argv = append(argv, "report")
	pid, err := spawn(argv0, argv, &a)
	if err != nil {
		r.Close()
		return 0, nil, err
	}
	return pid, r, nil
}

// runProbe starts the probe with attr through forkexec.ForkExec, waits for
// it and returns its report.
func runProbe(t *testing.T, attr *forkexec.ProcAttr, args ...string) *probe.Report {
	t.Helper()
	pid, r, err := startProbe(t, forkexec.ForkExec, probePath, attr, args...)
	if err != nil {
		t.Fatalf("ForkExec: %v", err)
	}
	return readReport(t, pid, r)
}

// readReport reads the probe's report from r and waits for pid to exit 0.
func readReport(t *testing.T, pid int, r *os.File) *probe.Report {
	t.Helper()
	b, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	ws := wait(t, pid)
	if !ws.Exited() || ws.ExitStatus() != 0 {
		t.Fatalf("probe: %v", describe(ws))
	}
	var rep probe.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("probe report %q: %v", b, err)
	}
	return &rep
}

// cprobeReport is what testdata/cprobe.c reports.
type cprobeReport struct {
	fds            map[int]probe.FD
	sigBlk, sigIgn uint64
	nofile         [2]uint64 // soft and hard RLIMIT_NOFILE
	ids            [4]int    // pid, parent, process group, session
	pdeathsig      int
	userns         string // the target of /proc/self/ns/user
	cwd            string
	env            []string
}

// runCProbe starts cprobe through spawn with attr, its report going to a
// pipe appended to attr.Files, waits for it and returns the report.
func runCProbe(t *testing.T, spawn spawnFunc, attr *forkexec.ProcAttr) *cprobeReport {
	t.Helper()
	requireCProbe(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	a := *attr
	a.Files = append(append([]uintptr(nil), attr.Files...), w.Fd())
	pid, err := spawn(cprobePath, []string{cprobePath, strconv.Itoa(len(attr.Files))}, &a)
	w.Close()
	if err != nil {
		r.Close()
		t.Fatalf("spawn: %v", err)
	}
	return parseCProbe(t, pid, r)
}

// parseCProbe reads cprobe's report from r and waits for pid to exit 0.
func parseCProbe(t *testing.T, pid int, r *os.File) *cprobeReport {
	t.Helper()
	b, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	if ws := wait(t, pid); !ws.Exited() || ws.ExitStatus() != 0 {
		t.Fatalf("cprobe: %s", describe(ws))
	}
	return parseCProbeOutput(b)
}

// parseCProbeOutput parses what cprobe wrote.
func parseCProbeOutput(b []byte) *cprobeReport {
	rep := &cprobeReport{fds: map[int]probe.FD{}}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 3 && f[0] == "fd":
			fd, _ := strconv.Atoi(f[1])
			rep.fds[fd] = probe.FD{Cloexec: f[2] == "1", Target: strings.Join(f[3:], " ")}
		case len(f) == 2 && f[0] == "SigBlk:":
			rep.sigBlk, _ = strconv.ParseUint(f[1], 16, 64)
		case len(f) == 2 && f[0] == "SigIgn:":
			rep.sigIgn, _ = strconv.ParseUint(f[1], 16, 64)
		case len(f) == 3 && f[0] == "nofile":
			rep.nofile[0], _ = strconv.ParseUint(f[1], 10, 64)
			rep.nofile[1], _ = strconv.ParseUint(f[2], 10, 64)
		case len(f) == 5 && f[0] == "ids":
			for i := range rep.ids {
				rep.ids[i], _ = strconv.Atoi(f[i+1])
			}
		case len(f) == 2 && f[0] == "pdeathsig":
			rep.pdeathsig, _ = strconv.Atoi(f[1])
		case len(f) == 2 && f[0] == "userns":
			rep.userns = f[1]
		case strings.HasPrefix(line, "cwd "):
			rep.cwd = line[len("cwd "):]
		case strings.HasPrefix(line, "env "):
			rep.env = append(rep.env, line[len("env "):])
		}
	}
	return rep
}

func wait(t *testing.T, pid int) syscall.WaitStatus {
	t.Helper()
	ws, err := waitPid(pid)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// waitPid waits for pid, through EINTR (some tests flood the process with
// signals), for goroutines that cannot call t.Fatal.
func waitPid(pid int) (syscall.WaitStatus, error) {
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return ws, fmt.Errorf("wait4(%d): %v", pid, err)
		}
		return ws, nil
	}
}

func describe(ws syscall.WaitStatus) string {
	switch {
	case ws.Exited():
		return "exit status " + strconv.Itoa(ws.ExitStatus())
	case ws.Signaled():
		return "killed by " + ws.Signal().String()
	case ws.Stopped():
		return "stopped by " + ws.StopSignal().String()
	}
	return fmt.Sprintf("status %#x", uint32(ws))
}

// stdio is Files for a probe that shares the test's stdin, stdout and stderr.
func stdio() []uintptr { return []uintptr{0, 1, 2} }

// openFDs returns the number of descriptors this process has open.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents) - 1 // less ReadDir's own
}

// checkNoZombie fails if this process has a child that has exited and not
// been waited for.
func checkNoZombie(t *testing.T) {
	t.Helper()
	var ws syscall.WaitStatus
	pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG|syscall.WALL, nil)
	if err == nil && pid > 0 {
		t.Errorf("found zombie child %d (%s)", pid, describe(ws))
	}
}

// stepError asserts that err is a *forkexec.Error for step wrapping errno.
func stepError(t *testing.T, err error, step forkexec.Step, errno syscall.Errno) *forkexec.Error {
	t.Helper()
	var e *forkexec.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *forkexec.Error", err, err)
	}
	if e.Step != step || !errors.Is(err, errno) {
		t.Fatalf("error %q: got step %v errno %v, want step %v errno %v", err, e.Step, e.Errno, step, errno)
	}
	return e
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (tests run as root in CI)")
	}
}
