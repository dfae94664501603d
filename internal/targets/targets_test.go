package targets

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestListIsValid: every listed target is one the Go toolchain knows.
// -broken includes the ports Go marks broken: freebsd/riscv64 is one (it
// builds, but Go's builders do not vouch for it).
func TestListIsValid(t *testing.T) {
	out, err := exec.Command("go", "tool", "dist", "list", "-broken").Output()
	if err != nil {
		t.Skipf("go tool dist list: %v", err)
	}
	known := strings.Fields(string(out))
	for _, tg := range All() {
		if !slices.Contains(known, tg.String()) {
			t.Errorf("%s: %s is not a Go target (go tool dist list -broken)", File, tg)
		}
	}
}

func TestParse(t *testing.T) {
	ts, err := parse("# comment\n\nlinux amd64\n  linux   arm64  \nfreebsd amd64\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []Target{{"linux", "amd64"}, {"linux", "arm64"}, {"freebsd", "amd64"}}
	if !slices.Equal(ts, want) {
		t.Errorf("got %v, want %v", ts, want)
	}
	for _, bad := range []string{
		"linux\n",                          // no GOARCH
		"linux amd64 extra\n",              // too many fields
		"linux amd64\nlinux amd64\n",       // twice
		"# only a comment\n",               // empty
		"linux amd64 # trailing comment\n", // comments take whole lines
	} {
		if _, err := parse(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestGOOSesAndArches(t *testing.T) {
	saved := all
	defer func() { all = saved }()
	all = mustParse("linux amd64\nfreebsd amd64\nlinux 386\n")
	if got := GOOSes(); !slices.Equal(got, []string{"linux", "freebsd"}) {
		t.Errorf("GOOSes() = %v", got)
	}
	if got := Arches("linux"); !slices.Equal(got, []string{"amd64", "386"}) {
		t.Errorf("Arches(linux) = %v", got)
	}
	if got := Arches("plan9"); got != nil {
		t.Errorf("Arches(plan9) = %v, want none", got)
	}
}

// TestShellFunctions: targets.sh, which the shell scripts use, reads the
// list as the Go parser does.
func TestShellFunctions(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	run := func(call string) []string {
		t.Helper()
		out, err := exec.Command("bash", "-c", "set -euo pipefail; source targets.sh; "+call).Output()
		if err != nil {
			t.Fatalf("%s: %v", call, err)
		}
		return strings.Fields(string(out))
	}
	var want []string
	for _, tg := range All() {
		want = append(want, tg.String())
	}
	if got := run("target_list"); !slices.Equal(got, want) {
		t.Errorf("target_list = %v, want %v", got, want)
	}
	if got := run("target_gooses"); !slices.Equal(got, GOOSes()) {
		t.Errorf("target_gooses = %v, want %v", got, GOOSes())
	}
	for _, goos := range GOOSes() {
		if got := run("target_arches " + goos); !slices.Equal(got, Arches(goos)) {
			t.Errorf("target_arches %s = %v, want %v", goos, got, Arches(goos))
		}
	}
}
