//go:build freebsd

package forkexec

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// childOSArgs is what a FreeBSD child works with besides its program:
// nothing.
//
//lint:ignore U1000 the shared childArgs has one; only Linux's holds anything
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
	case opCloseFrom:
		rawClosefrom(int(s.arg[0]))
		return 0
	case opRlimit:
		return rawSetrlimit(int(s.arg[0]), (*syscall.Rlimit)(c.at(s.arg[1])))
	case opSignalMask:
		return rawSigprocmask(sigSetmask, c.at(s.arg[0]), nil)
	case opExecFD:
		return rawFexecve(c.execFD, c.prog.argv, c.prog.envv)
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
	switch op(s.op) {
	case opPdeathsig:
		return setPdeathsig(s)
	case opNoNewPrivs:
		return setNoNewPrivs()
	case opCloseFDsRange:
		return closeFDsRange(c, s)
	case opExecRetry:
		return execRetrying(c, s)
	}
	return syscall.ENOSYS // not reached: execChild chose this dispatcher
}

//go:nosplit
//go:norace
//go:nocheckptr
func setNoNewPrivs() syscall.Errno {
	enable := int32(procNoNewPrivsEnable)
	return rawProcctl(pPID, 0, procNoNewPrivsCtl, unsafe.Pointer(&enable))
}

// closeFDsRange closes every descriptor from arg0 up but the moved exec
// descriptor, if there is one.
//
//go:nosplit
//go:norace
//go:nocheckptr
func closeFDsRange(c *childArgs, s *childStep) syscall.Errno {
	low := uint32(s.arg[0])
	if c.execFD >= 0 && uint32(c.execFD) >= low {
		if uint32(c.execFD) > low {
			if err := rawCloseRange(low, uint32(c.execFD)-1, 0); err != 0 {
				return err
			}
		}
		low = uint32(c.execFD) + 1
	}
	return rawCloseRange(low, ^uint32(0), 0)
}

// execRetrying is the Linux one's twin (see there), with fexecve. A shared
// loop calling each kernel's exec by descriptor would be one frame deeper,
// and linux/ppc64le's unoptimized build then overflows the nosplit limit
// (.ci/debugbuild.sh): hence two.
//
//go:nosplit
//go:norace
//go:nocheckptr
func execRetrying(c *childArgs, s *childStep) syscall.Errno {
	budget := int64(join64(s.arg[0], s.arg[1]))
	var err syscall.Errno
	for try := 0; ; try++ {
		if s.arg[2] != 0 {
			err = rawFexecve(c.execFD, c.prog.argv, c.prog.envv)
		} else {
			err = rawExecve(c.prog.argv0, c.prog.argv, c.prog.envv)
		}
		var ts syscall.Timespec
		ts.Nsec = 1e6
		ts.Nsec <<= min(try, 7)
		if ts.Nsec > 100e6 {
			ts.Nsec = 100e6
		}
		if err != syscall.ETXTBSY || try == 31 || int64(ts.Nsec) > budget {
			return err
		}
		rawNanosleep(&ts, nil)
		budget -= int64(ts.Nsec)
	}
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

// runOSDirect2 is never called: runOSDirect has every direct FreeBSD
// operation.
//
//go:nosplit
//go:norace
//go:nocheckptr
func runOSDirect2(c *childArgs, s *childStep) syscall.Errno {
	return syscall.ENOSYS
}
