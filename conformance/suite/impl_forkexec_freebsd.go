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

// copySysOS copies the field of FreeBSD's SysProcAttr that Linux's lacks
// (for ToForkexec).
func copySysOS(fs *forkexec.SysProcAttr, s *syscall.SysProcAttr) { fs.Jail = s.Jail }
