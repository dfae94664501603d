package childcheck_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forkexec/forkexec/analysis/childcheck"
	"golang.org/x/tools/go/analysis/analysistest"
)

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), childcheck.Analyzer, "bad", "good")
}

func TestEscapeCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := filepath.Join(analysistest.TestData(), "escape")
	for _, target := range []struct{ goos, goarch string }{{"linux", "amd64"}, {"linux", "arm64"}} {
		t.Run(target.goos+"_"+target.goarch, func(t *testing.T) {
			bad, err := childcheck.EscapeCheck(childcheck.EscapeConfig{Dir: dir, GOOS: target.goos, GOARCH: target.goarch, Package: "./bad"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range bad.Findings {
				got = append(got, fmt.Sprintf("%s:%d %s", filepath.Base(f.File), f.Line, f.Func))
				if !strings.Contains(f.Compiler, "to heap") {
					t.Errorf("finding without a heap diagnostic: %s", f)
				}
			}
			// Line 11: moved to heap: x (in child); line 12: the inlined
			// make in helper; line 18: helper's own make. Line 23
			// (parentOnly) must not be reported.
			want := []string{"bad.go:11 child", "bad.go:12 child", "bad.go:18 helper"}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("bad findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if !strings.Contains(bad.Findings[0].Compiler, "moved to heap: x") {
				t.Errorf("first finding %q, want the planted moved to heap: x", bad.Findings[0].Compiler)
			}

			good, err := childcheck.EscapeCheck(childcheck.EscapeConfig{Dir: dir, GOOS: target.goos, GOARCH: target.goarch, Package: "./good"})
			if err != nil {
				t.Fatal(err)
			}
			if len(good.Findings) != 0 {
				t.Errorf("good: unexpected findings %v", good.Findings)
			}
			if strings.Join(good.ChildFuncs, ",") != "child,sum" {
				t.Errorf("good: child functions %v, want [child sum]", good.ChildFuncs)
			}
		})
	}
}

func TestAllowlistJustified(t *testing.T) {
	for name, why := range childcheck.Allowlist() {
		if strings.TrimSpace(why) == "" {
			t.Errorf("allowlist entry %s has no justification", name)
		}
	}
}
