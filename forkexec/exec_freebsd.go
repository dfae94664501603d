//go:build freebsd

package forkexec

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// SysProcAttr holds FreeBSD-specific attributes of a new process. Every
// field the syscall package has on FreeBSD is here with the same name, type
// and meaning; the fields after Jail are forkexec's extensions, all off when
// zero.
type SysProcAttr struct {
	Chroot     string      // Chroot.
	Credential *Credential // Credential.
	Ptrace     bool        // Enable tracing (ptrace(PT_TRACE_ME)).
	Setsid     bool        // Create session.
	// Setpgid sets the process group ID of the child to Pgid,
	// or, if Pgid == 0, to the new child's process ID.
	Setpgid bool
	// Setctty sets the controlling terminal of the child to
	// file descriptor Ctty. Ctty must be a descriptor number
	// in the child process: an index into ProcAttr.Files.
	// This is only meaningful if Setsid is true.
	Setctty bool
	Noctty  bool // Detach fd 0 from controlling terminal.
	Ctty    int  // Controlling TTY fd.
	// Foreground places the child process group in the foreground.
	// This implies Setpgid. The Ctty field must be set to
	// the descriptor of the controlling TTY.
	// Unlike Setctty, in this case Ctty must be a descriptor
	// number in the parent process.
	Foreground bool
	Pgid       int // Child's process group ID if Setpgid.
	// Pdeathsig, if non-zero, is a signal the kernel sends the child when
	// its parent process exits (procctl(PROC_PDEATHSIG_CTL)). Unlike on
	// Linux it is tied to the parent process, not to the spawning thread.
	Pdeathsig syscall.Signal
	// Jail, if positive, is the id of a jail the child attaches to
	// (jail_attach(2)) before any other step. Attaching also moves the
	// child's root and working directory to the jail's path, so Chroot and
	// Dir are then taken inside the jail.
	Jail int

	// ResetSignals makes the child set every signal it can (1 to 128, bar
	// SIGKILL and SIGSTOP) to SIG_DFL, including signals the parent
	// ignores, and empty its signal mask, just before exec. Without it, as
	// in the syscall package, signals the parent ignores stay ignored in
	// the child and the child starts with the spawning thread's signal
	// mask.
	ResetSignals bool

	// CloseFDs makes the child close every descriptor numbered
	// len(ProcAttr.Files) or above before exec, whether or not it is
	// marked close-on-exec, so that the program gets exactly the
	// descriptors in Files. Without it, as in the syscall package, the
	// child inherits every descriptor not marked close-on-exec.
	CloseFDs bool
}

// FreeBSD constants of the child path that x/sys/unix does not define, with
// the header each comes from.
const (
	rfSpawn          = 1 << 31 // RFSPAWN, <sys/unistd.h>; FreeBSD 12.2 and later
	pPID             = 0       // P_PID, the first idtype_t, <sys/wait.h>
	procPdeathsigCtl = 11      // PROC_PDEATHSIG_CTL, <sys/procctl.h>
	sigSetmask       = 3       // SIG_SETMASK, <sys/signal.h>
	lastSignal       = 128     // _SIG_MAXSIG, <sys/_sigset.h>
	sigactionBytes   = 32      // sizeof(struct sigaction) is 32 on 64-bit, 24 on 32-bit
	sigsetWords      = 4       // _SIG_WORDS, uint32 words in a sigset_t, <sys/_sigset.h>
)

// Test hooks, set only by tests before any spawn.
var forceVfork = false // skip rfork(RFSPAWN), as on FreeBSD before 12.2

// How the child is made.
//
// The syscall package forks on FreeBSD. fork copies the parent's page tables
// and marks its memory copy-on-write, so a spawn costs time in proportion to
// the parent's size, and the parent pays for the copy faults after. forkexec
// makes the child as posix_spawn(3) in FreeBSD's libc does: rfork(RFSPAWN),
// which is vfork (the child borrows the parent's memory, the calling thread
// sleeps until the child has exec'd or exited, the other threads run on)
// plus one thing, that the kernel resets every caught signal to SIG_DFL in
// the child as it makes it. Kernels before 12.2 refuse RFSPAWN with EINVAL
// without making a child, and then plain vfork is used.
//
// That is safe here for the reasons it is safe with clone(CLONE_VM|
// CLONE_VFORK) on Linux, and the same code enforces them:
//   - the child runs no Go code that allocates, locks, grows the stack or
//     writes package state (the //forkexec:child rules, machine-checked);
//   - the return address of the system call is kept off the shared stack
//     (vfork_freebsd_$GOARCH.s), and after the call the parent reads nothing
//     the child could have written: it returns at once with the results the
//     stub wrote after it resumed;
//   - signals: runtimeBeforeFork blocks every signal on the spawning thread
//     before the call, the child inherits that mask, and it unblocks them
//     only after runtimeAfterForkInChild has put the Go handlers back to
//     SIG_DFL, so no Go handler ever runs in the child on the parent's
//     memory. RFSPAWN adds the same for handlers installed by C code, which
//     the runtime would not reset. Handlers are copied, not shared (neither
//     call passes RFSIGSHARE), so resetting them does not touch the parent;
//   - per-process state the child changes is its own: the descriptor table
//     and the root and working directories are copied (RFFDG), credentials,
//     session, process group, jail and parent-death signal are per process.
//
// The child reports failure through memory it shares with the parent, as
// on Linux, so no error pipe is made, and CloseFDs can close descriptors
// outright rather than mark them close-on-exec.

// sharesMemory reports whether the child runs in the parent's memory while
// the parent sleeps. On FreeBSD it always does.
func sharesMemory(sys *SysProcAttr) bool { return true }

// checkSysProcAttr rejects what the child could not do safely. Nothing on
// FreeBSD: what the kernel refuses (an unknown jail, a bad signal) fails in
// the child with the kernel's errno, as with the syscall package.
func checkSysProcAttr(sys *SysProcAttr) *Error { return nil }

// failureCleanup undoes what a failed spawn left behind in sys: nothing on
// FreeBSD.
func failureCleanup(sys *SysProcAttr) {}

// forkAndExecInChild starts the child and returns its pid, or the rfork or
// vfork error. On return in the parent the child has either exec'd or failed
// and left its report. pipe is unused (-1): the child never needs one.
func forkAndExecInChild(cmd *cmdline, attr *ProcAttr, sys *SysProcAttr, pipe int, report *childReport) (pid int, err syscall.Errno) {
	// The child compares its parent's pid with this one to find out whether
	// the parent died before Pdeathsig was armed.
	ppid := 0
	if sys.Pdeathsig != 0 {
		ppid = syscall.Getpid()
	}

	upid, err := forkAndExecInChild1(cmd, sys, cmd.nextfd, ppid, forceVfork, report)
	runtimeAfterFork()
	if err != 0 {
		return 0, err
	}
	return int(upid), 0
}

// forkAndExecInChild1 makes the child with rfork(RFSPAWN), or vfork, and, in
// the child, sets it up and execs the program. It returns only in the
// parent, at once, so that nothing of its frame the child may have
// overwritten is used; hence noinline.
//
// In the child nothing may allocate, take a lock, grow the stack or call Go
// code that is not nosplit, and nothing may be written but the child's own
// locals, cmd's descriptor scratch and *report: the child runs on the
// parent's memory and stack. Every call is to a raw system call stub, a
// runtime fork hook or a nosplit helper of this file, and none of it is
// instrumented. cmd/childcheck checks all of this.
//
// Preconditions: runtimeBeforeFork has not been called; cmd, sys and report
// stay valid until the child has exec'd; nextfd is above every descriptor in
// cmd.fd.
//
//forkexec:child
//go:noinline
//go:norace
//go:nocheckptr
func forkAndExecInChild1(cmd *cmdline, sys *SysProcAttr, nextfd, ppid int, vforkOnly bool, report *childReport) (pid uintptr, err syscall.Errno) {
	var (
		step   Step
		detail int32
		i      int
		n      int
		fd     []int
		pgrp   int32
		sig    int32
		cred   *Credential
		groups *uint32
		old    bool
	)
	fd = cmd.fd

	// From here until runtimeAfterFork in the parent, this thread has every
	// signal blocked and its stack cannot grow or move.
	runtimeBeforeFork()
	if vforkOnly {
		pid, err = rawVforkSyscall(rawVforkArgs())
	} else {
		pid, err = rawVforkSyscall(rawRforkArgs(rfSpawn))
		if err == syscall.EINVAL {
			// No child was made, so this frame is still only the parent's:
			// a kernel older than 12.2, which also lacks close_range.
			old = true
			pid, err = rawVforkSyscall(rawVforkArgs())
		}
	}
	if err != 0 || pid != 0 {
		// The parent, or no child at all. Return at once: the child may
		// have used this frame, and only the values just returned were
		// written after it exec'd or exited.
		return
	}

	// The child.

	// The jail first, as in the syscall package: it needs privilege the
	// credentials below may drop, and it moves the root that Chroot and Dir
	// are taken in.
	if sys.Jail > 0 {
		if err = rawJailAttach(sys.Jail); err != 0 {
			step, detail = StepJail, int32(sys.Jail)
			goto childerror
		}
	}

	if sys.Setsid {
		if err = rawSetsid(); err != 0 {
			step = StepSetsid
			goto childerror
		}
	}

	if sys.Setpgid || sys.Foreground {
		if err = rawSetpgid(0, sys.Pgid); err != 0 {
			step = StepSetpgid
			goto childerror
		}
	}

	if sys.Foreground {
		pgrp = int32(sys.Pgid)
		if pgrp == 0 {
			pgrp = int32(rawGetpid())
		}
		// Still with every signal blocked: a background process group
		// taking the terminal gets SIGTTOU, which would stop the child.
		if err = rawIoctl(sys.Ctty, unix.TIOCSPGRP, uintptr(unsafe.Pointer(&pgrp))); err != 0 {
			step, detail = StepForeground, int32(sys.Ctty)
			goto childerror
		}
	}

	// Put the Go signal handlers back to SIG_DFL, then unblock what the
	// spawning thread had unblocked.
	runtimeAfterForkInChild()

	if cmd.chroot != nil {
		if err = rawChroot(cmd.chroot); err != 0 {
			step = StepChroot
			goto childerror
		}
	}

	// Groups, then gid, then uid: once the uid is dropped the process may no
	// longer change the others.
	if cred = sys.Credential; cred != nil {
		if !cred.NoSetGroups {
			n = len(cred.Groups)
			groups = nil
			if n > 0 {
				groups = &cred.Groups[0]
			}
			if err = rawSetgroups(n, groups); err != 0 {
				step = StepSetgroups
				goto childerror
			}
		}
		if err = rawSetgid(cred.Gid); err != 0 {
			step = StepSetgid
			goto childerror
		}
		if err = rawSetuid(cred.Uid); err != 0 {
			step = StepSetuid
			goto childerror
		}
	}

	// chdir after chroot, so that Dir is inside the new root, and after
	// setuid, so that it is checked with the child's own permissions.
	if cmd.dir != nil {
		if err = rawChdir(cmd.dir); err != 0 {
			step = StepChdir
			goto childerror
		}
	}

	// If the parent exited before the signal was armed, nothing will ever
	// send it: the child's parent is then no longer the pid recorded before
	// the fork, and the child sends the signal to itself.
	if sys.Pdeathsig != 0 {
		sig = int32(sys.Pdeathsig)
		if err = rawProcctl(pPID, 0, procPdeathsigCtl, unsafe.Pointer(&sig)); err != 0 {
			step, detail = StepPdeathsig, sig
			goto childerror
		}
		if rawGetppid() != ppid {
			if err = rawKill(rawGetpid(), sys.Pdeathsig); err != 0 {
				step, detail = StepPdeathsig, sig
				goto childerror
			}
		}
	}

	// Move Files into place (see placeFiles); there is no error pipe.
	if _, i, err = placeFiles(fd, nextfd, -1); err != 0 {
		step, detail = StepDup, int32(i)
		goto childerror
	}

	// There is no error pipe to keep open, so the descriptors are closed
	// outright.
	if sys.CloseFDs {
		if err = closeFDsFrom(len(fd), old); err != 0 {
			step = StepCloseFDs
			goto childerror
		}
	}

	if sys.Noctty {
		if err = rawIoctl(0, unix.TIOCNOTTY, 0); err != 0 {
			step = StepNoctty
			goto childerror
		}
	}

	// After the shuffle: here Ctty is an index into Files.
	if sys.Setctty {
		if err = rawIoctl(sys.Ctty, unix.TIOCSCTTY, 0); err != 0 {
			step, detail = StepSetctty, int32(sys.Ctty)
			goto childerror
		}
	}

	// Last before ptrace and exec, so no step above can install a handler
	// or block a signal after the reset.
	if sys.ResetSignals {
		if i = resetSignals(); i != 0 {
			err, step, detail = syscall.EINVAL, StepResetSignals, int32(i)
			goto childerror
		}
	}

	// Tracing starts as late as possible, as on Linux, where the syscall
	// package's FreeBSD child starts it first. The tracer sees the same
	// thing either way, a stop at the exec; but a traced child stops on any
	// signal until its tracer looks, and the tracer's spawning thread sleeps
	// until the child execs, so the shorter that window the better.
	if sys.Ptrace {
		if err = rawPtrace(unix.PT_TRACE_ME, 0, 0, 0); err != 0 {
			step = StepPtrace
			goto childerror
		}
	}

	err = rawExecve(cmd.argv0, cmd.argv, cmd.envv)
	step = StepExec

childerror:
	// Leave the report in the parent's memory, where it reads it once this
	// child has exited, and exit without running anything of the parent's.
	report.errno, report.step, report.detail = err, step, detail
	for {
		rawExit(exitChildFailed)
	}
}

// closeFDsFrom closes every descriptor from lowfd up: with close_range
// (FreeBSD 12.2 and later), or on an older kernel, which knows no
// close_range and would kill the child with SIGSYS for trying, with
// closefrom, which cannot fail.
//
//go:nosplit
//go:norace
//go:nocheckptr
func closeFDsFrom(lowfd int, old bool) syscall.Errno {
	if old {
		rawClosefrom(lowfd)
		return 0
	}
	return rawCloseRange(uint32(lowfd), ^uint32(0), 0)
}

// resetSignals sets every signal but SIGKILL and SIGSTOP to SIG_DFL, then
// empties the signal mask. It returns 0, or the signal it could not reset
// (the mask is reported as signal -1). SIG_DFL is 0, so a zeroed struct
// sigaction is SIG_DFL with no flags and an empty mask.
//
//go:nosplit
//go:norace
//go:nocheckptr
func resetSignals() int {
	var act [sigactionBytes / 8]uint64
	var mask [sigsetWords]uint32
	for sig := 1; sig <= lastSignal; sig++ {
		if sig == int(syscall.SIGKILL) || sig == int(syscall.SIGSTOP) {
			continue
		}
		if rawSigaction(sig, unsafe.Pointer(&act), nil) != 0 {
			return sig
		}
	}
	if rawSigprocmask(sigSetmask, unsafe.Pointer(&mask), nil) != 0 {
		return -1
	}
	return 0
}

// dupCloexec makes newfd a close-on-exec copy of oldfd.
//
//go:nosplit
//go:norace
//go:nocheckptr
func dupCloexec(oldfd, newfd int) syscall.Errno {
	_, err := rawFcntl(oldfd, unix.F_DUP2FD_CLOEXEC, newfd)
	return err
}

// dupOnto makes newfd a copy of oldfd that stays open across exec.
//
//go:nosplit
//go:norace
//go:nocheckptr
func dupOnto(oldfd, newfd int) syscall.Errno {
	return rawDup2(oldfd, newfd)
}
