package suite

import (
	"syscall"

	"github.com/forkexec/forkexec/forkexec"
)

// Features lists what forkexec's FreeBSD SysProcAttr has: the settings
// both kernels share, without Linux's capabilities, seccomp, namespaces
// and oom_score_adj.
func (forkexecImpl) Features() []Feature {
	return []Feature{ResetSignals, CloseFDs, StepErrors, Umask, Rlimits, SignalMask, NoNewPrivs, DirFD, ExecFD, RetryTextBusy}
}

func (forkexecImpl) ForkExecExt(argv0 string, argv []string, attr *syscall.ProcAttr, ext Ext) (int, error) {
	return forkExecExt(argv0, argv, withSys(attr), ext)
}

// ToForkexec converts a syscall.ProcAttr into forkexec's mirror types,
// field by field (nil stays nil; the extensions stay off).
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
		Jail:       s.Jail,
	}
	if c := s.Credential; c != nil {
		fs.Credential = &forkexec.Credential{Uid: c.Uid, Gid: c.Gid, Groups: c.Groups, NoSetGroups: c.NoSetGroups}
	}
	fa.Sys = fs
	return fa
}
