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

// copySysOS copies the fields of Linux's SysProcAttr that FreeBSD's
// lacks (for ToForkexec). The PidFD pointer is shared, so the caller sees
// the pidfd.
func copySysOS(fs *forkexec.SysProcAttr, s *syscall.SysProcAttr) {
	fs.Cloneflags, fs.Unshareflags = s.Cloneflags, s.Unshareflags
	fs.GidMappingsEnableSetgroups = s.GidMappingsEnableSetgroups
	fs.AmbientCaps = s.AmbientCaps
	fs.UseCgroupFD, fs.CgroupFD = s.UseCgroupFD, s.CgroupFD
	fs.PidFD = s.PidFD
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
}
