package suite

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/forkexec/forkexec/forkexec"
)

type forkexecImpl struct{}

func (forkexecImpl) Name() string { return "forkexec" }
func (forkexecImpl) ForkExec(argv0 string, argv []string, attr *syscall.ProcAttr) (int, error) {
	return forkexec.ForkExec(argv0, argv, ToForkexec(attr))
}

// rlimitKnown is the documented RLIMIT_NOFILE difference of forkexec.
const rlimitKnown = "stdlib children get the soft RLIMIT_NOFILE saved at start-up; where forkexec cannot learn it from a traced stdlib child (ptrace refused, as under qemu-user; FreeBSD), its children inherit the raised value (documented)"

// parkKnown is the documented difference of forkexec's parking of
// descriptors (files-park-keeps-inherited).
const parkKnown = "the stdlib's parking replaces a descriptor the child would inherit (golang/go#61751); forkexec's keeps it (documented)"

func (forkexecImpl) KnownDifference(scenario, field string) string {
	switch {
	case scenario == "parent-rlimit-startup" && strings.HasPrefix(field, "rlimit.NOFILE"):
		return rlimitKnown
	case scenario == "files-park-keeps-inherited" && (field == "fd.count" ||
		field == fmt.Sprintf("fd.%d", parkSlots) || field == fmt.Sprintf("fd.%d", parkSlots+1) ||
		field == fmt.Sprintf("fd.%d", parkSlots+2)):
		return parkKnown
	}
	return ""
}

// Forkexec is the implementation under test by default: forkexec.ForkExec
// through [ToForkexec], with forkexec's extensions (ResetSignals,
// CloseFDs, and Spawn's step-naming errors).
var Forkexec Extended = forkexecImpl{}

func init() { RegisterImpl(Forkexec) }

// forkExecExt applies the extensions both kernels have (the fields of
// forkexec's SysProcAttr that Linux and FreeBSD share) and starts the
// child; linux adds its own fields to a.Sys first.
func forkExecExt(argv0 string, argv []string, a *forkexec.ProcAttr, ext Ext) (int, error) {
	a.Sys.ResetSignals = ext.ResetSignals
	a.Sys.CloseFDs = ext.CloseFDs
	if ext.Umask != nil {
		a.Sys.UseUmask, a.Sys.Umask = true, *ext.Umask
	}
	for _, r := range ext.Rlimits {
		a.Sys.Rlimits = append(a.Sys.Rlimits, forkexec.Rlimit{Resource: r.Resource, Cur: r.Cur, Max: r.Max})
	}
	if ext.SignalMask != nil {
		a.Sys.UseSignalMask, a.Sys.SignalMask = true, ext.SignalMask
	}
	a.Sys.NoNewPrivs = ext.NoNewPrivs
	if ext.DirFD != nil {
		a.Sys.UseDirFD, a.Sys.DirFD = true, *ext.DirFD
	}
	if ext.ExecFD != nil {
		a.Sys.UseExecFD, a.Sys.ExecFD = true, *ext.ExecFD
	}
	a.Sys.RetryTextBusy = ext.RetryTextBusy
	if !ext.StepErrors {
		return forkexec.ForkExec(argv0, argv, a)
	}
	pid, err := forkexec.Spawn(argv0, argv, a)
	var fe *forkexec.Error
	if errors.As(err, &fe) {
		err = &StepError{Step: fe.Step.String(), Errno: fe.Errno, Err: err}
	}
	return pid, err
}

// withSys returns ToForkexec(attr) with a SysProcAttr to add extensions to.
func withSys(attr *syscall.ProcAttr) *forkexec.ProcAttr {
	a := ToForkexec(attr)
	if a == nil {
		a = &forkexec.ProcAttr{}
	}
	if a.Sys == nil {
		a.Sys = &forkexec.SysProcAttr{}
	}
	return a
}

// ToForkexec converts a syscall.ProcAttr into forkexec's mirror types,
// field by field (nil stays nil; the extensions stay off). On Linux the
// PidFD pointer is shared, so the caller sees the pidfd.
func ToForkexec(a *syscall.ProcAttr) *forkexec.ProcAttr {
	if a == nil {
		return nil
	}
	fa := &forkexec.ProcAttr{Dir: a.Dir, Env: a.Env, Files: a.Files}
	s := a.Sys
	if s == nil {
		return fa
	}
	fs := &forkexec.SysProcAttr{
		Chroot:     s.Chroot,
		Ptrace:     s.Ptrace,
		Setsid:     s.Setsid,
		Setpgid:    s.Setpgid,
		Setctty:    s.Setctty,
		Noctty:     s.Noctty,
		Ctty:       s.Ctty,
		Foreground: s.Foreground,
		Pgid:       s.Pgid,
		Pdeathsig:  s.Pdeathsig,
	}
	if c := s.Credential; c != nil {
		fs.Credential = &forkexec.Credential{Uid: c.Uid, Gid: c.Gid, Groups: c.Groups, NoSetGroups: c.NoSetGroups}
	}
	copySysOS(fs, s)
	fa.Sys = fs
	return fa
}
