//go:build linux && !amd64

package forkexec

import "syscall"

// canCloneOnOwnStack says whether this architecture has rawClone3OnStack.
// Only amd64 has it so far: the only architecture this project runs
// natively, and so the only one where the own-stack path can be tested
// (qemu-user refuses CLONE_VM without CLONE_THREAD). Elsewhere a parent
// that must write a child's id maps takes the fork path, as the stdlib does.
const canCloneOnOwnStack = false

// rawClone3OnStack is never called where canCloneOnOwnStack is false; it is
// here so that the caller compiles everywhere.
//
//go:nosplit
func rawClone3OnStack(args *cloneArgs, size uintptr, child *childArgs) (pid uintptr, err syscall.Errno) {
	return 0, syscall.ENOSYS
}
