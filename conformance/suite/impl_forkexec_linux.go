package suite

import (
	"syscall"

	"github.com/forkexec/forkexec/forkexec"
)

func (forkexecImpl) Features() []Feature {
	return []Feature{ResetSignals, CloseFDs, StepErrors, Umask, Rlimits, SignalMask, NoNewPrivs, Capabilities, Seccomp, Hostname, DirFD, ExecFD,
		OOMScoreAdj, JoinNamespaces, RetryTextBusy}
}

func (forkexecImpl) ForkExecExt(argv0 string, argv []string, attr *syscall.ProcAttr, ext Ext) (int, error) {
	a := withSys(attr)
	if ext.OnlyCaps != nil {
		a.Sys.Capabilities = forkexec.OnlyCaps(ext.OnlyCaps...)
	}
	a.Sys.SeccompFilter = ext.Seccomp
	a.Sys.Hostname = ext.Hostname
	if ext.OOMScoreAdj != nil {
		a.Sys.UseOOMScoreAdj, a.Sys.OOMScoreAdj = true, *ext.OOMScoreAdj
	}
	for _, n := range ext.JoinNamespaces {
		a.Sys.JoinNamespaces = append(a.Sys.JoinNamespaces, forkexec.Namespace{FD: n.FD, Type: n.Type})
	}
	return forkExecExt(argv0, argv, a, ext)
}

// ToForkexec converts a syscall.ProcAttr into forkexec's mirror types,
// field by field (nil stays nil; the extensions stay off). The PidFD
// pointer is shared, so the caller sees the pidfd.
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
		Chroot:                     s.Chroot,
		Ptrace:                     s.Ptrace,
		Setsid:                     s.Setsid,
		Setpgid:                    s.Setpgid,
		Setctty:                    s.Setctty,
		Noctty:                     s.Noctty,
		Ctty:                       s.Ctty,
		Foreground:                 s.Foreground,
		Pgid:                       s.Pgid,
		Pdeathsig:                  s.Pdeathsig,
		Cloneflags:                 s.Cloneflags,
		Unshareflags:               s.Unshareflags,
		GidMappingsEnableSetgroups: s.GidMappingsEnableSetgroups,
		AmbientCaps:                s.AmbientCaps,
		UseCgroupFD:                s.UseCgroupFD,
		CgroupFD:                   s.CgroupFD,
		PidFD:                      s.PidFD,
	}
	if c := s.Credential; c != nil {
		fs.Credential = &forkexec.Credential{Uid: c.Uid, Gid: c.Gid, Groups: c.Groups, NoSetGroups: c.NoSetGroups}
	}
	conv := func(m []syscall.SysProcIDMap) []forkexec.SysProcIDMap {
		if m == nil {
			return nil
		}
		out := make([]forkexec.SysProcIDMap, len(m))
		for i, e := range m {
			out[i] = forkexec.SysProcIDMap{ContainerID: e.ContainerID, HostID: e.HostID, Size: e.Size}
		}
		return out
	}
	fs.UidMappings = conv(s.UidMappings)
	fs.GidMappings = conv(s.GidMappings)
	fa.Sys = fs
	return fa
}
