//go:build linux

package forkexec_test

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// A helper is a test of this binary run in a process of its own, for what
// must not touch the test process: resource limits are process-wide, and
// the syscall package's saved RLIMIT_NOFILE is set once, at start-up.
// runHelper starts the binary with helperEnv naming the helper; the helper
// test (TestHelper...) skips unless it is named, and its parent's probes
// are passed in helperProbeEnv and helperCProbeEnv.
const (
	helperEnv       = "FORKEXEC_TEST_HELPER"
	helperProbeEnv  = "FORKEXEC_TEST_PROBE"
	helperCProbeEnv = "FORKEXEC_TEST_CPROBE"
)

// isHelper reports whether this process is the helper name.
func isHelper(name string) bool { return os.Getenv(helperEnv) == name }

// skipUnlessHelper skips t unless this process is the helper t names.
func skipUnlessHelper(t *testing.T, name string) {
	if !isHelper(name) {
		t.Skip("helper subprocess, run by runHelper")
	}
}

// helperOpts says how runHelper starts a helper.
type helperOpts struct {
	// atExec, if not nil, makes the helper start traced and stopped at its
	// exec, before any of its code runs; atExec is called with its pid (to
	// set its limits with prlimit, say) and the helper is then let go.
	atExec func(pid int) error
	// cred, if not nil, runs the helper as another user; the test binary is
	// then copied where that user can run it, and the helper runs in /.
	cred *syscall.Credential
	env  []string // added to the environment
}

// runHelper runs the helper test testName in a new process of this test
// binary and returns its output, failing t unless it passed and skipping
// t if it skipped.
func runHelper(t *testing.T, testName string, opts helperOpts) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	env := append(os.Environ(), helperEnv+"="+testName, helperProbeEnv+"="+probePath, helperCProbeEnv+"="+cprobePath)
	env = append(env, opts.env...)
	exe, dir := os.Args[0], ""
	if opts.cred != nil {
		// go test's build directory is private; the probes' is not.
		exe, dir = filepath.Join(filepath.Dir(probePath), "forkexec.test"), "/"
		if _, err := os.Stat(exe); err != nil {
			copyFile(t, os.Args[0], exe)
		}
	}
	argv := []string{exe, "-test.run=^" + testName + "$", "-test.v"}
	// The tracer is the spawning thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pid, err := syscall.ForkExec(exe, argv, &syscall.ProcAttr{
		Dir:   dir,
		Env:   env,
		Files: []uintptr{0, w.Fd(), w.Fd()},
		Sys:   &syscall.SysProcAttr{Ptrace: opts.atExec != nil, Pdeathsig: syscall.SIGKILL, Credential: opts.cred},
	})
	w.Close()
	if err != nil {
		if opts.atExec != nil && err == syscall.EPERM {
			t.Skipf("starting a traced helper: %v (ptrace refused here)", err)
		}
		t.Fatalf("starting helper %s: %v", testName, err)
	}
	if opts.atExec != nil {
		if ws := wait(t, pid); !ws.Stopped() || ws.StopSignal() != syscall.SIGTRAP {
			t.Fatalf("helper %s at its exec: %s, want stopped by SIGTRAP", testName, describe(ws))
		}
		err := opts.atExec(pid)
		if derr := syscall.PtraceDetach(pid); derr != nil {
			syscall.Kill(pid, syscall.SIGKILL)
			wait(t, pid)
			t.Fatalf("detaching helper %s: %v", testName, derr)
		}
		if err != nil {
			syscall.Kill(pid, syscall.SIGKILL)
			wait(t, pid)
			t.Fatalf("helper %s at its exec: %v", testName, err)
		}
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if ws := wait(t, pid); !ws.Exited() || ws.ExitStatus() != 0 {
		t.Fatalf("helper %s: %s\n%s", testName, describe(ws), out)
	}
	// A helper that skipped (it lacks something) skips its parent, saying
	// why; one that ran none of its test is a failure, not a pass.
	if i := strings.Index(string(out), "--- SKIP: "+testName); i >= 0 {
		t.Skipf("helper %s skipped:\n%s", testName, out[i:])
	}
	if !strings.Contains(string(out), "--- PASS: "+testName) {
		t.Fatalf("helper %s did not pass:\n%s", testName, out)
	}
	return string(out)
}
