//go:build linux

package forkexec_test

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/forkexec/forkexec/forkexec"
)

// toStdlib converts attr to the syscall package's types, to hold forkexec's
// errors against syscall.ForkExec's for the same input.
func toStdlib(attr *forkexec.ProcAttr) *syscall.ProcAttr {
	a := &syscall.ProcAttr{Dir: attr.Dir, Env: attr.Env, Files: attr.Files}
	if s := attr.Sys; s != nil {
		a.Sys = &syscall.SysProcAttr{
			Chroot: s.Chroot, Ptrace: s.Ptrace, Setsid: s.Setsid, Setpgid: s.Setpgid,
			Setctty: s.Setctty, Noctty: s.Noctty, Ctty: s.Ctty, Foreground: s.Foreground,
			Pgid: s.Pgid, Pdeathsig: s.Pdeathsig, Cloneflags: s.Cloneflags, Unshareflags: s.Unshareflags,
			GidMappingsEnableSetgroups: s.GidMappingsEnableSetgroups, AmbientCaps: s.AmbientCaps,
			UseCgroupFD: s.UseCgroupFD, CgroupFD: s.CgroupFD,
		}
		if c := s.Credential; c != nil {
			a.Sys.Credential = &syscall.Credential{Uid: c.Uid, Gid: c.Gid, Groups: c.Groups, NoSetGroups: c.NoSetGroups}
		}
		for _, m := range s.UidMappings {
			a.Sys.UidMappings = append(a.Sys.UidMappings, syscall.SysProcIDMap(m))
		}
		for _, m := range s.GidMappings {
			a.Sys.GidMappings = append(a.Sys.GidMappings, syscall.SysProcIDMap(m))
		}
	}
	return a
}

// failCase is a spawn that must fail at step with errno.
type failCase struct {
	name   string
	argv0  string // default: the probe
	argv   []string
	attr   forkexec.ProcAttr
	step   forkexec.Step
	errno  syscall.Errno
	detail string // Error.Detail
	// noStdlib: syscall.ForkExec cannot be compared: its child panics
	// on this input, it hangs, or it leaks descriptors.
	noStdlib bool
	root     bool // needs root
}

// TestFailureSteps makes each step fail on purpose and checks: Spawn's
// *Error names the step, its errno and detail; ForkExec returns the bare
// Errno that syscall.ForkExec returns for the same input; the target never
// ran; no zombie and no descriptor are left behind.
func TestFailureSteps(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "not-executable")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	noFormat := filepath.Join(dir, "no-format")
	if err := os.WriteFile(noFormat, []byte{0, 1, 2, 3, 4, 5, 6, 7}, 0o755); err != nil {
		t.Fatal(err)
	}
	rootNoProc := t.TempDir()
	copyFile(t, probePath, filepath.Join(rootNoProc, "probe"))
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	notTTY := pw.Fd()
	self := []forkexec.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}}
	userns := func(cred *forkexec.Credential) *forkexec.SysProcAttr {
		return &forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: self, GidMappings: self, Credential: cred}
	}
	// Maps the parent writes (the own-stack path where there is one).
	wide := []forkexec.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1000}}
	mapped := func(sys forkexec.SysProcAttr) *forkexec.SysProcAttr {
		sys.UidMappings, sys.GidMappings = wide, wide
		return &sys
	}

	cases := []failCase{
		{name: "missing program", argv0: "/no/such/program", step: forkexec.StepExec, errno: syscall.ENOENT, detail: "/no/such/program"},
		{name: "not executable", argv0: notExec, step: forkexec.StepExec, errno: syscall.EACCES, detail: notExec},
		{name: "unknown format", argv0: noFormat, step: forkexec.StepExec, errno: syscall.ENOEXEC, detail: noFormat},
		{name: "bad Dir", attr: forkexec.ProcAttr{Dir: "/no/such/dir"}, step: forkexec.StepChdir, errno: syscall.ENOENT, detail: "/no/such/dir"},
		{name: "bad Chroot", attr: forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Chroot: "/no/such/root"}}, step: forkexec.StepChroot, errno: syscall.ENOENT, detail: "/no/such/root", root: true},
		{name: "bad fd in Files", attr: forkexec.ProcAttr{Files: []uintptr{0, 977}}, step: forkexec.StepDup, errno: syscall.EBADF, detail: "fd 977 onto 1"},
		{name: "bad low fd in Files", attr: forkexec.ProcAttr{Files: []uintptr{0, 1, 2, 977, 1}}, step: forkexec.StepDup, errno: syscall.EBADF, detail: "fd 977 onto 3"},
		{name: "NUL in argv0", argv0: probePath + "\x00", step: forkexec.StepArgs, errno: syscall.EINVAL, detail: "argv0 contains a NUL byte"},
		{name: "NUL in argv", argv: []string{"probe", "a\x00"}, step: forkexec.StepArgs, errno: syscall.EINVAL, detail: "argv[1] contains a NUL byte"},
		{name: "NUL in Env", attr: forkexec.ProcAttr{Env: []string{"A=1", "B=\x00"}}, step: forkexec.StepArgs, errno: syscall.EINVAL, detail: "Env[1] contains a NUL byte"},
		{name: "NUL in Dir", attr: forkexec.ProcAttr{Dir: "/\x00"}, step: forkexec.StepArgs, errno: syscall.EINVAL, detail: "Dir contains a NUL byte"},
		{name: "NUL in Chroot", attr: forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Chroot: "/\x00"}}, step: forkexec.StepArgs, errno: syscall.EINVAL, detail: "Chroot contains a NUL byte"},
		{name: "Setctty and Foreground", attr: forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Setctty: true, Foreground: true}}, step: forkexec.StepAttr, errno: syscall.EINVAL, detail: "both Setctty and Foreground set in SysProcAttr"},
		{name: "Ctty not in Files", attr: forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{Setsid: true, Setctty: true, Ctty: 9}}, step: forkexec.StepAttr, errno: syscall.EINVAL, detail: "Setctty set but Ctty not valid in child"},
		{name: "Ctty not a tty", attr: forkexec.ProcAttr{Files: []uintptr{0, 1, 2, notTTY}, Sys: &forkexec.SysProcAttr{Setsid: true, Setctty: true, Ctty: 3}}, step: forkexec.StepSetctty, errno: syscall.ENOTTY, detail: "fd 3"},
		{name: "Foreground not a tty", attr: forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{Foreground: true, Ctty: int(notTTY)}}, step: forkexec.StepForeground, errno: syscall.ENOTTY, detail: "fd " + strconv.Itoa(int(notTTY))},
		{name: "Noctty without a tty", attr: forkexec.ProcAttr{Files: []uintptr{notTTY, 1, 2}, Sys: &forkexec.SysProcAttr{Noctty: true}}, step: forkexec.StepNoctty, errno: syscall.ENOTTY},
		{name: "Setpgid after Setsid", attr: forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Setsid: true, Setpgid: true}}, step: forkexec.StepSetpgid, errno: syscall.EPERM},
		{name: "bad Unshareflags", attr: forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Unshareflags: 0x1}}, step: forkexec.StepUnshare, errno: syscall.EINVAL},
		{name: "bad Cloneflags", attr: forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Cloneflags: syscall.CLONE_THREAD}}, step: forkexec.StepClone, errno: syscall.EINVAL},
		{name: "bad Pdeathsig", attr: forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Pdeathsig: 200}}, step: forkexec.StepPdeathsig, errno: syscall.EINVAL, detail: "signal 200"},
		{name: "unknown ambient cap", attr: forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{AmbientCaps: []uintptr{63}}}, step: forkexec.StepAmbientCaps, errno: syscall.EINVAL, detail: "63"},
		{name: "ambient cap out of range", attr: forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{AmbientCaps: []uintptr{64}}}, step: forkexec.StepAmbientCaps, errno: syscall.EINVAL, detail: "64", noStdlib: true},
		{name: "bad id map", attr: forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: append(self, self...)}}, step: forkexec.StepIDMap, errno: syscall.EINVAL, root: true},
		// The stdlib leaks its map pipe when the clone fails.
		{name: "bad Cloneflags with maps", attr: forkexec.ProcAttr{Sys: mapped(forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_THREAD})}, step: forkexec.StepClone, errno: syscall.EINVAL, noStdlib: true, root: true},
		{name: "bad Dir with maps", attr: forkexec.ProcAttr{Dir: "/no/such/dir", Sys: mapped(forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER})}, step: forkexec.StepChdir, errno: syscall.ENOENT, detail: "/no/such/dir", root: true},
		{name: "setuid unmapped with maps", attr: forkexec.ProcAttr{Sys: mapped(forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, Credential: &forkexec.Credential{Uid: 5000}})}, step: forkexec.StepSetuid, errno: syscall.EINVAL, root: true},
		{name: "maps without CLONE_NEWUSER", attr: forkexec.ProcAttr{Sys: mapped(forkexec.SysProcAttr{})}, step: forkexec.StepIDMap, errno: syscall.EPERM, noStdlib: true, root: true},
		{name: "setgroups denied", attr: forkexec.ProcAttr{Sys: userns(&forkexec.Credential{Groups: []uint32{0}})}, step: forkexec.StepSetgroups, errno: syscall.EPERM, root: true},
		{name: "setgid unmapped", attr: forkexec.ProcAttr{Sys: userns(&forkexec.Credential{Gid: 5})}, step: forkexec.StepSetgid, errno: syscall.EINVAL, root: true},
		{name: "setuid unmapped", attr: forkexec.ProcAttr{Sys: userns(&forkexec.Credential{Uid: 5})}, step: forkexec.StepSetuid, errno: syscall.EINVAL, root: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.root {
				requireRoot(t)
			}
			checkFailure(t, c)
		})
	}

	// CloseFDs needs /proc when close_range is unavailable; in a chroot
	// without /proc it must fail rather than leave descriptors open.
	t.Run("close fds without proc", func(t *testing.T) {
		requireRoot(t)
		forkexec.SetForceCloseFDsByProc(true)
		defer forkexec.SetForceCloseFDsByProc(false)
		checkFailure(t, failCase{
			argv0: "/probe",
			attr:  forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Chroot: rootNoProc, CloseFDs: true}},
			step:  forkexec.StepCloseFDs, errno: syscall.ENOENT, noStdlib: true,
		})
	})
}

// TestReportThroughPipe: where vfork does not really share memory (qemu-user
// runs it as a plain fork), children report through the error pipe, as the
// stdlib's do. Forced here, the same failures must come back the same way,
// and a success must still be one.
func TestReportThroughPipe(t *testing.T) {
	wide := []forkexec.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1000}}
	forkexec.SetForceReportPipe(true)
	defer forkexec.SetForceReportPipe(false)
	for _, c := range []failCase{
		{name: "missing program", argv0: "/no/such/program", step: forkexec.StepExec, errno: syscall.ENOENT, detail: "/no/such/program"},
		{name: "bad Dir", attr: forkexec.ProcAttr{Dir: "/no/such/dir"}, step: forkexec.StepChdir, errno: syscall.ENOENT, detail: "/no/such/dir"},
		{name: "bad fd", attr: forkexec.ProcAttr{Files: []uintptr{0, 977}}, step: forkexec.StepDup, errno: syscall.EBADF, detail: "fd 977 onto 1"},
		{name: "Setpgid after Setsid", attr: forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Setsid: true, Setpgid: true}}, step: forkexec.StepSetpgid, errno: syscall.EPERM},
		// The fork path: the parent writes the maps and the child waits
		// on a pipe, then reports through the error pipe.
		{name: "bad id map", attr: forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: append(append([]forkexec.SysProcIDMap(nil), wide...), wide...)}}, step: forkexec.StepIDMap, errno: syscall.EINVAL, root: true},
		{name: "bad Dir with maps", attr: forkexec.ProcAttr{Dir: "/no/such/dir", Sys: &forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: wide, GidMappings: wide}}, step: forkexec.StepChdir, errno: syscall.ENOENT, detail: "/no/such/dir", root: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.root {
				requireRoot(t)
			}
			checkFailure(t, c)
		})
	}
	rep := runProbe(t, &forkexec.ProcAttr{Dir: "/", Files: stdio()})
	if rep.Cwd != "/" {
		t.Errorf("cwd %q, want /", rep.Cwd)
	}
}

func checkFailure(t *testing.T, c failCase) {
	t.Helper()
	argv0 := c.argv0
	if argv0 == "" {
		argv0 = probePath
	}
	checkNoZombie(t)
	before := openFDs(t)

	// The target, if it ran, would write to this pipe.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	attr := c.attr
	attr.Files = append(append([]uintptr(nil), c.attr.Files...), w.Fd())
	argv := c.argv
	if argv == nil {
		argv = []string{argv0, "-report", strconv.Itoa(len(c.attr.Files)), "report"}
	}
	pid, err := forkexec.Spawn(argv0, argv, &attr)
	if err == nil {
		wait(t, pid)
		t.Fatalf("Spawn succeeded, want step %v to fail with %v", c.step, c.errno)
	}
	e := stepError(t, err, c.step, c.errno)
	if e.Detail != c.detail {
		t.Errorf("Detail %q, want %q", e.Detail, c.detail)
	}
	if want := "forkexec: " + c.step.String(); !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), c.errno.Error()) {
		t.Errorf("message %q, want %q...%q", err, want, c.errno.Error())
	}

	// ForkExec: the bare Errno, or the stdlib's message, as syscall.ForkExec.
	_, ferr := forkexec.ForkExec(argv0, argv, &attr)
	if c.step == forkexec.StepAttr {
		if ferr == nil || ferr.Error() != c.detail {
			t.Errorf("ForkExec: %v, want %q", ferr, c.detail)
		}
	} else if ferr != c.errno {
		t.Errorf("ForkExec: %#v, want the bare %#v", ferr, c.errno)
	}
	if !c.noStdlib {
		_, serr := syscall.ForkExec(argv0, argv, toStdlib(&attr))
		if serr == nil || ferr == nil || serr.Error() != ferr.Error() || (c.step != forkexec.StepAttr && serr != ferr) {
			t.Errorf("ForkExec: %v; syscall.ForkExec: %v", ferr, serr)
		}
	}

	w.Close()
	out, _ := io.ReadAll(r)
	r.Close()
	if len(out) != 0 {
		t.Errorf("the target ran and wrote %q", out)
	}
	checkNoZombie(t)
	if after := openFDs(t); after != before {
		t.Errorf("descriptors: %d before, %d after", before, after)
	}
}
