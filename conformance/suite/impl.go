// Package suite holds the fork/exec conformance scenarios, the worker that
// runs them against two implementations (the stdlib's syscall.ForkExec as
// reference and an implementation under test), the comparison of the probe
// reports, the cross-architecture driver and the table renderer.
//
// The flow: the driver (see [Run]) builds the C probe natively, then for
// each architecture starts worker processes (the conformance binary in a
// hidden worker mode, natively or under qemu-user) which run scenarios and
// print one JSON [Record] per scenario and implementation. The driver
// compares the records field by field (see [Judge]) and renders a
// [Table].
package suite

import (
	"runtime"
	"sort"
	"syscall"
)

// Impl is a fork/exec implementation. syscall.ProcAttr is the common
// currency; an adapter converts it for implementations with their own
// types.
type Impl interface {
	// Name identifies the implementation (used in -impl and records).
	Name() string
	// ForkExec behaves like syscall.ForkExec.
	ForkExec(argv0 string, argv []string, attr *syscall.ProcAttr) (pid int, err error)
}

type stdlibImpl struct{}

func (stdlibImpl) Name() string { return "syscall" }
func (stdlibImpl) ForkExec(argv0 string, argv []string, attr *syscall.ProcAttr) (int, error) {
	return syscall.ForkExec(argv0, argv, attr)
}

// Stdlib is the reference implementation, syscall.ForkExec.
var Stdlib Impl = stdlibImpl{}

var impls = map[string]Impl{"syscall": Stdlib}

// RegisterImpl makes an implementation selectable by name.
func RegisterImpl(i Impl) { impls[i.Name()] = i }

// LookupImpl returns the implementation registered under name.
func LookupImpl(name string) (Impl, bool) {
	i, ok := impls[name]
	return i, ok
}

// ImplNames lists the registered implementations.
func ImplNames() []string {
	var n []string
	for k := range impls {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// DefaultUnderTest is the name of the implementation tested when none is
// named: "forkexec" when its adapter is compiled in, else "syscall".
func DefaultUnderTest() string {
	if _, ok := impls["forkexec"]; ok {
		return "forkexec"
	}
	return "syscall"
}

// HostArch is the GOARCH of this build, the column "host" stands for.
func HostArch() string { return runtime.GOARCH }
