package main

import (
	"bytes"
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/forkexec/forkexec/internal/targets"
)

// sysnumDir is x/sys/unix's directory, holding the zsysnum tables the
// generator checks against.
func sysnumDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/sys").Output()
	if err != nil {
		t.Skipf("cannot locate golang.org/x/sys: %v", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "unix")
}

func writeDecls(t *testing.T, src string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "decl.go")
	if err := os.WriteFile(name, []byte(src), 0o666); err != nil {
		t.Fatal(err)
	}
	return name
}

const procctlDecl = `package p

//sysnb rawProcctl(idtype int, id int64, cmd int, data unsafe.Pointer) (err syscall.Errno)
//sysnb rawLseek(fd int, off int64, whence int) (n int, err syscall.Errno)
//sysvfork rawRforkArgs(flags uintptr) = SYS_RFORK
`

// TestInt64Split checks how a 64-bit argument is passed on each kind of
// target: whole on 64-bit ones, as two words low first on 386, and as two
// words starting at an even slot on arm.
func TestInt64Split(t *testing.T) {
	decl := writeDecls(t, procctlDecl)
	for _, tc := range []struct {
		goarch string
		want   []string
	}{
		{"amd64", []string{
			"syscall.RawSyscall6(unix.SYS_PROCCTL, uintptr(idtype), uintptr(id), uintptr(cmd), uintptr(data), 0, 0)",
			"syscall.RawSyscall6(unix.SYS_LSEEK, uintptr(fd), uintptr(off), uintptr(whence), 0, 0, 0)",
		}},
		{"386", []string{
			"syscall.RawSyscall6(unix.SYS_PROCCTL, uintptr(idtype), uintptr(id), uintptr(id>>32), uintptr(cmd), uintptr(data), 0)",
			"syscall.RawSyscall6(unix.SYS_LSEEK, uintptr(fd), uintptr(off), uintptr(off>>32), uintptr(whence), 0, 0)",
		}},
		{"arm", []string{
			"syscall.RawSyscall6(unix.SYS_PROCCTL, uintptr(idtype), 0, uintptr(id), uintptr(id>>32), uintptr(cmd), uintptr(data))",
			// off already starts at slot 2, an even one: no padding.
			"syscall.RawSyscall6(unix.SYS_LSEEK, uintptr(fd), 0, uintptr(off), uintptr(off>>32), uintptr(whence), 0)",
		}},
	} {
		out, err := run("freebsd", tc.goarch, sysnumDir(t), []string{decl})
		if err != nil {
			t.Fatalf("freebsd/%s: %v", tc.goarch, err)
		}
		for _, w := range tc.want {
			if !bytes.Contains(out, []byte(w)) {
				t.Errorf("freebsd/%s: output lacks %s\n%s", tc.goarch, w, out)
			}
		}
	}
}

// TestArmOddSlotPadding: on arm, a 64-bit argument that would start at an
// odd slot moves up one, leaving a zero slot.
func TestArmOddSlotPadding(t *testing.T) {
	decl := writeDecls(t, `package p

//sysnb rawPread(fd int, buf unsafe.Pointer, n uintptr, off int64) (r int, err syscall.Errno)
`)
	out, err := run("freebsd", "arm", sysnumDir(t), []string{decl})
	if err != nil {
		t.Fatal(err)
	}
	want := "syscall.RawSyscall6(unix.SYS_PREAD, uintptr(fd), uintptr(buf), n, 0, uintptr(off), uintptr(off>>32))"
	if !bytes.Contains(out, []byte(want)) {
		t.Errorf("output lacks %s\n%s", want, out)
	}
}

// TestVforkArgsTooMany: a //sysvfork stub cannot take more than three
// argument slots, counting a split 64-bit argument as two.
func TestVforkArgsTooMany(t *testing.T) {
	decl := writeDecls(t, `package p

//sysvfork rawForkArgs(a int, b int64, c int) = SYS_RFORK
`)
	if _, err := run("freebsd", "amd64", "", []string{decl}); err != nil {
		t.Errorf("freebsd/amd64: %v; three slots should do", err)
	}
	if _, err := run("freebsd", "386", "", []string{decl}); err == nil {
		t.Errorf("freebsd/386: four slots accepted for a //sysvfork stub")
	}
}

// TestSysnumCheck: the generator refuses a system call the target lacks.
func TestSysnumCheck(t *testing.T) {
	decl := writeDecls(t, `package p

//sysnb rawClone3(args uintptr, size uintptr) (err syscall.Errno)
`)
	if _, err := run("freebsd", "amd64", sysnumDir(t), []string{decl}); err == nil || !strings.Contains(err.Error(), "has no SYS_CLONE3") {
		t.Errorf("got %v, want a missing SYS_CLONE3 error", err)
	}
}

// TestUnsupportedTarget: an unknown target is an error, not a guess.
func TestUnsupportedTarget(t *testing.T) {
	decl := writeDecls(t, procctlDecl)
	if _, err := run("freebsd", "ppc64le", "", []string{decl}); err == nil {
		t.Error("freebsd/ppc64le accepted")
	}
}

// TestGeneratedUpToDate regenerates the committed stub files as mkall.sh
// does and compares: a file mkall.sh would change, add or remove is stale.
func TestGeneratedUpToDate(t *testing.T) {
	dir := sysnumDir(t)
	// runMerged names its input files and directory in the header as
	// given, so generate from the repository root as mkall.sh does.
	t.Chdir(filepath.Join("..", ".."))
	for _, goos := range targets.GOOSes() {
		declFile := filepath.Join("forkexec", "syscall_"+goos+".go")
		want, err := runMerged(goos, "forkexec", dir, []string{declFile})
		if err != nil {
			t.Fatalf("%s: %v", goos, err)
		}
		for _, base := range slices.Sorted(maps.Keys(want)) {
			got, err := os.ReadFile(filepath.Join("forkexec", base))
			if err != nil {
				t.Errorf("%v (run mkall.sh)", err)
			} else if !bytes.Equal(got, want[base]) {
				t.Errorf("forkexec/%s is stale: run mkall.sh", base)
			}
		}
		committed, err := filepath.Glob(filepath.Join("forkexec", "zsyscall_"+goos+"*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range committed {
			base := filepath.Base(name)
			if _, ok := want[base]; !ok && (base == sharedFile(goos) || strings.HasPrefix(base, "zsyscall_"+goos+"_")) {
				t.Errorf("%s is no longer generated: run mkall.sh", name)
			}
		}
	}
}

// TestTargetTableMatchesList: the generator knows every target of the list
// and no other, so a target added to targets.txt without its quirks in
// arch.go (or left in arch.go after leaving the list) fails here.
func TestTargetTableMatchesList(t *testing.T) {
	listed := map[targets.Target]bool{}
	for _, tg := range targets.All() {
		listed[tg] = true
		if _, ok := lookupTarget(tg.GOOS, tg.GOARCH); !ok {
			t.Errorf("%s lists %s; arch.go's targetTable does not", targets.File, tg)
		}
	}
	for _, tg := range targetTable {
		if !listed[targets.Target{GOOS: tg.goos, GOARCH: tg.goarch}] {
			t.Errorf("arch.go's targetTable has %s/%s; %s does not", tg.goos, tg.goarch, targets.File)
		}
	}
}

// TestDocExample: the declarations the package documentation shows as an
// example are accepted and generate, with the system call check, for every
// Linux target (they are Linux's: clone and dup3 are not FreeBSD calls).
func TestDocExample(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "mksysnb.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	var example []string
	for _, line := range strings.Split(f.Doc.Text(), "\n") {
		if strings.HasPrefix(line, "\t//sysnb ") || strings.HasPrefix(line, "\t//sysvfork ") {
			example = append(example, strings.TrimPrefix(line, "\t"))
		}
	}
	src := strings.Join(example, "\n")
	if !strings.Contains(src, "//sysnb ") || !strings.Contains(src, "//sysvfork ") {
		t.Fatalf("the package doc shows no //sysnb and //sysvfork example; found:\n%s", src)
	}
	decl := writeDecls(t, "package p\n\n"+src+"\n")
	files, err := runMerged("linux", "out", sysnumDir(t), []string{decl})
	if err != nil {
		t.Fatalf("the doc example does not generate: %v\n%s", err, src)
	}
	var all []byte
	for _, out := range files {
		all = append(all, out...)
	}
	for _, line := range example {
		name, _, _ := strings.Cut(strings.Fields(line)[1], "(")
		if !bytes.Contains(all, []byte("func "+name+"(")) {
			t.Errorf("no stub for %s", line)
		}
	}
}

// TestMergedMatchesSingleTarget: for every target, the stubs of the shared
// file and of the target's own file are exactly those the generator makes
// for that target alone, byte for byte, and the shared file builds for the
// listed arches of its GOOS and no other.
func TestMergedMatchesSingleTarget(t *testing.T) {
	dir := sysnumDir(t)
	t.Chdir(filepath.Join("..", ".."))
	for _, goos := range targets.GOOSes() {
		declFile := filepath.Join("forkexec", "syscall_"+goos+".go")
		files, err := runMerged(goos, "forkexec", dir, []string{declFile})
		if err != nil {
			t.Fatalf("%s: %v", goos, err)
		}
		shared := files[sharedFile(goos)]
		if shared == nil {
			t.Fatalf("%s: no stub shared by all arches; want most of them", goos)
		}
		expr := buildConstraint(t, shared)
		for _, arch := range []string{"amd64", "386", "mips", "ppc64", "wasm"} {
			want := slices.Contains(targets.Arches(goos), arch)
			if got := expr.Eval(func(tag string) bool { return tag == goos || tag == arch }); got != want {
				t.Errorf("%s builds for %s/%s: %v, want %v", sharedFile(goos), goos, arch, got, want)
			}
		}
		for _, arch := range targets.Arches(goos) {
			single, err := run(goos, arch, dir, []string{declFile})
			if err != nil {
				t.Fatal(err)
			}
			want := funcSources(t, single)
			got := append(funcSources(t, shared), funcSources(t, files[ownFile(goos, arch)])...)
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s/%s: merged stubs differ from the target's own:\ngot:\n%s\nwant:\n%s", goos, arch, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
	}
}

// funcSources returns the source of each function in src, its comment
// directives included; none if src is nil.
func funcSources(t *testing.T, src []byte) []string {
	t.Helper()
	if src == nil {
		return nil
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			out = append(out, string(src[fset.Position(fd.Doc.Pos()).Offset:fset.Position(fd.End()).Offset]))
		}
	}
	return out
}

// buildConstraint returns the //go:build expression of a generated file.
func buildConstraint(t *testing.T, src []byte) constraint.Expr {
	t.Helper()
	for _, line := range strings.Split(string(src), "\n") {
		if constraint.IsGoBuild(line) {
			expr, err := constraint.Parse(line)
			if err != nil {
				t.Fatal(err)
			}
			return expr
		}
	}
	t.Fatalf("no //go:build line in\n%s", src)
	return nil
}
