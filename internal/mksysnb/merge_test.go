package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestMerge(t *testing.T) {
	f := stub{"rawF", "func rawF() {}\n"}
	g := stub{"rawG", "func rawG() {}\n"}
	h := stub{"rawH", "func rawH() {}\n"}
	hB := stub{"rawH", "func rawH() { b() }\n"}
	for _, tc := range []struct {
		name       string
		stubsOf    map[string][]stub
		wantShared []stub
		wantOwn    map[string][]stub
	}{{
		name:       "identical",
		stubsOf:    map[string][]stub{"a": {f, g}, "b": {f, g}},
		wantShared: []stub{f, g},
		wantOwn:    map[string][]stub{},
	}, {
		name:       "one differing",
		stubsOf:    map[string][]stub{"a": {f, h, g}, "b": {f, hB, g}, "c": {f, h, g}},
		wantShared: []stub{f, g},
		wantOwn:    map[string][]stub{"a": {h}, "b": {hB}, "c": {h}},
	}, {
		name:       "one missing in an arch",
		stubsOf:    map[string][]stub{"a": {f, g}, "b": {f}},
		wantShared: []stub{f},
		wantOwn:    map[string][]stub{"a": {g}},
	}, {
		name:       "missing in the first arch",
		stubsOf:    map[string][]stub{"a": {f}, "b": {g, f}},
		wantShared: []stub{f},
		wantOwn:    map[string][]stub{"b": {g}},
	}, {
		name:       "shared in the first arch's order, own in each arch's",
		stubsOf:    map[string][]stub{"a": {g, f, h}, "b": {hB, f, g}},
		wantShared: []stub{g, f},
		wantOwn:    map[string][]stub{"a": {h}, "b": {hB}},
	}, {
		name:       "one arch: everything shared",
		stubsOf:    map[string][]stub{"a": {f, g}},
		wantShared: []stub{f, g},
		wantOwn:    map[string][]stub{},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			var arches []string
			for _, arch := range []string{"a", "b", "c"} {
				if _, ok := tc.stubsOf[arch]; ok {
					arches = append(arches, arch)
				}
			}
			shared, own, err := merge(arches, tc.stubsOf)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(shared, tc.wantShared) {
				t.Errorf("shared = %v, want %v", shared, tc.wantShared)
			}
			if !reflect.DeepEqual(own, tc.wantOwn) {
				t.Errorf("own = %v, want %v", own, tc.wantOwn)
			}
		})
	}
}

func TestMergeErrors(t *testing.T) {
	f := stub{"rawF", "func rawF() {}\n"}
	if _, _, err := merge([]string{"a", "b"}, map[string][]stub{"a": {f}, "b": {f, f}}); err == nil {
		t.Error("a stub twice in one arch accepted")
	}
	if _, _, err := merge(nil, nil); err == nil {
		t.Error("no arches accepted")
	}
}

// TestWriteFiles: writing a GOOS's stub files replaces its generated files,
// removes the ones this run did not make, and leaves every other file
// alone.
func TestWriteFiles(t *testing.T) {
	dir := t.TempDir()
	generated := "// go run ./internal/mksysnb ...\n// " + generatedMarker + "\n\npackage p\n"
	handWritten := "package p\n"
	for name, src := range map[string]string{
		"zsyscall_linux.go":         generated,
		"zsyscall_linux_amd64.go":   generated,   // stale: amd64 now has no stub of its own
		"zsyscall_linux_s390x.go":   generated,   // rewritten
		"zsyscall_linux_extra.go":   handWritten, // not ours
		"zsyscall_linuxish.go":      generated,   // not linux's
		"zsyscall_freebsd_amd64.go": generated,   // another GOOS's
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	err := writeFiles(dir, "linux", map[string][]byte{
		"zsyscall_linux.go":       []byte("shared"),
		"zsyscall_linux_s390x.go": []byte("s390x"),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"zsyscall_linux.go":         "shared",
		"zsyscall_linux_s390x.go":   "s390x",
		"zsyscall_linux_extra.go":   handWritten,
		"zsyscall_linuxish.go":      generated,
		"zsyscall_freebsd_amd64.go": generated,
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		src, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got[e.Name()] = string(src)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("directory after writeFiles:\n%q\nwant:\n%q", got, want)
	}
}
