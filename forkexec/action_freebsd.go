//go:build freebsd

package forkexec

import "syscall"

// checkActionOS refuses, before the fork, an action whose call FreeBSD does
// not have.
func checkActionOS(a *Action) *Error {
	if !a.kind.linuxOnly() {
		return nil
	}
	return &Error{Step: a.kind.step(), Errno: syscall.EOPNOTSUPP, Detail: "Linux only", Index: -1}
}

// linuxOnly says whether an action of kind k exists only on Linux.
func (k actionKind) linuxOnly() bool {
	switch k {
	case actMount, actRemountReadOnly, actPropagation, actUnmount, actPivotRoot, actSethostname, actSetns:
		return true
	}
	return false
}

// checkParentHook refuses ParentHook on FreeBSD, before the fork.
func checkParentHook(sys *SysProcAttr) *Error {
	if sys.ParentHook == nil {
		return nil
	}
	return &Error{Step: StepParentHook, Errno: syscall.EOPNOTSUPP, Detail: "not supported on FreeBSD yet", Index: -1}
}

// afterClone has nothing to do on FreeBSD, which refuses ParentHook.
func afterClone(p *program, sys *SysProcAttr, pid int, report *childReport) *Error { return nil }
