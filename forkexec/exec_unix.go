//go:build linux || freebsd

package forkexec

import (
	"errors"
	"runtime"
	"syscall"
	"unsafe"
)

// Credential holds user and group identities to be assumed by a child
// process started by [StartProcess]. It is syscall.Credential's twin.
type Credential struct {
	Uid         uint32   // User ID.
	Gid         uint32   // Group ID.
	Groups      []uint32 // Supplementary group IDs.
	NoSetGroups bool     // If true, don't set supplementary groups
}

// ProcAttr holds attributes that will be applied to a new process started
// by [StartProcess]. It is syscall.ProcAttr's twin.
type ProcAttr struct {
	Dir   string    // Current working directory.
	Env   []string  // Environment.
	Files []uintptr // File descriptors.
	Sys   *SysProcAttr
}

// Rlimit is one resource limit for SysProcAttr.Rlimits.
type Rlimit struct {
	Resource int    // syscall.RLIMIT_NOFILE, unix.RLIMIT_NPROC, ...
	Cur      uint64 // soft limit
	Max      uint64 // hard limit; Cur must not exceed it
}

var (
	zeroProcAttr    ProcAttr
	zeroSysProcAttr SysProcAttr
)

// ForkExec starts argv0 with arguments argv in a new process set up as attr
// says, and returns its pid. It behaves as syscall.ForkExec does, field by
// field and error by error: a failure is a bare syscall.Errno, or one of the
// syscall package's two messages about Setctty, Foreground and Ctty (or,
// for SysProcAttr.ParentHook's failure, which the stdlib does not have, an
// [*Error]). Use [Spawn] to learn which step failed.
//
// A nil attr, or a nil attr.Sys, means the zero value. The caller must wait
// for the child it gets back; a child that failed before exec is waited for
// here, so it never lingers as a zombie.
func ForkExec(argv0 string, argv []string, attr *ProcAttr) (pid int, err error) {
	pid, e := forkExec(argv0, argv, attr)
	if e != nil {
		if e.Step == StepAttr {
			return 0, errors.New(e.Detail)
		}
		if e.Err != nil {
			return 0, e // ParentHook failed: no errno says so
		}
		return 0, e.Errno
	}
	return pid, nil
}

// Spawn is [ForkExec] with errors that say which step failed: any failure is
// an [*Error] naming the step, its errno and, where there is one, the path,
// descriptor or signal it concerned. With everything else it does exactly
// what ForkExec does.
func Spawn(argv0 string, argv []string, attr *ProcAttr) (pid int, err error) {
	pid, e := forkExec(argv0, argv, attr)
	if e != nil {
		return 0, e
	}
	return pid, nil
}

// StartProcess wraps [ForkExec] for package os, as syscall.StartProcess does.
// handle is always 0.
func StartProcess(argv0 string, argv []string, attr *ProcAttr) (pid int, handle uintptr, err error) {
	pid, err = ForkExec(argv0, argv, attr)
	return pid, 0, err
}

// forkExec is the parent's side of a spawn: compile, clone, learn whether
// the exec happened.
func forkExec(argv0 string, argv []string, attr *ProcAttr) (pid int, err *Error) {
	attr, sys := withDefaults(attr)

	// Every check comes before the fork, so that bad input costs nothing but
	// the error: no child is started with half its setup done. Everything
	// the child will do is decided here, once.
	var p program
	if err := compile(&p, argv0, argv, attr, sys); err != nil {
		return 0, err
	}

	// The child reports failure through memory it shares with the parent
	// when it runs in it, and through a close-on-exec pipe otherwise: end
	// of file on the pipe means the exec succeeded.
	var report childReport
	pipe := p.decided.reportPipe
	fds := [2]int{-1, -1}

	acquireForkLock()
	if pipe {
		// Made under ForkLock like any descriptor, though O_CLOEXEC makes it
		// safe anyway; what ForkLock guards here is the fork below.
		if e := syscall.Pipe2(fds[:], syscall.O_CLOEXEC); e != nil {
			releaseForkLock()
			return 0, &Error{Step: StepPipe, Errno: e.(syscall.Errno), Index: -1}
		}
	}
	pid, step, err1 := forkAndExecInChild(&p, sys, fds[1], &report)
	releaseForkLock()
	if err1 != 0 {
		runtime.KeepAlive(&p)
		closePair(&fds)
		return 0, &Error{Step: step, Errno: err1, Index: -1}
	}
	// A child waiting for ParentHook: run it, then let the child go on.
	if e := afterClone(&p, sys, pid, &report); e != nil {
		runtime.KeepAlive(&p)
		closePair(&fds)
		failureCleanup(sys)
		return 0, e
	}

	if pipe {
		syscall.Close(fds[1])
		n, e := readReport(fds[0], &report)
		syscall.Close(fds[0])
		switch {
		case e != nil:
			report = childReport{errno: e.(syscall.Errno), index: -1}
		case n == 0:
			// End of file: the pipe closed on exec.
		case n != int(unsafe.Sizeof(report)):
			report = childReport{errno: syscall.EPIPE, index: -1}
		}
	}
	runtime.KeepAlive(&p)
	if report.errno == 0 {
		return pid, nil
	}

	// The child failed and has exited (or, with a pipe, is about to): reap
	// it so that it does not linger as a zombie.
	var ws syscall.WaitStatus
	for {
		if _, e := syscall.Wait4(pid, &ws, 0, nil); e != syscall.EINTR {
			break
		}
	}
	failureCleanup(sys)
	return 0, p.failure(&report, attr)
}

// closePair closes both ends of a pipe, if it was made.
func closePair(fds *[2]int) {
	for _, fd := range fds {
		if fd >= 0 {
			syscall.Close(fd)
		}
	}
}

// withDefaults returns attr and its Sys, the zero values for nil.
func withDefaults(attr *ProcAttr) (*ProcAttr, *SysProcAttr) {
	if attr == nil {
		attr = &zeroProcAttr
	}
	if attr.Sys == nil {
		return attr, &zeroSysProcAttr
	}
	return attr, attr.Sys
}

// readReport reads a child's report from the error pipe, retrying on EINTR.
func readReport(fd int, r *childReport) (int, error) {
	buf := unsafe.Slice((*byte)(unsafe.Pointer(r)), unsafe.Sizeof(*r))
	for {
		n, err := syscall.Read(fd, buf)
		if err != syscall.EINTR {
			return n, err
		}
	}
}

// Exec replaces the current process with argv0, as syscall.Exec does.
func Exec(argv0 string, argv []string, envv []string) error {
	var p program
	if err := compileExec(&p, argv0, argv, envv); err != nil {
		return err.Errno
	}
	// As syscall.Exec does: the program gets the RLIMIT_NOFILE this
	// process started with, where the syscall package raised it.
	if lim, ok := nofileToRestore(); ok {
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	runtimeBeforeExec()
	e := rawExecve(p.argv0, p.argv, p.envv)
	runtimeAfterExec()
	runtime.KeepAlive(&p)
	return e
}

// CloseOnExec sets the close-on-exec flag on fd, as syscall.CloseOnExec does.
func CloseOnExec(fd int) { syscall.CloseOnExec(fd) }

// SetNonblock sets or clears O_NONBLOCK on fd, as syscall.SetNonblock does.
func SetNonblock(fd int, nonblocking bool) (err error) { return syscall.SetNonblock(fd, nonblocking) }
