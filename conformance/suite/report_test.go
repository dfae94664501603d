package suite_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
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

// TestRecordRoundTrip: an outcome written as JSON reads back the same,
// with what several arches share written once; a record of format 1
// (every field in place, no format key) is read too; a later format is
// refused.
func TestRecordRoundTrip(t *testing.T) {
	o := outcome("a")
	o.Results = append(o.Results, suite.Result{Scenario: "ptrace", Group: "proc", Arch: "arm64", Status: suite.NotRun, Reason: "qemu"})
	o.Results[1].Fields["only-amd64"] = "x" // setsid on amd64 has a field of its own
	o.Results[3].Fields["sid"] = "$child"   // and one value differs on arm64
	// By value: MarshalJSON writes an Outcome the same either way.
	data, err := json.Marshal(*o)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"format":2`, `"shared_fields":{"files-std":{"fd.count":"3","hostname":"a"}`, `"shared":true`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("record lacks %s:\n%s", want, data)
		}
	}
	var back suite.Outcome
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o, &back) {
		t.Errorf("read back\n%+v\nwant\n%+v", back.Results, o.Results)
	}

	dir := t.TempDir()
	v1 := filepath.Join(dir, "v1.json")
	os.WriteFile(v1, []byte(`{"arches":["amd64"],"results":[{"scenario":"files-std","group":"files","arch":"amd64","status":"same","fields":{"fd.count":"3"}}],"probe":"cc","under_test":"forkexec","env":{"kernel":"k","libc":"l","go":"g","date":"d"}}`), 0o644)
	old, err := suite.ReadOutcome(v1)
	if err != nil {
		t.Fatalf("format 1: %v", err)
	}
	if len(old.Results) != 1 || old.Results[0].Fields["fd.count"] != "3" || old.Env.Kernel != "k" {
		t.Errorf("format 1 read as %+v", old)
	}

	later := filepath.Join(dir, "later.json")
	os.WriteFile(later, []byte(`{"format":3,"arches":["amd64"],"results":[{"scenario":"files-std"}]}`), 0o644)
	if _, err := suite.ReadOutcome(later); err == nil || !strings.Contains(err.Error(), "record format 3, written by a later version") {
		t.Errorf("format 3: error %v, want a refusal naming the format", err)
	}
}

// TestHTMLWholeColumn: a column not run at all (FreeBSD on Linux) is
// explained once in the page, not only on hover.
func TestHTMLWholeColumn(t *testing.T) {
	o := outcome("a")
	o.Arches = append(o.Arches, "freebsd")
	for _, s := range []string{"files-std", "setsid"} {
		o.Results = append(o.Results, suite.Result{Scenario: s, Group: "g", Arch: "freebsd", Status: suite.NotRun, Reason: "no FreeBSD host"})
	}
	var b strings.Builder
	if err := suite.WriteHTML(&b, o, nil); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if n := strings.Count(page, "<dt id="); n != 2 {
		t.Errorf("%d detail entries, want 2 (the freebsd column, setsid)", n)
	}
	for _, want := range []string{`<span class="notrun">every scenario [freebsd]</span></dt><dd>not run: no FreeBSD host</dd>`, `<a href="#d0">-</a>`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
}
