//go:build freebsd

package forkexec_test

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/forkexec/forkexec/forkexec"
)

// The settings FreeBSD has beyond the syscall package's, each checked by
// the helper child reporting what it got. Written to run as root on
// FreeBSD with go test ./forkexec; no FreeBSD host has run them yet.

func TestFreeBSDSettings(t *testing.T) {
	exe := testExe(t)
	r := runHelper(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{
		UseUmask: true, Umask: 0o027,
		Rlimits:    []forkexec.Rlimit{{Resource: syscall.RLIMIT_CORE, Cur: 0, Max: 0}},
		NoNewPrivs: true,
	}}, exe, helperArgv(exe))
	if r.Umask != 0o027 {
		t.Errorf("umask %#o, want 027", r.Umask)
	}
	if r.Core != [2]int64{0, 0} {
		t.Errorf("RLIMIT_CORE %v, want [0 0]", r.Core)
	}
	if r.NoNewPrivs != 1 {
		t.Errorf("no_new_privs status %d, want 1 (PROC_NO_NEW_PRIVS_ENABLE)", r.NoNewPrivs)
	}
}

func TestFreeBSDDirFD(t *testing.T) {
	exe := testExe(t)
	dir := t.TempDir()
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r := runHelper(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{UseDirFD: true, DirFD: int(d.Fd())}}, exe, helperArgv(exe))
	if r.Dir != dir {
		t.Errorf("cwd %q, want %q", r.Dir, dir)
	}
}

// TestFreeBSDExecFD runs the test binary through fexecve of a descriptor
// whose number Files gives to something else.
func TestFreeBSDExecFD(t *testing.T) {
	exe := testExe(t)
	f, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	files := make([]uintptr, f.Fd()+1)
	for i := range files {
		files[i] = 2
	}
	files[0] = 0
	r := runHelper(t, &forkexec.ProcAttr{Files: files, Sys: &forkexec.SysProcAttr{UseExecFD: true, ExecFD: int(f.Fd()), CloseFDs: true}}, "", helperArgv(exe))
	if len(r.Args) == 0 || r.Args[0] != exe {
		t.Errorf("args %q", r.Args)
	}
}

func TestFreeBSDSettingsRefused(t *testing.T) {
	for _, c := range []struct {
		sys  forkexec.SysProcAttr
		step forkexec.Step
	}{
		{forkexec.SysProcAttr{UseUmask: true, Umask: -1}, forkexec.StepUmask},
		{forkexec.SysProcAttr{Rlimits: []forkexec.Rlimit{{Resource: syscall.RLIMIT_CORE, Cur: 2, Max: 1}}}, forkexec.StepRlimit},
		{forkexec.SysProcAttr{UseExecFD: true, ExecFD: -1}, forkexec.StepExec},
	} {
		sys := c.sys
		_, err := forkexec.Spawn("/usr/bin/true", []string{"true"}, &forkexec.ProcAttr{Sys: &sys})
		var e *forkexec.Error
		if !errors.As(err, &e) || e.Step != c.step || e.Index != -1 {
			t.Errorf("%+v: %v, want a refusal at %v before the fork", c.sys, err, c.step)
		}
	}
}
