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

var (
	zeroProcAttr    ProcAttr
	zeroSysProcAttr SysProcAttr
)

// ForkExec starts argv0 with arguments argv in a new process set up as attr
// says, and returns its pid. It behaves as syscall.ForkExec does, field by
// field and error by error: a failure is a bare syscall.Errno, or one of the
// syscall package's two messages about Setctty, Foreground and Ctty. Use
// [Spawn] to learn which step failed.
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

// forkExec is the parent's side of a spawn.
func forkExec(argv0 string, argv []string, attr *ProcAttr) (pid int, err *Error) {
	if attr == nil {
		attr = &zeroProcAttr
	}
	sys := attr.Sys
	if sys == nil {
		sys = &zeroSysProcAttr
	}

	// Every check comes before the fork, so that bad input costs nothing but
	// the error: no child is started with half its setup done.
	cmd, err := newCmdline(argv0, argv, attr, sys.Chroot)
	if err != nil {
		return 0, err
	}
	// The syscall package's quirk on FreeBSD, kept for drop-in equality: an
	// argv[0] longer than the program path is replaced by the path.
	if runtime.GOOS == "freebsd" && len(argv) > 0 && len(argv[0]) > len(argv0) {
		cmd.pathAsArgv0()
	}
	// Both Setctty and Foreground use Ctty, with different meanings.
	if sys.Setctty && sys.Foreground {
		return 0, &Error{Step: StepAttr, Errno: syscall.EINVAL, Detail: "both Setctty and Foreground set in SysProcAttr"}
	}
	if sys.Setctty && sys.Ctty >= len(attr.Files) {
		return 0, &Error{Step: StepAttr, Errno: syscall.EINVAL, Detail: "Setctty set but Ctty not valid in child"}
	}
	if err := checkSysProcAttr(sys); err != nil {
		return 0, err
	}

	// The child reports failure through memory it shares with the parent
	// when it runs as a vfork child, and through a close-on-exec pipe
	// otherwise: end of file on the pipe means the exec succeeded.
	var report childReport
	p := [2]int{-1, -1}
	shared := sharesMemory(sys)

	acquireForkLock()
	if !shared {
		// Made under ForkLock like any descriptor, though O_CLOEXEC makes it
		// safe anyway; what ForkLock guards here is the fork below.
		if e := syscall.Pipe2(p[:], syscall.O_CLOEXEC); e != nil {
			releaseForkLock()
			return 0, &Error{Step: StepPipe, Errno: e.(syscall.Errno)}
		}
	}
	pid, err1 := forkAndExecInChild(&cmd, attr, sys, p[1], &report)
	releaseForkLock()
	runtime.KeepAlive(&cmd)
	if err1 != 0 {
		if !shared {
			syscall.Close(p[0])
			syscall.Close(p[1])
		}
		// A failure before the clone names its own step in the report.
		step := StepClone
		if report.step != 0 {
			step = report.step
		}
		return 0, &Error{Step: step, Errno: err1}
	}

	if !shared {
		syscall.Close(p[1])
		n, e := readReport(p[0], &report)
		syscall.Close(p[0])
		switch {
		case e != nil:
			report.errno, report.step = e.(syscall.Errno), StepPipe
		case n == 0:
			// End of file: the pipe closed on exec.
		case n != int(unsafe.Sizeof(report)):
			report.errno, report.step = syscall.EPIPE, StepPipe
		}
	}
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
	return 0, &Error{Step: report.step, Errno: report.errno, Detail: reportDetail(&report, argv0, attr, sys)}
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
	cmd, err := newCmdline(argv0, argv, &ProcAttr{Env: envv}, "")
	if err != nil {
		return err.Errno
	}
	runtimeBeforeExec()
	e := rawExecve(cmd.argv0, cmd.argv, cmd.envv)
	runtimeAfterExec()
	runtime.KeepAlive(&cmd)
	return e
}

// CloseOnExec sets the close-on-exec flag on fd, as syscall.CloseOnExec does.
func CloseOnExec(fd int) { syscall.CloseOnExec(fd) }

// SetNonblock sets or clears O_NONBLOCK on fd, as syscall.SetNonblock does.
func SetNonblock(fd int, nonblocking bool) (err error) { return syscall.SetNonblock(fd, nonblocking) }
