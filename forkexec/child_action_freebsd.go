//go:build freebsd

package forkexec

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The child's part of Actions on FreeBSD: the kinds FreeBSD has (the others
// are refused before the fork, and reach the ENOSYS below never). Compiled
// and checked by childcheck here, not yet run: no FreeBSD host has been
// available (README, "What has run where").

// runActionDirect runs an action that is one raw call, or one of two.
//
//go:nosplit
//go:norace
//go:nocheckptr
func runActionDirect(c *childArgs, s *childStep) syscall.Errno {
	a := &s.arg
	switch op(s.op) {
	case opActChdir:
		return rawChdir((*byte)(c.at(a[0])))
	case opActFchdir:
		return rawFchdir(int(a[0]))
	case opActCloseFile:
		return rawClose(int(a[0]))
	case opActDup2:
		if a[0] == a[1] {
			_, err := rawFcntl(int(a[0]), syscall.F_SETFD, 0)
			return err
		}
		return rawDup2(int(a[0]), int(a[1]))
	case opActMkdir:
		return rawMkdirat(unix.AT_FDCWD, (*byte)(c.at(a[0])), uint32(a[1]))
	case opActSymlink:
		return rawSymlinkat((*byte)(c.at(a[1])), unix.AT_FDCWD, (*byte)(c.at(a[0])))
	case opActSetrlimit:
		return rawSetrlimit(int(a[0]), (*syscall.Rlimit)(c.at(a[1])))
	}
	return syscall.ENOSYS // a Linux-only kind: refused before the fork
}

// runActionIndirect runs an action that is a function of raw calls.
//
//go:nosplit
//go:norace
//go:nocheckptr
func runActionIndirect(c *childArgs, s *childStep) syscall.Errno {
	switch op(s.op) {
	case opKeepPipe:
		return keepPipe(c, s)
	case opActOpenFile:
		return openOnto(c, s)
	case opActCloseFrom:
		return closeFrom(c, s)
	case opActTcsetpgrp:
		return tcsetpgrp(c, s)
	case opActWriteFile:
		return writeFile(c, s)
	}
	return syscall.ENOSYS // a Linux-only kind, or ParentHook: refused before the fork
}

// openOnto opens arg0 with flags arg1 and mode arg2 and makes it descriptor
// arg3, close-on-exec only if arg1 says so (see the Linux one).
//
//go:nosplit
//go:norace
//go:nocheckptr
func openOnto(c *childArgs, s *childStep) syscall.Errno {
	target := int(s.arg[3])
	fd, err := rawOpenat(unix.AT_FDCWD, (*byte)(c.at(s.arg[0])), int(s.arg[1])|syscall.O_CLOEXEC, uint32(s.arg[2]))
	if err != 0 {
		return err
	}
	flag := 0
	if int(s.arg[1])&syscall.O_CLOEXEC != 0 {
		flag = syscall.FD_CLOEXEC
	}
	if fd != target {
		err = rawDup2(fd, target)
		rawClose(fd)
	}
	if err == 0 {
		_, err = rawFcntl(target, syscall.F_SETFD, flag)
	}
	if err != 0 {
		c.detail = callDup3
	}
	return err
}

// closeFrom closes every descriptor from arg0 up: close_range (12.2), or
// closefrom before it.
//
//go:nosplit
//go:norace
//go:nocheckptr
func closeFrom(c *childArgs, s *childStep) syscall.Errno {
	err := rawCloseRange(uint32(s.arg[0]), ^uint32(0), 0)
	if err == syscall.ENOSYS {
		return rawClosefrom(int(s.arg[0]))
	}
	return err
}

// tcsetpgrp makes the child's process group the foreground group of the
// terminal at arg0, with SIGTTOU blocked (see the Linux one).
//
//go:nosplit
//go:norace
//go:nocheckptr
func tcsetpgrp(c *childArgs, s *childStep) syscall.Errno {
	var set, old [sigsetWords]uint32
	set[(syscall.SIGTTOU-1)/32] = 1 << ((syscall.SIGTTOU - 1) % 32)
	if err := rawSigprocmask(sigBlock, unsafe.Pointer(&set), unsafe.Pointer(&old)); err != 0 {
		c.detail = callBlockTTOU
		return err
	}
	pgrp, err := rawGetpgid(0)
	if err == 0 {
		pgrp32 := int32(pgrp)
		err = rawIoctl(int(s.arg[0]), unix.TIOCSPGRP, uintptr(unsafe.Pointer(&pgrp32)))
	}
	rawSigprocmask(sigSetmask, unsafe.Pointer(&old), nil)
	return err
}
