package suite

import (
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Namespace is an existing namespace for [Ext.JoinNamespaces]: a
// descriptor of the parent and its CLONE_NEW* type.
type Namespace struct {
	FD, Type int
}

// Ext asks the implementation under test for extensions (Linux: every
// feature the suite knows; the FreeBSD Ext has the subset that exists
// there, as syscall.SysProcAttr differs between the two). Each field is
// tagged with the [Feature] it needs; a scenario that sets a field is not
// applicable to an implementation without that feature.
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
	// NoNewPrivs: see the NoNewPrivs feature.
	NoNewPrivs bool `feature:"NoNewPrivs"`
	// OnlyCaps, if not nil: see the Capabilities feature.
	OnlyCaps []uintptr `feature:"Capabilities"`
	// Seccomp, if not nil: see the Seccomp feature.
	Seccomp []unix.SockFilter `feature:"Seccomp"`
	// Hostname: see the Hostname feature (the scenario makes the new UTS
	// namespace).
	Hostname string `feature:"Hostname"`
	// DirFD, if not nil: see the DirFD feature.
	DirFD *int `feature:"DirFD"`
	// ExecFD, if not nil: see the ExecFD feature.
	ExecFD *int `feature:"ExecFD"`
	// OOMScoreAdj, if not nil: see the OOMScoreAdj feature.
	OOMScoreAdj *int `feature:"OOMScoreAdj"`
	// JoinNamespaces: see the JoinNamespaces feature.
	JoinNamespaces []Namespace `feature:"JoinNamespaces"`
	// RetryTextBusy: see the RetryTextBusy feature.
	RetryTextBusy time.Duration `feature:"RetryTextBusy"`
}
