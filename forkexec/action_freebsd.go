//go:build freebsd

package forkexec

import "syscall"

// checkActionOS refuses every action on FreeBSD, before the fork: the
// Linux-only kinds because FreeBSD has no such call, the others because
// their FreeBSD child code does not exist yet (it could not be run here:
// see README, "What has run where").
func checkActionOS(a *Action) *Error {
	detail := "not supported on FreeBSD yet"
	if a.kind.linuxOnly() {
		detail = "Linux only"
	}
	return &Error{Step: a.kind.step(), Errno: syscall.EOPNOTSUPP, Detail: detail, Index: -1}
}

// checkParentHook refuses ParentHook on FreeBSD, before the fork.
func checkParentHook(sys *SysProcAttr) *Error {
	if sys.ParentHook == nil {
		return nil
	}
	return &Error{Step: StepParentHook, Errno: syscall.EOPNOTSUPP, Detail: "not supported on FreeBSD yet", Index: -1}
}

// The program parts of Actions, which a FreeBSD program never has.

func (o op) actionStep() Step                                                      { return StepParentHook }
func (p *program) actionArgs(s *childStep) string                                  { return "" }
func (p *program) actionFailure(e *Error, i int, d int)                            {}
func (p *program) actionIndex(i int) int                                           { return 0 }
func afterClone(p *program, sys *SysProcAttr, pid int, report *childReport) *Error { return nil }

// opFirstActionIndirect is where execChild's second dispatcher of actions
// starts; FreeBSD has no action operations.
const opFirstActionIndirect = opFirstAction

// runActionDirect and runActionIndirect are never called: a FreeBSD program
// has no action.
//
//go:nosplit
//go:norace
//go:nocheckptr
func runActionDirect(c *childArgs, s *childStep) syscall.Errno { return syscall.ENOSYS }

//go:nosplit
//go:norace
//go:nocheckptr
func runActionIndirect(c *childArgs, s *childStep) syscall.Errno { return syscall.ENOSYS }

// linuxOnly says whether an action of kind k exists only on Linux.
func (k actionKind) linuxOnly() bool {
	switch k {
	case actMount, actRemountReadOnly, actPropagation, actUnmount, actPivotRoot, actSetrlimit, actSethostname, actSetns:
		return true
	}
	return false
}
