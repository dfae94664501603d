//go:build freebsd

package forkexec

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// childOSArgs is what a FreeBSD child works with besides its program:
// nothing.
type childOSArgs struct{}

// runOSDirect runs an operation only FreeBSD has that is one raw call.
//
//go:nosplit
//go:norace
//go:nocheckptr
func runOSDirect(c *childArgs, s *childStep) syscall.Errno {
	switch op(s.op) {
	case opJail:
		return rawJailAttach(int(s.arg[0]))
	case opCloseFDsRange:
		return rawCloseRange(uint32(s.arg[0]), ^uint32(0), 0)
	case opCloseFrom:
		rawClosefrom(int(s.arg[0]))
		return 0
	}
	return syscall.ENOSYS // not reached: execChild chose this dispatcher
}

// runOSIndirect runs an operation only FreeBSD has that is a function of
// raw calls.
//
//go:nosplit
//go:norace
//go:nocheckptr
func runOSIndirect(c *childArgs, s *childStep) syscall.Errno {
	return setPdeathsig(s)
}

// runOSDeep is never called: FreeBSD has no deep operations.
//
//go:nosplit
//go:norace
//go:nocheckptr
func runOSDeep(c *childArgs, s *childStep) syscall.Errno {
	return syscall.ENOSYS
}

// setPdeathsig arms the parent-death signal arg0 with procctl, and signals
// the child itself if its parent is no longer arg1 (see the Linux one).
//
//go:nosplit
//go:norace
//go:nocheckptr
func setPdeathsig(s *childStep) syscall.Errno {
	sig := int32(s.arg[0])
	if err := rawProcctl(pPID, 0, procPdeathsigCtl, unsafe.Pointer(&sig)); err != 0 {
		return err
	}
	if rawGetppid() != int(s.arg[1]) {
		return rawKill(rawGetpid(), syscall.Signal(sig))
	}
	return 0
}

// restoreNofile gives the child the RLIMIT_NOFILE the program started with,
// arg0-arg1 (soft) and arg2-arg3 (hard), as the stdlib does on FreeBSD:
// unconditionally, errors ignored.
//
//go:nosplit
//go:norace
//go:nocheckptr
func restoreNofile(s *childStep) {
	var orig syscall.Rlimit
	orig.Cur, orig.Max = int64(join64(s.arg[0], s.arg[1])), int64(join64(s.arg[2], s.arg[3]))
	rawSetrlimit(syscall.RLIMIT_NOFILE, &orig)
}

//go:nosplit
//go:norace
//go:nocheckptr
func ptraceMe() syscall.Errno { return rawPtrace(unix.PT_TRACE_ME, 0, 0, 0) }

// resetSignals sets every signal but SIGKILL and SIGSTOP to SIG_DFL, then
// empties the signal mask. On failure c.detail is the signal it could not
// reset, or -1 for the mask.
//
//go:nosplit
//go:norace
//go:nocheckptr
func resetSignals(c *childArgs) syscall.Errno {
	var act [sigactionBytes / 8]uint64
	var mask [sigsetWords]uint32
	for sig := 1; sig <= lastSignal; sig++ {
		if sig == int(syscall.SIGKILL) || sig == int(syscall.SIGSTOP) {
			continue
		}
		if err := rawSigaction(sig, unsafe.Pointer(&act), nil); err != 0 {
			c.detail = int32(sig)
			return err
		}
	}
	if err := rawSigprocmask(sigSetmask, unsafe.Pointer(&mask), nil); err != 0 {
		c.detail = -1
		return err
	}
	return 0
}

// dupOnto makes newfd a copy of oldfd that stays open across exec.
//
//go:nosplit
//go:norace
//go:nocheckptr
func dupOnto(oldfd, newfd int) syscall.Errno {
	return rawDup2(oldfd, newfd)
}
