package main_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// build compiles the childcheck command into a temporary directory.
func build(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	bin := filepath.Join(t.TempDir(), "childcheck")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestVetTool runs the command as go vet -vettool on a small module, for the
// host and a cross target: facts about the standard library must flow (the
// assembly sync/atomic.AddInt32 is accepted) and findings must be reported.
func TestVetTool(t *testing.T) {
	bin := build(t)
	for _, goarch := range []string{"amd64", "arm64"} {
		cmd := exec.Command("go", "vet", "-vettool="+bin, "./child")
		cmd.Dir = filepath.Join("testdata", "vetmod")
		cmd.Env = append(cmd.Environ(), "GOOS=linux", "GOARCH="+goarch)
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("%s: go vet succeeded, want a finding; output:\n%s", goarch, out)
		}
		got := string(out)
		if !strings.Contains(got, "call to syscall.Getpid") || !strings.Contains(got, "in child path (child)") {
			t.Errorf("%s: missing Getpid finding in:\n%s", goarch, got)
		}
		if !strings.Contains(got, "call to atomic.AddInt32") {
			t.Errorf("%s: missing sync/atomic finding in:\n%s", goarch, got)
		}
		if strings.Contains(got, "RawSyscall") {
			t.Errorf("%s: false positive in:\n%s", goarch, got)
		}
	}
}

// TestEscapeMode runs childcheck -escape on the analyzer's escape testdata.
func TestEscapeMode(t *testing.T) {
	bin := build(t)
	dir := filepath.Join("..", "..", "analysis", "childcheck", "testdata", "escape")
	out, err := exec.Command(bin, "-escape", "-goos", "linux", "-goarch", "riscv64", "-C", dir, "./bad").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("bad: err %v, want exit status 1; output:\n%s", err, out)
	}
	if !strings.Contains(string(out), "moved to heap: x (in child function child)") {
		t.Errorf("bad: output lacks the planted escape:\n%s", out)
	}
	out, err = exec.Command(bin, "-escape", "-goos", "linux", "-goarch", "riscv64", "-C", dir, "./good").CombinedOutput()
	if err != nil {
		t.Fatalf("good: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "no heap escapes in 2 child function(s)") {
		t.Errorf("good: unexpected output:\n%s", out)
	}
}
