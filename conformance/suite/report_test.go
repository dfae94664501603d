package suite_test

import (
	"strings"
	"testing"

	"github.com/forkexec/forkexec/conformance/suite"
)

// outcome builds an Outcome of files-std and setsid on amd64 and arm64:
// setsid differs in a documented way on both, files-std is the same.
func outcome(hostname string) *suite.Outcome {
	o := &suite.Outcome{Arches: []string{"amd64", "arm64"}, UnderTest: "forkexec",
		Env: suite.Environment{Kernel: "Linux 6.1", Libc: "glibc 2.36", Go: "go1.26"}}
	for _, a := range o.Arches {
		o.Results = append(o.Results,
			suite.Result{Scenario: "files-std", Group: "files", Arch: a, Status: suite.Same,
				Fields: suite.Fields{"hostname": hostname, "fd.count": "3"}},
			suite.Result{Scenario: "setsid", Group: "session", Arch: a, Status: suite.Known,
				Diffs:  []suite.Diff{{Field: "sid", Ref: "$child", Impl: "$other", Known: "a documented reason"}},
				Fields: suite.Fields{"hostname": hostname, "sid": "$other"}})
	}
	return o
}

func TestHTMLDetailsMerged(t *testing.T) {
	var b strings.Builder
	if err := suite.WriteHTML(&b, outcome("a"), nil); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if n := strings.Count(page, "<dt id="); n != 1 {
		t.Errorf("%d detail entries, want 1 for setsid on both arches", n)
	}
	for _, want := range []string{`setsid [amd64,arm64]`, `class="c known"`, "a documented reason", "same 2, known 2,"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestCompareGroupsCommonChanges(t *testing.T) {
	old, cur := outcome("a"), outcome("b")
	cur.Results[3].Status = suite.Differs // setsid on arm64
	cur.Results[3].Fields["sid"] = "$parent.sid"
	changes := suite.Compare(old, cur)
	if len(changes) != 4 {
		t.Fatalf("%d changes, want 4 (the hostname everywhere): %+v", len(changes), changes)
	}
	var b strings.Builder
	suite.WriteChanges(&b, old, cur)
	for _, want := range []string{
		"setsid [arm64]: known -> DIFFERS",
		"hostname [amd64]: a -> b in every scenario with an outcome (2)",
		"sid [arm64]: $other -> $parent.sid in setsid",
		"4 of 4 results changed (1 verdicts)",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("changes lack %q:\n%s", want, b.String())
		}
	}
}
