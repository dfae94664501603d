//go:build linux || freebsd

package forkexec

import _ "unsafe" // for go:linkname

// The runtime's fork and exec hooks. The runtime defines them for the
// syscall package and keeps them available to other packages under these
// names (gVisor and others reach them the same way).

// runtimeBeforeFork blocks every signal on the calling thread, after saving
// its mask for the child, and stops the goroutine's stack from being grown
// or moved until runtimeAfterFork, so that a child sharing the stack finds
// it where it was.
//
//go:linkname runtimeBeforeFork syscall.runtime_BeforeFork
func runtimeBeforeFork()

// runtimeAfterFork undoes runtimeBeforeFork in the parent.
//
//go:linkname runtimeAfterFork syscall.runtime_AfterFork
func runtimeAfterFork()

// runtimeAfterForkInChild resets, in the child, every signal the runtime
// handles to SIG_DFL (signals the program ignores stay ignored) and then
// restores the signal mask runtimeBeforeFork saved. It is nosplit and
// allocates nothing.
//
//go:linkname runtimeAfterForkInChild syscall.runtime_AfterForkInChild
func runtimeAfterForkInChild()

// runtimeBeforeExec and runtimeAfterExec bracket an execve that replaces
// this process, keeping other threads from being created meanwhile.
//
//go:linkname runtimeBeforeExec syscall.runtime_BeforeExec
func runtimeBeforeExec()

//go:linkname runtimeAfterExec syscall.runtime_AfterExec
func runtimeAfterExec()
