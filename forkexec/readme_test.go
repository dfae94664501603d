//go:build linux

package forkexec_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// readmeFragments are the Go blocks of README.md, by first line, that are
// not whole programs, and why they are let through: any other fragment
// fails TestReadmeExamples.
var readmeFragments = map[string]string{
	"// Before": "package exec's before and after, in the section its owner edits",
	"// After: the import, and SysProcAttr is forkexec's (same fields, more of them)": "package exec's before and after, in the section its owner edits",
	"type mine struct{}":             "the conformance suite's plug-in outline: myfork stands for the reader's own package (conformance's TestExternalModule builds the real thing)",
	"suite.Register(suite.Scenario{": "a conformance scenario in five lines, a fragment of the program above",
}

// TestReadmeExamples builds and runs every Go block of README.md, as
// written: each must be a whole program, build against this checkout
// (the blocks are written to a directory inside this module, so the
// import of github.com/forkexec/forkexec/forkexec is this one), exit 0,
// and leave no child behind, waited for or not: the test process is the
// programs' subreaper while they run, so any child they leave comes to it.
func TestReadmeExamples(t *testing.T) {
	md, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)\n```go\n(.*?)\n```\n").FindAllSubmatch(md, -1)
	if len(blocks) < 3 {
		t.Fatalf("README.md has %d Go blocks; want the example and the before and after of switching", len(blocks))
	}
	dir, err := os.MkdirTemp("testdata", "readme-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for i, b := range blocks {
		src := string(b[1])
		t.Run(fmt.Sprintf("block%d", i+1), func(t *testing.T) {
			if !strings.HasPrefix(src, "package main\n") || !strings.Contains(src, "\nfunc main() {") {
				first, _, _ := strings.Cut(src, "\n")
				if why, ok := readmeFragments[first]; ok {
					t.Skipf("a fragment, not a whole program, so it cannot be run as written (%s): %q", why, first)
				}
				t.Fatalf("not a whole program (package main with func main), so it cannot be run as written:\n%s", src)
			}
			pkg := filepath.Join(dir, fmt.Sprint(i+1))
			if err := os.Mkdir(pkg, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(pkg, "main.go"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			prog, err := filepath.Abs(filepath.Join(pkg, "prog"))
			if err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(goTool(), "build", "-o", prog, "./"+pkg).CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s\n%s", err, out, src)
			}
			if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(prog).CombinedOutput()
			unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
			if err != nil {
				t.Fatalf("running it: %v\n%s", err, out)
			}
			t.Logf("output:\n%s", out)
			var ws syscall.WaitStatus
			if pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG|syscall.WALL, nil); err != syscall.ECHILD {
				t.Errorf("the program left a child (wait4: %d, %v): it must wait for what it starts", pid, err)
				// Reap it (and any other), so that later tests find none.
				for err == nil {
					_, err = syscall.Wait4(-1, &ws, syscall.WALL, nil)
				}
			}
		})
	}
}
