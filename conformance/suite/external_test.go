package suite_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkexec/forkexec/conformance/suite"
)

// externalMain is a program in a module of its own that plugs a thin
// wrapper of syscall.ForkExec in, adds a scenario of its own, and makes
// the plain call of suite.Run: the suite must find its probe and workers
// by itself.
const externalMain = `package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"syscall"

	"github.com/forkexec/forkexec/conformance/suite"
)

type mine struct{}

func (mine) Name() string { return "mine" }
func (mine) ForkExec(argv0 string, argv []string, attr *syscall.ProcAttr) (int, error) {
	return syscall.ForkExec(argv0, argv, attr)
}

func init() {
	suite.RegisterImpl(mine{})
	suite.Register(suite.Scenario{
		Name: "mine-setsid-env", Group: "mine", Doc: "Setsid with an environment of two variables",
		Setup: func(c *suite.Ctx) error { c.Sys().Setsid = true; c.Attr.Env = []string{"A=1", "B=2"}; return nil },
	})
}

func main() {
	out, err := suite.Run(context.Background(), suite.Config{UnderTest: "mine"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
`

// repoRoot returns the root of this module (two levels up from here).
func repoRoot(t *testing.T) string {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "go.mod")); err != nil || !strings.Contains(string(b), "module github.com/forkexec/forkexec\n") {
		t.Fatalf("%s is not the forkexec module root", root)
	}
	return root
}

// TestExternalModule builds a separate module that tests a wrapper of
// syscall.ForkExec: every compared scenario must come out the same, every
// extension not applicable (the wrapper has no features), and its own
// scenario must run.
func TestExternalModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module (-short)")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	root := repoRoot(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	gomod := "module example.com/mine\n\ngo 1.26.0\n\nrequire github.com/forkexec/forkexec v0.0.0\n\nreplace github.com/forkexec/forkexec => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"go.mod": []byte(gomod), "go.sum": sum, "main.go": []byte(externalMain)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run in the external module: %v\n%s", err, stderr.String())
	}
	var out suite.Outcome
	if err := json.Unmarshal(stdout, &out); err != nil {
		t.Fatalf("external module's output: %v\n%.2000s", err, stdout)
	}
	if out.UnderTest != "mine" {
		t.Errorf("under test %q, want mine", out.UnderTest)
	}
	counts := map[suite.Status]int{}
	sawOwn := false
	for _, r := range out.Results {
		counts[r.Status]++
		s := suite.Lookup(r.Scenario)
		ext := r.Group == "extension"
		switch {
		case r.Scenario == "mine-setsid-env":
			sawOwn = true
			if r.Status != suite.Same {
				t.Errorf("own scenario: %s %s", r.Status, r.Reason)
			}
		case s == nil:
			t.Errorf("%s: not a scenario of this suite", r.Scenario)
		case ext:
			if r.Status != suite.NotApplicable || !strings.HasPrefix(r.Reason, "mine lacks ") {
				t.Errorf("extension %s: %s %q, want not applicable (mine lacks ...)", r.Scenario, r.Status, r.Reason)
			}
		case r.Status == suite.NotRun:
			t.Logf("%s not run: %s", r.Scenario, r.Reason)
		case r.Status != suite.Same:
			t.Errorf("%s: %s %s %v", r.Scenario, r.Status, r.Reason, r.Diffs)
		}
	}
	if !sawOwn {
		t.Error("the external module's own scenario did not run")
	}
	if want := len(suite.Scenarios()) + 1; len(out.Results) != want {
		t.Errorf("%d results, want %d", len(out.Results), want)
	}
	if counts[suite.Same] < 100 || counts[suite.NotApplicable] < 20 {
		t.Errorf("counts %v: want most scenarios same and every extension n/a", counts)
	}
	t.Logf("external module: %v", counts)
}
