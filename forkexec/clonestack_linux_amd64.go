//go:build linux

package forkexec

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// System call numbers for clonestack_linux_amd64.s, which reads them (and
// exitChildFailed) from go_asm.h; no Go code uses them.

//lint:ignore U1000 used by clonestack_linux_amd64.s, through go_asm.h
const sysClone3 = unix.SYS_CLONE3

//lint:ignore U1000 used by clonestack_linux_amd64.s, through go_asm.h
const sysExit = unix.SYS_EXIT_GROUP // see rawExit

// canCloneOnOwnStack says whether this architecture has rawClone3OnStack,
// and so the own-stack path (see childPath).
const canCloneOnOwnStack = true

// rawClone3OnStack clones a child with clone3, where args.stack is a stack
// of the child's own, and runs execChild(child) in it. It returns in the
// parent only. Implemented in clonestack_linux_amd64.s.
//
// Preconditions: runtimeBeforeFork has been called; args.flags has
// CLONE_VM and not CLONE_VFORK (the parent goes on while the child runs);
// *child and the stack stay valid until the child has exec'd or exited.
//
//go:noescape
func rawClone3OnStack(args *cloneArgs, size uintptr, child *childArgs) (pid uintptr, err syscall.Errno)
