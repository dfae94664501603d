//go:build linux || freebsd

package forkexec

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// childArgs is everything the child works with, in one place so that a
// child starting on a stack of its own gets all of it through one pointer.
//
// Invariant: it stays where it is until the child has exec'd or exited. It
// lives in forkAndExecInChild's frame, and the parent's stack cannot move
// from runtimeBeforeFork to runtimeAfterFork, which the parent calls only
// once the child is done with it (or, on the fork path, has its own copy).
// The child reads the program and writes only what is its own here: pipe
// (placeFiles moves it), detail, and the scratch buffers of the OS part.
// The parent does not read them until the child is done.
type childArgs struct {
	prog   *program
	base   unsafe.Pointer // &prog.mem[0], where step arguments' offsets start
	report *childReport   // where a child sharing the parent's memory leaves its report
	pipe   int            // the error pipe's write end, or -1 when the report is left in *report
	detail int32          // set by a failing step that has more to say: which item failed
	execFD int            // where opParkExecFD put the descriptor to exec
	//lint:ignore U1000 empty on FreeBSD; Linux's child uses it
	os childOSArgs
}

// childReport is what a child that failed tells its parent: through memory
// the two share when the child runs in the parent's memory, otherwise
// through the error pipe. A zero errno means the child exec'd.
type childReport struct {
	errno  syscall.Errno
	index  int32 // the failed step's index in the program
	detail int32 // childArgs.detail
}

// exitChildFailed is the exit status of a child whose setup failed, as in
// the stdlib.
const exitChildFailed = 253

// execChild is the child, from the clone to the exec: it runs the program's
// steps in order, the last of which is the exec, and at the first that
// fails leaves its report and exits. It never returns.
//
// Nothing here may allocate, take a lock, grow the stack or call Go code
// that is not nosplit: the child has one thread, and any lock the parent's
// other threads held at the clone stays held forever; sharing the parent's
// memory, it would also corrupt the parent's heap. Its only calls are the
// raw system call stubs, the runtime's fork hooks and nosplit functions of
// this package, one per operation, each small, so that the deepest chain
// of nosplit frames stays within the linker's limit even unoptimized. Nor
// is it instrumented by the race detector or checkptr. cmd/childcheck
// checks all of this.
//
// Preconditions: runtimeBeforeFork was called before the clone; c is as
// childArgs says; the program's last step is opExec.
//
//forkexec:child
//go:nosplit
//go:norace
//go:nocheckptr
func execChild(c *childArgs) {
	steps := c.prog.steps
	var err syscall.Errno
	i := 0
	for ; i < len(steps); i++ {
		// A dispatcher per group of operations (see op).
		s := &steps[i]
		switch o := op(s.op); {
		case s.fault != 0:
			err = syscall.Errno(s.fault)
		case o < opFirstIndirect:
			err = runDirect(c, s)
		case o < opPlaceFiles:
			err = runIndirect(c, s)
		case o == opPlaceFiles:
			err = placeFiles(c)
		case o < opFirstOSDirect2:
			err = runOSDirect(c, s)
		case o < opFirstOSIndirect:
			err = runOSDirect2(c, s)
		case o < opFirstOSDeep:
			err = runOSIndirect(c, s)
		case o >= opFirstActionIndirect: // Actions and ParentHook (action.go)
			err = runActionIndirect(c, s)
		case o >= opFirstAction:
			err = runActionDirect(c, s)
		default:
			err = runOSDeep(c, s)
		}
		if err != 0 {
			break
		}
	}
	childFailed(c, i, err)
}

// childFailed leaves the child's report where the parent reads it, in the
// parent's own memory if shared, else on the error pipe, and exits without
// running anything of the parent's.
//
//go:nosplit
//go:norace
//go:nocheckptr
func childFailed(c *childArgs, index int, err syscall.Errno) {
	c.report.errno, c.report.index, c.report.detail = err, int32(index), c.detail
	if c.pipe >= 0 {
		rawWrite(c.pipe, unsafe.Pointer(c.report), unsafe.Sizeof(*c.report))
	}
	for {
		rawExit(exitChildFailed)
	}
}

// runDirect runs an operation both kernels have that is one raw call.
//
//go:nosplit
//go:norace
//go:nocheckptr
func runDirect(c *childArgs, s *childStep) syscall.Errno {
	switch op(s.op) {
	case opSetsid:
		return rawSetsid()
	case opSetpgid:
		return rawSetpgid(0, int(s.arg[0]))
	case opRuntimeSignals:
		// Put the Go signal handlers back to SIG_DFL, then unblock what
		// the spawning thread had unblocked.
		runtimeAfterForkInChild()
		return 0
	case opChroot:
		return rawChroot((*byte)(c.at(s.arg[0])))
	case opSetgid:
		return rawSetgid(uint32(s.arg[0]))
	case opSetuid:
		return rawSetuid(uint32(s.arg[0]))
	case opChdir:
		return rawChdir((*byte)(c.at(s.arg[0])))
	case opNoctty:
		return rawIoctl(0, unix.TIOCNOTTY, 0)
	case opSetctty:
		return rawIoctl(int(s.arg[0]), unix.TIOCSCTTY, s.arg[1])
	case opExec:
		return rawExecve(c.prog.argv0, c.prog.argv, c.prog.envv)
	case opUmask:
		rawUmask(int(s.arg[0]))
		return 0
	case opFchdir:
		return rawFchdir(int(s.arg[0]))
	}
	return syscall.ENOSYS // not reached: execChild chose this dispatcher
}

// runIndirect runs an operation both kernels have that is a function of
// raw calls.
//
//go:nosplit
//go:norace
//go:nocheckptr
func runIndirect(c *childArgs, s *childStep) syscall.Errno {
	switch op(s.op) {
	case opForeground:
		return setForeground(s)
	case opSetgroups:
		return setgroups(c, s)
	case opRestoreNofile:
		restoreNofile(s)
		return 0
	case opResetSignals:
		return resetSignals(c)
	case opPtrace:
		return ptraceMe()
	case opParkExecFD:
		return parkExecFD(c, s)
	}
	return syscall.ENOSYS // not reached: execChild chose this dispatcher
}

// at returns the address of offset off of the program's memory.
//
//go:nosplit
//go:norace
//go:nocheckptr
func (c *childArgs) at(off uintptr) unsafe.Pointer { return unsafe.Add(c.base, off) }

// setForeground makes the child's process group (arg1, or the child's own
// pid if 0) the foreground group of the terminal at descriptor arg0. It
// runs while every signal is still blocked: a background process group
// taking the terminal gets SIGTTOU, which would stop the child.
//
//go:nosplit
//go:norace
//go:nocheckptr
func setForeground(s *childStep) syscall.Errno {
	pgrp := int32(s.arg[1])
	if pgrp == 0 {
		pgrp = int32(rawGetpid())
	}
	return rawIoctl(int(s.arg[0]), unix.TIOCSPGRP, uintptr(unsafe.Pointer(&pgrp)))
}

//go:nosplit
//go:norace
//go:nocheckptr
func setgroups(c *childArgs, s *childStep) syscall.Errno {
	n := int(s.arg[0])
	var list *uint32
	if n > 0 {
		list = (*uint32)(c.at(s.arg[1]))
	}
	return rawSetgroups(n, list)
}

// parkExecFD moves the descriptor to exec, arg0, out of the way of Files,
// as placeFiles does the error pipe: to a close-on-exec copy from nextfd
// up, which the exec step uses.
//
//go:nosplit
//go:norace
//go:nocheckptr
func parkExecFD(c *childArgs, s *childStep) syscall.Errno {
	fd, err := rawFcntl(int(s.arg[0]), unix.F_DUPFD_CLOEXEC, c.prog.nextfd)
	c.execFD = fd
	return err
}
