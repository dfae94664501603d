// Package targets is the list of GOOS/GOARCH targets forkexec supports. The
// list lives in targets.txt beside this file, one "GOOS GOARCH" a line, so
// that the shell scripts (mkall.sh, .ci/) and the Go code (the stub
// generator, the tests) read the same list and cannot drift apart.
package targets

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
)

// File is the path of the list from the repository root, for messages and
// for the shell scripts that read it.
const File = "internal/targets/targets.txt"

//go:embed targets.txt
var text string

// Target is one GOOS/GOARCH pair.
type Target struct {
	GOOS, GOARCH string
}

func (t Target) String() string { return t.GOOS + "/" + t.GOARCH }

// all is the parsed list. A malformed targets.txt is a bug in this
// repository, not a run-time condition: the package's test rejects it, and
// so does every program that uses the package, at start-up.
var all = mustParse(text)

func mustParse(s string) []Target {
	ts, err := parse(s)
	if err != nil {
		panic(err)
	}
	return ts
}

// parse reads the list: a line holds a GOOS and a GOARCH separated by
// spaces; blank lines and lines starting with # are ignored. A target may
// appear only once.
func parse(s string) ([]Target, error) {
	var ts []Target
	seen := map[Target]bool{}
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, fmt.Errorf("%s:%d: %q: want GOOS GOARCH", File, i+1, line)
		}
		t := Target{GOOS: f[0], GOARCH: f[1]}
		if seen[t] {
			return nil, fmt.Errorf("%s:%d: %s listed twice", File, i+1, t)
		}
		seen[t] = true
		ts = append(ts, t)
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("%s: no targets", File)
	}
	return ts, nil
}

// All returns every target, in the list's order.
func All() []Target {
	return append([]Target(nil), all...)
}

// GOOSes returns each GOOS of the list once, in order of first appearance.
func GOOSes() []string {
	var goos []string
	for _, t := range all {
		if !slices.Contains(goos, t.GOOS) {
			goos = append(goos, t.GOOS)
		}
	}
	return goos
}

// Arches returns the GOARCHes listed for goos, in the list's order; none
// for a GOOS the list does not have.
func Arches(goos string) []string {
	var arches []string
	for _, t := range all {
		if t.GOOS == goos {
			arches = append(arches, t.GOARCH)
		}
	}
	return arches
}
