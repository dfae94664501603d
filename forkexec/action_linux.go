//go:build linux

package forkexec

import "syscall"

// checkActionOS refuses what Linux cannot do: nothing the generic checks
// have not refused.
func checkActionOS(a *Action) *Error { return nil }

// addReleaseParent adds, on the hook path, the step that lets the parent
// leave the fork hooks: right after the runtime's signal reset, the last
// step that reads the parent's runtime (see hook_linux.go).
func (b *builder) addReleaseParent(sys *SysProcAttr) {
	if sys.ParentHook != nil && b.p.decided.path == hookPath {
		b.add(opReleaseParent)
	}
}

// addHookAndActions adds, at their place in the child's sequence (see the
// package documentation), the wait for ParentHook, then the actions.
func (b *builder) addHookAndActions(sys *SysProcAttr) {
	if sys.ParentHook != nil {
		if b.p.decided.path == hookPath {
			b.add(opWaitHookFutex)
		} else {
			b.add(opWaitHookPipe)
		}
	}
	b.addActions(sys.Actions)
}

// action.go spells out Linux's mount flags for FreeBSD's sake; this fails to
// compile if one differs from the syscall package's.
var _ [0]struct{} = [msBind ^ syscall.MS_BIND | msRec ^ syscall.MS_REC | msUnbindable ^ syscall.MS_UNBINDABLE |
	msPrivate ^ syscall.MS_PRIVATE | msSlave ^ syscall.MS_SLAVE | msShared ^ syscall.MS_SHARED]struct{}{}
