package suite_test

import (
	"context"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/forkexec/forkexec/conformance/suite"
	"github.com/forkexec/forkexec/forkexec"
)

// TestHost runs every scenario on this machine, one subtest each. The
// workers are this test binary again, narrowed to this test: the plain
// call of suite.Run is all it takes.
func TestHost(t *testing.T) {
	// The probe is C, built with $CC or cc (see conformance/probe).
	cc := strings.Fields(os.Getenv("CC") + " cc")[0]
	if _, err := exec.LookPath(cc); err != nil {
		t.Skipf("the conformance probe needs a C compiler: %v (install gcc and libc6-dev, or set $CC)", err)
	}
	out, err := suite.Run(context.Background(), suite.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.Results {
		t.Run(r.Scenario, func(t *testing.T) {
			switch r.Status {
			case suite.NotRun, suite.NotApplicable:
				t.Skip(r.Reason)
			case suite.Same, suite.Pass:
			case suite.Known:
				for _, d := range r.Diffs {
					t.Logf("known difference %s: syscall=%s forkexec=%s (%s)", d.Field, d.Ref, d.Impl, d.Known)
				}
			default:
				t.Errorf("%s: %s", r.Status, r.Reason)
				for _, d := range r.Diffs {
					t.Errorf("  %s: syscall=%s forkexec=%s", d.Field, d.Ref, d.Impl)
				}
			}
		})
	}
}

// TestScenarioCount keeps the suite at the size the issue asks for.
func TestScenarioCount(t *testing.T) {
	n := 0
	for _, s := range suite.Scenarios() {
		if s.Compared() {
			n++
		}
	}
	if n < 60 {
		t.Errorf("%d comparison scenarios, want at least 60", n)
	}
}

// TestMirrorTypes checks that the adapter can carry every field: forkexec's
// SysProcAttr has each syscall.SysProcAttr field with the same name and an
// equivalent type, and ToForkexec copies each one.
func TestMirrorTypes(t *testing.T) {
	st := reflect.TypeOf(syscall.SysProcAttr{})
	ft := reflect.TypeOf(forkexec.SysProcAttr{})
	for i := 0; i < st.NumField(); i++ {
		sf := st.Field(i)
		ff, ok := ft.FieldByName(sf.Name)
		if !ok {
			t.Errorf("forkexec.SysProcAttr lacks %s", sf.Name)
			continue
		}
		if sf.Type.String() != strings.ReplaceAll(ff.Type.String(), "forkexec.", "syscall.") {
			t.Errorf("%s: syscall has %v, forkexec has %v", sf.Name, sf.Type, ff.Type)
		}
	}
	in := &syscall.ProcAttr{Dir: "d", Env: []string{"e"}, Files: []uintptr{1}, Sys: mirrorInput()}
	out := suite.ToForkexec(in)
	sv, fv := reflect.ValueOf(*in.Sys), reflect.ValueOf(*out.Sys)
	for i := 0; i < st.NumField(); i++ {
		name := st.Field(i).Name
		a, b := sv.Field(i), fv.FieldByName(name)
		switch name {
		case "Credential":
			c := out.Sys.Credential
			if c == nil || c.Uid != 1 || c.Gid != 2 || !reflect.DeepEqual(c.Groups, []uint32{3}) || !c.NoSetGroups {
				t.Errorf("Credential not copied: %+v", c)
			}
		case "UidMappings", "GidMappings":
			if a.Len() != b.Len() || a.Index(0).Field(1).Int() != b.Index(0).Field(1).Int() {
				t.Errorf("%s not copied", name)
			}
		default:
			if !reflect.DeepEqual(a.Interface(), b.Interface()) {
				t.Errorf("%s not copied: %v vs %v", name, a, b)
			}
		}
	}
	if out.Dir != "d" || len(out.Env) != 1 || len(out.Files) != 1 {
		t.Errorf("ProcAttr not copied: %+v", out)
	}
	if out.Sys.ResetSignals || out.Sys.CloseFDs {
		t.Error("extensions must stay off")
	}
}

// TestExtFeatures checks that every field of suite.Ext names a feature
// (an untagged field would ask for nothing, and an implementation without
// the extension would be run with it), that setting it asks for exactly
// that feature, and that forkexec has each one.
func TestExtFeatures(t *testing.T) {
	et := reflect.TypeOf(suite.Ext{})
	seen := map[suite.Feature]bool{}
	for i := 0; i < et.NumField(); i++ {
		f := et.Field(i)
		tag := suite.Feature(f.Tag.Get("feature"))
		if tag == "" {
			t.Errorf("Ext.%s has no feature tag", f.Name)
			continue
		}
		if seen[tag] {
			t.Errorf("feature %s tagged twice", tag)
		}
		seen[tag] = true
		var e suite.Ext
		v := reflect.ValueOf(&e).Elem().Field(i)
		switch v.Kind() {
		case reflect.Bool:
			v.SetBool(true)
		case reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
		case reflect.Slice:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0)) // empty, not nil: asked for
		case reflect.String:
			v.SetString("x")
		case reflect.Int64:
			v.SetInt(1)
		default:
			t.Fatalf("Ext.%s: extend this test for kind %v", f.Name, v.Kind())
		}
		if got := e.Features(); !reflect.DeepEqual(got, []suite.Feature{tag}) {
			t.Errorf("Ext{%s: true}.Features() = %v, want [%s]", f.Name, got, tag)
		}
		if !suite.Has(suite.Forkexec, tag) {
			t.Errorf("forkexec lacks %s", tag)
		}
		if suite.Has(suite.Stdlib, tag) {
			t.Errorf("the stdlib has %s", tag)
		}
	}
	if len((suite.Ext{}).Features()) != 0 {
		t.Error("the zero Ext asks for features")
	}
}
