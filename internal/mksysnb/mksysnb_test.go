package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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

// TestGeneratedUpToDate regenerates every committed zsyscall file and
// compares: what mkall.sh would change is stale.
func TestGeneratedUpToDate(t *testing.T) {
	dir := sysnumDir(t)
	root := filepath.Join("..", "..")
	for _, tg := range targets {
		declFile := filepath.Join("forkexec", "syscall_"+tg.goos+".go")
		if _, err := os.Stat(filepath.Join(root, declFile)); err != nil {
			continue
		}
		genFile := filepath.Join(root, "forkexec", "zsyscall_"+tg.goos+"_"+tg.goarch+".go")
		want, err := os.ReadFile(genFile)
		if err != nil {
			t.Errorf("%s/%s: %v (run mkall.sh)", tg.goos, tg.goarch, err)
			continue
		}
		// run names its input files in the header as given, so generate
		// from the repository root as mkall.sh does.
		got := func() []byte {
			wd, err := os.Getwd()
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Chdir(root); err != nil {
				t.Fatal(err)
			}
			defer os.Chdir(wd)
			out, err := run(tg.goos, tg.goarch, dir, []string{declFile})
			if err != nil {
				t.Fatalf("%s/%s: %v", tg.goos, tg.goarch, err)
			}
			return out
		}()
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run mkall.sh", genFile)
		}
	}
}
