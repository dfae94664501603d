package suite

import (
	"reflect"
	"runtime"
	"sort"
	"sync"
	"syscall"
)

// Impl is a fork/exec implementation. syscall.ProcAttr is the common
// currency; an adapter converts it for implementations with their own
// types. An Impl with only these two methods has no extensions: every
// scenario that needs one is "not applicable" to it.
type Impl interface {
	// Name identifies the implementation (in -impl, Config.UnderTest and
	// the records).
	Name() string
	// ForkExec behaves like syscall.ForkExec.
	ForkExec(argv0 string, argv []string, attr *syscall.ProcAttr) (pid int, err error)
}

// Feature names an extension beyond syscall.ForkExec that an
// implementation may have. It is the name shown in "not applicable:
// <impl> lacks <feature>".
type Feature string

// The features the suite knows. Capabilities, Seccomp, Hostname,
// OOMScoreAdj and JoinNamespaces exist on Linux only: the FreeBSD [Ext]
// has no field for them. Adding one: add a constant here and a field of
// [Ext] tagged with it (in ext_linux.go, and in ext_freebsd.go if FreeBSD
// has it too), handle the field in the adapters that
// have the feature, and write scenarios that set it (see the package
// documentation).
const (
	// ResetSignals resets every signal to SIG_DFL and empties the mask
	// in the child (forkexec's SysProcAttr.ResetSignals).
	ResetSignals Feature = "ResetSignals"
	// CloseFDs closes every descriptor not in Files in the child
	// (forkexec's SysProcAttr.CloseFDs).
	CloseFDs Feature = "CloseFDs"
	// StepErrors reports a failed start as a [*StepError] naming the
	// step that failed (forkexec.Spawn).
	StepErrors Feature = "StepErrors"
	// Umask gives the child its own file mode creation mask
	// (forkexec's SysProcAttr.UseUmask and Umask).
	Umask Feature = "Umask"
	// Rlimits sets resource limits in the child (SysProcAttr.Rlimits).
	Rlimits Feature = "Rlimits"
	// SignalMask gives the child exactly the signals asked for blocked
	// (SysProcAttr.UseSignalMask and SignalMask).
	SignalMask Feature = "SignalMask"
	// NoNewPrivs sets no_new_privs in the child (Go 1.28's
	// SysProcAttr.NoNewPrivs).
	NoNewPrivs Feature = "NoNewPrivs"
	// Capabilities clears every capability of the child but those asked
	// for (forkexec.OnlyCaps).
	Capabilities Feature = "Capabilities"
	// Seccomp installs a classic BPF seccomp filter in the child
	// (SysProcAttr.SeccompFilter).
	Seccomp Feature = "Seccomp"
	// Hostname sets the hostname of the child's new UTS namespace
	// (SysProcAttr.Hostname).
	Hostname Feature = "Hostname"
	// DirFD makes the child fchdir to a descriptor of the parent
	// (SysProcAttr.UseDirFD and DirFD).
	DirFD Feature = "DirFD"
	// ExecFD makes the child exec a descriptor of the parent
	// (SysProcAttr.UseExecFD and ExecFD).
	ExecFD Feature = "ExecFD"
	// OOMScoreAdj sets the child's oom_score_adj
	// (SysProcAttr.UseOOMScoreAdj and OOMScoreAdj).
	OOMScoreAdj Feature = "OOMScoreAdj"
	// JoinNamespaces makes the child join existing namespaces by
	// descriptor (SysProcAttr.JoinNamespaces).
	JoinNamespaces Feature = "JoinNamespaces"
	// RetryTextBusy makes the child retry an exec failing with ETXTBSY
	// (SysProcAttr.RetryTextBusy).
	RetryTextBusy Feature = "RetryTextBusy"
)

// Rlimit is one resource limit for [Ext.Rlimits].
type Rlimit struct {
	Resource int
	Cur, Max uint64
}

// Features lists the features e asks for: those of its non-zero fields.
func (e Ext) Features() []Feature {
	var fs []Feature
	v := reflect.ValueOf(e)
	for i := 0; i < v.NumField(); i++ {
		if !v.Field(i).IsZero() {
			fs = append(fs, Feature(v.Type().Field(i).Tag.Get("feature")))
		}
	}
	return fs
}

// Extended is an Impl with extensions.
type Extended interface {
	Impl
	// Features lists the extensions the implementation has.
	Features() []Feature
	// ForkExecExt is ForkExec with the extensions ext asks for (only
	// ever ones listed by Features).
	ForkExecExt(argv0 string, argv []string, attr *syscall.ProcAttr, ext Ext) (pid int, err error)
}

// Documented is implemented by an Impl that documents where it differs
// from the stdlib; the table then shows such a difference as "known"
// rather than "DIFFERS".
type Documented interface {
	// KnownDifference returns the documented reason why the
	// implementation's outcome differs from the stdlib's in field (a
	// field name such as "rlimit.NOFILE") of scenario, or "" if none.
	KnownDifference(scenario, field string) string
}

// StepError is what an implementation with the StepErrors feature
// returns from a failed start: the step that failed (forkexec's step
// names: "exec", "chdir", "dup", ...) and the errno.
type StepError struct {
	// Step names the step that failed.
	Step string
	// Errno is what the failing system call returned (0 for a check in
	// the parent that is not a system call).
	Errno syscall.Errno
	// Err is the implementation's own error; Error and Unwrap use it.
	Err error
}

// Error returns the implementation's own message.
func (e *StepError) Error() string { return e.Err.Error() }

// Unwrap returns the implementation's own error.
func (e *StepError) Unwrap() error { return e.Err }

// Has reports whether impl has feature f.
func Has(impl Impl, f Feature) bool {
	x, ok := impl.(Extended)
	if !ok {
		return false
	}
	for _, g := range x.Features() {
		if g == f {
			return true
		}
	}
	return false
}

// lacking returns the first of fs that impl lacks, or "".
func lacking(impl Impl, fs []Feature) Feature {
	for _, f := range fs {
		if !Has(impl, f) {
			return f
		}
	}
	return ""
}

type stdlibImpl struct{}

func (stdlibImpl) Name() string { return "syscall" }
func (stdlibImpl) ForkExec(argv0 string, argv []string, attr *syscall.ProcAttr) (int, error) {
	return syscall.ForkExec(argv0, argv, attr)
}

// Stdlib is the reference implementation, syscall.ForkExec.
var Stdlib Impl = stdlibImpl{}

var (
	implMu sync.Mutex
	impls  = map[string]Impl{"syscall": Stdlib}
)

// RegisterImpl makes an implementation selectable by name, for
// [Config].UnderTest. Register it in an init function (or before calling
// [Run]): the workers are this same program started again, and find it by
// name there.
func RegisterImpl(i Impl) {
	implMu.Lock()
	defer implMu.Unlock()
	impls[i.Name()] = i
}

// LookupImpl returns the implementation registered under name.
func LookupImpl(name string) (Impl, bool) {
	implMu.Lock()
	defer implMu.Unlock()
	i, ok := impls[name]
	return i, ok
}

// ImplNames lists the registered implementations.
func ImplNames() []string {
	implMu.Lock()
	defer implMu.Unlock()
	var n []string
	for k := range impls {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// DefaultUnderTest is the name of the implementation tested when none is
// named: "forkexec" when its adapter is registered, else "syscall".
func DefaultUnderTest() string {
	if _, ok := LookupImpl("forkexec"); ok {
		return "forkexec"
	}
	return "syscall"
}

// HostArch is the column "host" stands for: the GOARCH of this build on
// Linux, [FreeBSD] on FreeBSD.
func HostArch() string {
	if runtime.GOOS == "freebsd" {
		return FreeBSD
	}
	return runtime.GOARCH
}
