package suite

import (
	"syscall"
	"time"
)

// Ext asks the implementation under test for extensions. Each field is
// tagged with the [Feature] it needs; a scenario that sets a field is not
// applicable to an implementation without that feature.
//
// On FreeBSD it has the features that exist there (forkexec's FreeBSD
// SysProcAttr has no capabilities, seccomp, namespaces or
// oom_score_adj), as syscall.SysProcAttr differs between the two.
type Ext struct {
	// ResetSignals: see the ResetSignals feature.
	ResetSignals bool `feature:"ResetSignals"`
	// CloseFDs: see the CloseFDs feature.
	CloseFDs bool `feature:"CloseFDs"`
	// StepErrors: start the child through the implementation's
	// step-reporting entry point (forkexec.Spawn).
	StepErrors bool `feature:"StepErrors"`
	// Umask, if not nil: see the Umask feature (a pointer, so that 0 can
	// be asked for).
	Umask *int `feature:"Umask"`
	// Rlimits: see the Rlimits feature.
	Rlimits []Rlimit `feature:"Rlimits"`
	// SignalMask, if not nil: see the SignalMask feature (empty: no
	// signal blocked).
	SignalMask []syscall.Signal `feature:"SignalMask"`
	// NoNewPrivs: see the NoNewPrivs feature (procctl's
	// PROC_NO_NEW_PRIVS_CTL on FreeBSD).
	NoNewPrivs bool `feature:"NoNewPrivs"`
	// DirFD, if not nil: see the DirFD feature.
	DirFD *int `feature:"DirFD"`
	// ExecFD, if not nil: see the ExecFD feature.
	ExecFD *int `feature:"ExecFD"`
	// RetryTextBusy: see the RetryTextBusy feature.
	RetryTextBusy time.Duration `feature:"RetryTextBusy"`
}
