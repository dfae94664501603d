//go:build linux

package forkexec

import (
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// childActionArgs is what a Linux child works with for SysProcAttr.Actions
// and ParentHook besides its program (childOSArgs.act).
type childActionArgs struct {
	// hookDone is, on the hook path, 0 until ParentHook has returned,
	// then 1 + the errno the child is to fail with (0: go on). A futex
	// word, used like childOSArgs.mapsWritten: the parent, out of the fork
	// hooks by then, uses sync/atomic on it; the child plain accesses.
	hookDone atomic.Uint32
	// hookPipe is, on the fork path with a hook, the pipe on which the
	// parent sends that errno: read end, write end.
	hookPipe [2]int
	// ppid is the parent's pid, and waitTimeout how long the child waits
	// for the hook before it looks whether its parent still is: a child
	// whose parent died during the hook exits rather than wait forever in
	// memory nobody else uses.
	ppid        int
	waitTimeout unix.Timespec
	// statfs is RemountReadOnly's buffer: a nosplit chain has no room
	// for it on the stack. The child writes it.
	statfs unix.Statfs_t
}

var dotDir = [...]byte{'.', 0}

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
			// POSIX: dup2 of a descriptor onto itself clears its
			// close-on-exec flag.
			_, err := rawFcntl(int(a[0]), syscall.F_SETFD, 0)
			return err
		}
		return rawDup3(int(a[0]), int(a[1]), 0)
	case opActPropagation:
		return rawMount(nil, (*byte)(c.at(a[0])), nil, a[1], nil)
	case opActUnmount:
		return rawUmount2((*byte)(c.at(a[0])), int(a[1]))
	case opActMkdir:
		return rawMkdirat(unix.AT_FDCWD, (*byte)(c.at(a[0])), uint32(a[1]))
	case opActSymlink:
		return rawSymlinkat((*byte)(c.at(a[1])), unix.AT_FDCWD, (*byte)(c.at(a[0])))
	case opActSetrlimit:
		return rawPrlimit64(0, int(a[0]), (*syscall.Rlimit)(c.at(a[1])), nil)
	case opActSethostname:
		return rawSethostname((*byte)(c.at(a[0])), int(a[1]))
	case opActSetns:
		return rawSetns(int(a[0]), int(a[1]))
	}
	return syscall.ENOSYS // not reached: execChild chose this dispatcher
}

// runActionIndirect runs an action, or a wait for ParentHook, that is a
// function of raw calls.
//
//go:nosplit
//go:norace
//go:nocheckptr
func runActionIndirect(c *childArgs, s *childStep) syscall.Errno {
	switch op(s.op) {
	case opReleaseParent:
		return releaseParent(c)
	case opWaitHookFutex:
		return waitHookFutex(c)
	case opWaitHookPipe:
		return waitHookPipe(c)
	case opKeepPipe:
		return keepPipe(c, s)
	case opActOpenFile:
		return openOnto(c, s)
	case opActMount:
		return mount(c, s)
	case opActCloseFrom:
		return closeFrom(c, s)
	case opActTcsetpgrp:
		return tcsetpgrp(c, s)
	case opActRemountRO:
		return remountReadOnly(c, s)
	case opActWriteFile:
		return writeFile(c, s)
	case opActPivotRoot:
		return pivotRoot(c, s)
	}
	return syscall.ENOSYS // not reached: execChild chose this dispatcher
}

// mount runs Mount's mount(2): arg0 is the offset of five words, the
// source, target, file system type, flags and data; offset 0, the
// program's first step and never a string, is NULL.
//
//go:nosplit
//go:norace
//go:nocheckptr
func mount(c *childArgs, s *childStep) syscall.Errno {
	w := (*[5]uintptr)(c.at(s.arg[0]))
	var p [5]*byte
	for i := range w {
		if w[i] != 0 && i != 3 {
			p[i] = (*byte)(c.at(w[i]))
		}
	}
	return rawMount(p[0], p[1], p[2], w[3], p[4])
}

// releaseParent tells the parent, on the hook path, that it may leave the
// fork hooks (running = 2): the child has restored its signals, and reads
// nothing of the parent's runtime again.
//
//go:nosplit
//go:norace
//go:nocheckptr
func releaseParent(c *childArgs) syscall.Errno {
	// Plain accesses, as childOSArgs explains.
	running := futexWord(&c.os.running)
	*running = 2
	rawFutex(running, futexWake, 1, nil)
	return 0
}

// waitHookFutex tells the parent, on the hook path, that the child has
// reached its wait (running = 3), with its namespaces made, and waits
// until the parent has run ParentHook and set hookDone. If the parent
// dies meanwhile the child gives up: nothing would ever wake it.
//
//go:nosplit
//go:norace
//go:nocheckptr
func waitHookFutex(c *childArgs) syscall.Errno {
	// Plain accesses, as childOSArgs explains.
	running := futexWord(&c.os.running)
	*running = 3
	rawFutex(running, futexWake, 1, nil)
	done := futexWord(&c.os.act.hookDone)
	for *done == 0 {
		err := rawFutex(done, futexWait, 0, unsafe.Pointer(&c.os.act.waitTimeout))
		if err == syscall.ETIMEDOUT && parentGone(c.os.act.ppid) {
			return syscall.ESRCH
		}
	}
	return syscall.Errno(*done - 1)
}

// waitHookPipe waits, on the fork path, for the parent's word that
// ParentHook has returned: an errno on the hook pipe, 0 to go on. End of
// file (the parent died, or killed the child) is ESRCH.
//
//go:nosplit
//go:norace
//go:nocheckptr
func waitHookPipe(c *childArgs) syscall.Errno {
	var status syscall.Errno
	if err := rawClose(c.os.act.hookPipe[1]); err != 0 {
		return err
	}
	n, err := rawRead(c.os.act.hookPipe[0], unsafe.Pointer(&status), unsafe.Sizeof(status))
	rawClose(c.os.act.hookPipe[0])
	if err != 0 {
		return err
	}
	if uintptr(n) != unsafe.Sizeof(status) {
		return syscall.ESRCH
	}
	return status
}

// openOnto opens arg0 with flags arg1 and mode arg2 and makes it descriptor
// arg3. The open itself is close-on-exec, so that the temporary descriptor
// never outlives the step; the final one is close-on-exec only if arg1
// says so.
//
//go:nosplit
//go:norace
//go:nocheckptr
func openOnto(c *childArgs, s *childStep) syscall.Errno {
	target, cloexec := int(s.arg[3]), int(s.arg[1])&syscall.O_CLOEXEC
	fd, err := rawOpenat(unix.AT_FDCWD, (*byte)(c.at(s.arg[0])), int(s.arg[1])|syscall.O_CLOEXEC, uint32(s.arg[2]))
	if err != 0 {
		return err
	}
	if fd == target {
		if cloexec == 0 {
			_, err = rawFcntl(fd, syscall.F_SETFD, 0)
		}
	} else {
		err = rawDup3(fd, target, cloexec)
		rawClose(fd)
	}
	if err != 0 {
		c.detail = callDup3
	}
	return err
}

// closeFrom closes every descriptor from arg0 up but the error pipe.
//
//go:nosplit
//go:norace
//go:nocheckptr
func closeFrom(c *childArgs, s *childStep) syscall.Errno {
	from := uint(s.arg[0])
	if c.pipe < 0 || uint(c.pipe) < from {
		return rawCloseRange(from, ^uint(0), 0)
	}
	if uint(c.pipe) > from {
		if err := rawCloseRange(from, uint(c.pipe)-1, 0); err != 0 {
			return err
		}
	}
	return rawCloseRange(uint(c.pipe)+1, ^uint(0), 0)
}

// tcsetpgrp makes the child's process group the foreground group of the
// terminal at arg0, with SIGTTOU blocked: by now the child has the
// spawning thread's signal mask back, and a background group that takes
// the terminal is sent SIGTTOU, which would stop it.
//
//go:nosplit
//go:norace
//go:nocheckptr
func tcsetpgrp(c *childArgs, s *childStep) syscall.Errno {
	var set, old [sigsetBytes / 8]uint64
	set[(syscall.SIGTTOU-1)/64] = 1 << ((syscall.SIGTTOU - 1) % 64)
	if err := rawRtSigprocmask(unix.SIG_BLOCK, unsafe.Pointer(&set), unsafe.Pointer(&old), sigsetBytes); err != 0 {
		c.detail = callBlockTTOU
		return err
	}
	pgrp, err := rawGetpgid(0)
	if err == 0 {
		pgrp32 := int32(pgrp)
		err = rawIoctl(int(s.arg[0]), unix.TIOCSPGRP, uintptr(unsafe.Pointer(&pgrp32)))
	}
	rawRtSigprocmask(unix.SIG_SETMASK, unsafe.Pointer(&old), nil, sigsetBytes)
	return err
}

// keptMountFlags are the flags of a mount that a read-only remount keeps:
// those the kernel locks on mounts a user namespace inherits, and refuses
// to clear from inside it. statfs's ST_ bits have the MS_ values for them.
const keptMountFlags = unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC | unix.MS_NOATIME | unix.MS_NODIRATIME

// remountReadOnly makes the mount at arg0 read-only, keeping the flags
// statfs finds on it (see RemountReadOnly). The access-time mode is kept
// too: a remount that names none would reset it to relatime.
//
//go:nosplit
//go:norace
//go:nocheckptr
func remountReadOnly(c *childArgs, s *childStep) syscall.Errno {
	path := (*byte)(c.at(s.arg[0]))
	st := &c.os.act.statfs
	if err := rawStatfs(path, st); err != 0 {
		c.detail = callStatfs
		return err
	}
	have := uintptr(st.Flags)
	flags := unix.MS_REMOUNT | unix.MS_BIND | unix.MS_RDONLY | have&keptMountFlags
	switch {
	case have&unix.ST_RELATIME != 0:
		flags |= unix.MS_RELATIME
	case have&unix.ST_NOATIME == 0:
		flags |= unix.MS_STRICTATIME
	}
	if err := rawMount(nil, path, nil, flags, nil); err != 0 {
		c.detail = callRemount
		return err
	}
	return 0
}

// pivotRoot makes arg0 the root and detaches the old one (see PivotRoot).
//
//go:nosplit
//go:norace
//go:nocheckptr
func pivotRoot(c *childArgs, s *childStep) syscall.Errno {
	if err := rawChdir((*byte)(c.at(s.arg[0]))); err != 0 {
		return err
	}
	if err := rawPivotRoot(&dotDir[0], &dotDir[0]); err != 0 {
		c.detail = callPivotRoot
		return err
	}
	// "." is now the old root, stacked on the new one: detach it.
	if err := rawUmount2(&dotDir[0], unix.MNT_DETACH); err != 0 {
		c.detail = callUnmountOld
		return err
	}
	if err := rawChdir(&rootDir[0]); err != 0 {
		c.detail = callChdirRoot
		return err
	}
	return 0
}
