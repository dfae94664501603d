//go:build freebsd

package forkexec_test

// Actions on FreeBSD: written to run there as exec_freebsd_test.go's tests
// are; compiled and vetted here, not yet run (README, "What has run
// where").

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/forkexec/forkexec/forkexec"
)

// TestActionsFreeBSD: the file actions and the directory ones, as /bin/sh
// and the file system find them.
func TestActionsFreeBSD(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if err := os.WriteFile(in, []byte("from fd 7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := startAndRead(t, func(w *os.File) (int, error) {
		return forkexec.Spawn("/bin/sh", []string{"sh", "-c", "cat <&7; pwd; test -e /dev/fd/9 || echo 9 closed"}, &forkexec.ProcAttr{
			Files: []uintptr{0, w.Fd(), 2},
			Sys: &forkexec.SysProcAttr{Actions: []forkexec.Action{
				forkexec.OpenFile(8, in, syscall.O_RDONLY, 0),
				forkexec.Dup2(8, 7),
				forkexec.OpenFile(9, "/dev/null", syscall.O_RDONLY, 0),
				forkexec.CloseFile(9),
				forkexec.Chdir(dir),
				forkexec.Mkdir("made", 0o750),
				forkexec.Symlink("made", "link"),
				forkexec.WriteFile("made/f", []byte("hello"), 0o640),
				forkexec.Chdir("made"),
				forkexec.Setrlimit(syscall.RLIMIT_CORE, 0, 0),
			}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	madeDir, _ := filepath.EvalSymlinks(filepath.Join(dir, "made"))
	if want := "from fd 7\n" + madeDir + "\n9 closed\n"; string(out) != want {
		t.Errorf("output %q, want %q", out, want)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "link", "f")); err != nil || string(b) != "hello" {
		t.Errorf("made/f through link: %q, %v", b, err)
	}
}

// TestActionsFreeBSDRefused: what FreeBSD has not (mounts, pivot_root,
// hostname, setns) and ParentHook are refused before the fork.
func TestActionsFreeBSDRefused(t *testing.T) {
	for _, sys := range []*forkexec.SysProcAttr{
		{Actions: []forkexec.Action{forkexec.Chdir("/"), forkexec.Mount("tmpfs", "/mnt", "tmpfs", 0, "")}},
		{Actions: []forkexec.Action{forkexec.Chdir("/"), forkexec.PivotRoot("/mnt")}},
		{Actions: []forkexec.Action{forkexec.Chdir("/"), forkexec.Sethostname("x")}},
		{ParentHook: func(int) error { return nil }},
	} {
		_, err := forkexec.Spawn("/usr/bin/true", []string{"true"}, &forkexec.ProcAttr{Sys: sys})
		var e *forkexec.Error
		if !errors.As(err, &e) || e.Errno != syscall.EOPNOTSUPP || e.Index != -1 {
			t.Errorf("%+v: %v, want EOPNOTSUPP before the fork", sys, err)
		}
		if sys.ParentHook == nil && e != nil && e.Action != 1 {
			t.Errorf("%v: action %d, want 1", err, e.Action)
		}
	}
}
