//go:build linux

package forkexec

import (
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// childOSArgs is what a Linux child works with besides its program.
type childOSArgs struct {
	mapPipe [2]int // fork path: the pipe on which the parent says the maps are written

	// Own-stack path: mapsWritten is 0 until the parent has written the
	// maps, then 1 + the errno of writing them; running is 1 until the
	// child execs or exits, when the kernel zeroes it. Each is a futex
	// word, one waker and one waiter, typed atomic so that nothing reads
	// them plainly by mistake. Between runtimeBeforeFork and
	// runtimeAfterFork, though, the child and the parent use neither the
	// methods nor sync/atomic's functions: in a race build both call into
	// the race runtime, which takes locks (a child holding one at its exec
	// deadlocks the parent), and unoptimized the methods have a stack
	// check. There they read and write the word through futexWord, in
	// norace functions, with plain loads and stores: aligned 32-bit
	// accesses are atomic where the own-stack path exists (amd64), and
	// each load sits in a loop around a futex system call, which the
	// compiler cannot see through, so it is made again every time.
	mapsWritten atomic.Uint32
	running     atomic.Uint32

	// dirents is closeFDsByProc's buffer: a nosplit chain has no room for
	// it on the stack. The child writes it.
	dirents [1024]byte

	act childActionArgs // for Actions and ParentHook (child_action_linux.go)
}

var (
	emptyPath  = [...]byte{0}
	rootDir    = [...]byte{'/', 0}
	noneFS     = [...]byte{'n', 'o', 'n', 'e', 0}
	procSelfFD = [...]byte{'/', 'p', 'r', 'o', 'c', '/', 's', 'e', 'l', 'f', '/', 'f', 'd', 0}
)

// futex(2) operations, which x/sys/unix does not name.
const (
	futexWait = 0 // FUTEX_WAIT: sleep while the word holds the value given
	futexWake = 1 // FUTEX_WAKE: wake up to the number given of its sleepers
)

// futexWord returns the address of w's value, for futex(2) and the plain
// accesses childOSArgs explains. atomic.Uint32 is a zero-size noCopy and the
// uint32, so its address is the value's.
//
//go:nosplit
//go:norace
//go:nocheckptr
func futexWord(w *atomic.Uint32) *uint32 { return (*uint32)(unsafe.Pointer(w)) }

// runOSDirect runs an operation only Linux has that is one raw call.
//
//go:nosplit
//go:norace
//go:nocheckptr
func runOSDirect(c *childArgs, s *childStep) syscall.Errno {
	switch op(s.op) {
	case opKeepCaps:
		return rawPrctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0)
	case opUnshare:
		return rawUnshare(s.arg[0])
	case opMountPrivate:
		return rawMount(&noneFS[0], &rootDir[0], nil, syscall.MS_REC|syscall.MS_PRIVATE, nil)
	case opRaiseAmbient:
		return rawPrctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, s.arg[0], 0, 0)
	case opCloseFDsRange:
		// Close-on-exec rather than closed, so that the error pipe stays
		// open until the exec.
		return rawCloseRange(uint(s.arg[0]), ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
	case opSetns:
		return rawSetns(int(s.arg[0]), int(s.arg[1]))
	case opSethostname:
		return rawSethostname((*byte)(c.at(s.arg[0])), int(s.arg[1]))
	case opSetdomainname:
		return rawSetdomainname((*byte)(c.at(s.arg[0])), int(s.arg[1]))
	}
	return syscall.ENOSYS // not reached: execChild chose this dispatcher
}

// runOSDirect2 runs the rest of the operations only Linux has that are one
// raw call: one switch of all would make a frame too big for the nosplit
// chain, unoptimized.
//
//go:nosplit
//go:norace
//go:nocheckptr
func runOSDirect2(c *childArgs, s *childStep) syscall.Errno {
	switch op(s.op) {
	case opRlimit:
		return rawPrlimit64(0, int(s.arg[0]), (*syscall.Rlimit)(c.at(s.arg[1])), nil)
	case opSecureBits:
		return rawPrctl(unix.PR_SET_SECUREBITS, s.arg[0], 0, 0, 0)
	case opNoNewPrivs:
		return rawPrctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
	case opLandlock:
		return rawLandlockRestrictSelf(int(s.arg[0]), uint32(s.arg[1]))
	case opSignalMask:
		return rawRtSigprocmask(unix.SIG_SETMASK, c.at(s.arg[0]), nil, sigsetBytes)
	case opSeccomp:
		return rawSeccomp(unix.SECCOMP_SET_MODE_FILTER, s.arg[0], c.at(s.arg[1]))
	case opExecFD:
		return rawExecveat(c.execFD, &emptyPath[0], c.prog.argv, c.prog.envv, unix.AT_EMPTY_PATH)
	}
	return syscall.ENOSYS // not reached: execChild chose this dispatcher
}

// runOSIndirect runs an operation only Linux has that is a function of raw
// calls.
//
//go:nosplit
//go:norace
//go:nocheckptr
func runOSIndirect(c *childArgs, s *childStep) syscall.Errno {
	switch op(s.op) {
	case opWaitIDMapPipe:
		return waitIDMapPipe(c)
	case opWaitIDMapFutex:
		return waitIDMapFutex(c, s)
	case opAmbientPrep:
		return ambientPrep(s)
	case opPdeathsig:
		return setPdeathsig(s)
	case opDropBounding:
		return dropBounding(c, s)
	case opCapset:
		return setCaps(c, s)
	case opExecRetry:
		return execRetrying(c, s)
	}
	return syscall.ENOSYS // not reached: execChild chose this dispatcher
}

// dropBounding drops from the bounding set every capability in arg0
// (0-31) and arg1 (32-63); on failure c.detail is the capability.
//
//go:nosplit
//go:norace
//go:nocheckptr
func dropBounding(c *childArgs, s *childStep) syscall.Errno {
	drop := join64(s.arg[0], s.arg[1])
	for cp := uintptr(0); cp < 64; cp++ {
		if drop&(1<<cp) == 0 {
			continue
		}
		if err := rawPrctl(unix.PR_CAPBSET_DROP, cp, 0, 0, 0); err != 0 {
			c.detail = int32(cp)
			return err
		}
	}
	return 0
}

// setCaps sets the capability sets that arg1 names to those at arg0,
// keeping the others as they are.
//
//go:nosplit
//go:norace
//go:nocheckptr
func setCaps(c *childArgs, s *childStep) syscall.Errno {
	var (
		hdr  unix.CapUserHeader
		data [2]unix.CapUserData
	)
	hdr.Version = unix.LINUX_CAPABILITY_VERSION_3
	if err := rawCapget(&hdr, &data[0]); err != 0 {
		return err
	}
	want := (*[2]unix.CapUserData)(c.at(s.arg[0]))
	for i := range data {
		if s.arg[1]&capsPermitted != 0 {
			data[i].Permitted = want[i].Permitted
		}
		if s.arg[1]&capsEffective != 0 {
			data[i].Effective = want[i].Effective
		}
		if s.arg[1]&capsInheritable != 0 {
			data[i].Inheritable = want[i].Inheritable
		}
	}
	return rawCapset(&hdr, &data[0])
}

// execRetrying execs (by the moved descriptor if arg2) and, while that
// fails with ETXTBSY, sleeps and tries again: 1ms, doubling up to 100ms,
// as long as the sleeps add up to at most arg0-arg1 nanoseconds, and for
// at most 32 tries. The sleep is set with constants and shifts, which suit
// Timespec's fields whatever their size on this architecture. FreeBSD has
// a twin, with fexecve (see there for why it is not shared).
//
//go:nosplit
//go:norace
//go:nocheckptr
func execRetrying(c *childArgs, s *childStep) syscall.Errno {
	budget := int64(join64(s.arg[0], s.arg[1]))
	var err syscall.Errno
	for try := 0; ; try++ {
		if s.arg[2] != 0 {
			err = rawExecveat(c.execFD, &emptyPath[0], c.prog.argv, c.prog.envv, unix.AT_EMPTY_PATH)
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

// runOSDeep runs an operation only Linux has whose calls go deeper: two
// cases, so that this frame stays small.
//
//go:nosplit
//go:norace
//go:nocheckptr
func runOSDeep(c *childArgs, s *childStep) syscall.Errno {
	if op(s.op) == opCloseFDsByProc {
		return closeFDsByProc(c, s)
	}
	return writeIDMap(c, s) // opWriteIDMap, opWriteOOM
}

// writeIDMap writes one of a child's own map files: arg2 bytes at arg1 to
// the file named at arg0; a missing file is fine if arg3 says so (setgroups
// before Linux 3.19). writeProcFile's work, with the raw calls made here,
// for the depth of the nosplit chain.
//
//go:nosplit
//go:norace
//go:nocheckptr
func writeIDMap(c *childArgs, s *childStep) syscall.Errno {
	fd, err := rawOpenat(unix.AT_FDCWD, (*byte)(c.at(s.arg[0])), syscall.O_WRONLY|syscall.O_CLOEXEC, 0)
	if err == syscall.ENOENT && s.arg[3] != 0 {
		return 0
	}
	if err != 0 {
		return err
	}
	if _, err = rawWrite(fd, c.at(s.arg[1]), s.arg[2]); err != 0 {
		rawClose(fd)
		return err
	}
	return rawClose(fd)
}

// waitIDMapPipe waits on the fork path for the parent's word that the maps
// are written: the errno of writing them, on the map pipe.
//
//go:nosplit
//go:norace
//go:nocheckptr
func waitIDMapPipe(c *childArgs) syscall.Errno {
	var status syscall.Errno
	if err := rawClose(c.os.mapPipe[1]); err != 0 {
		return err
	}
	n, err := rawRead(c.os.mapPipe[0], unsafe.Pointer(&status), unsafe.Sizeof(status))
	if err != 0 {
		return err
	}
	if uintptr(n) != unsafe.Sizeof(status) {
		return syscall.EINVAL
	}
	return status
}

// waitIDMapFutex waits on the own-stack path until the parent has set
// mapsWritten and woken it. It wakes every 100ms to check that the parent
// is still arg0 (parentGone): a parent that dies before writing the maps
// (a crash, SIGKILL) never wakes it, and the child would wait for ever.
//
//go:nosplit
//go:norace
//go:nocheckptr
func waitIDMapFutex(c *childArgs, s *childStep) syscall.Errno {
	w := futexWord(&c.os.mapsWritten)
	var ts syscall.Timespec
	ts.Nsec = 100e6
	for *w == 0 {
		rawFutex(w, futexWait, 0, unsafe.Pointer(&ts))
		if *w == 0 && parentGone(int(s.arg[0])) {
			return syscall.ESRCH
		}
	}
	return syscall.Errno(*w - 1)
}

// ambientPrep makes the capabilities in arg0 (0-31) and arg1 (32-63)
// permitted and inheritable, as raising them ambient requires.
//
//go:nosplit
//go:norace
//go:nocheckptr
func ambientPrep(s *childStep) syscall.Errno {
	var (
		hdr  unix.CapUserHeader
		data [2]unix.CapUserData
	)
	hdr.Version = unix.LINUX_CAPABILITY_VERSION_3
	if err := rawCapget(&hdr, &data[0]); err != 0 {
		return err
	}
	for i := range data {
		data[i].Permitted |= uint32(s.arg[i])
		data[i].Inheritable |= uint32(s.arg[i])
	}
	return rawCapset(&hdr, &data[0])
}

// setPdeathsig arms the parent-death signal arg0. If the parent died before
// it was armed, nothing will ever send it: the child's parent is then no
// longer arg1, the pid recorded before the clone, and the child sends the
// signal to itself.
//
//go:nosplit
//go:norace
//go:nocheckptr
func setPdeathsig(s *childStep) syscall.Errno {
	sig := syscall.Signal(s.arg[0])
	if err := rawPrctl(unix.PR_SET_PDEATHSIG, uintptr(sig), 0, 0, 0); err != 0 {
		return err
	}
	if rawGetppid() != int(s.arg[1]) {
		return rawKill(rawGetpid(), sig)
	}
	return 0
}

// restoreNofile gives the child the RLIMIT_NOFILE the program started with,
// arg0-arg1 (soft) and arg2-arg3 (hard), unless the limit is no longer the
// one the syscall package set at start-up (soft one below hard): then
// another process has changed it with prlimit since, and the stdlib keeps
// that one too. Errors are ignored, as in the stdlib.
//
//go:nosplit
//go:norace
//go:nocheckptr
func restoreNofile(s *childStep) {
	var cur, orig syscall.Rlimit
	orig.Cur, orig.Max = join64(s.arg[0], s.arg[1]), join64(s.arg[2], s.arg[3])
	err := rawPrlimit64(0, syscall.RLIMIT_NOFILE, nil, &cur)
	if err != 0 || cur.Cur == orig.Max-1 && cur.Max == orig.Max {
		rawPrlimit64(0, syscall.RLIMIT_NOFILE, &orig, nil)
	}
}

//go:nosplit
//go:norace
//go:nocheckptr
func ptraceMe() syscall.Errno { return rawPtrace(syscall.PTRACE_TRACEME, 0, 0, 0) }

// dupOnto makes newfd a copy of oldfd that stays open across exec.
//
//go:nosplit
//go:norace
//go:nocheckptr
func dupOnto(oldfd, newfd int) syscall.Errno {
	return rawDup3(oldfd, newfd, 0)
}

// writeIDMaps writes a child's uid and gid maps under /proc/PID, in the
// order addIDMapWrites gives. The parent calls it, for a child that waits:
// on the own-stack path before runtimeAfterFork, so it allocates nothing
// and is nosplit.
//
//go:nosplit
//go:norace
//go:nocheckptr
func writeIDMaps(pid int, d *decisions, sys *SysProcAttr) syscall.Errno {
	var path [40]byte
	if sys.UidMappings != nil {
		if err := writeProcFile(procPath(&path, pid, "uid_map"), unsafe.SliceData(d.uidMap), len(d.uidMap)); err != 0 {
			return err
		}
	}
	if sys.GidMappings != nil {
		setgroups := "deny"
		if sys.GidMappingsEnableSetgroups {
			setgroups = "allow"
		}
		if err := writeProcFile(procPath(&path, pid, "setgroups"), unsafe.StringData(setgroups), len(setgroups)); err != 0 && err != syscall.ENOENT {
			return err
		}
		if err := writeProcFile(procPath(&path, pid, "gid_map"), unsafe.SliceData(d.gidMap), len(d.gidMap)); err != 0 {
			return err
		}
	}
	return 0
}

// procPath writes "/proc/PID/name" into buf, NUL-terminated, and returns
// it. Every name given fits.
//
//go:nosplit
//go:norace
//go:nocheckptr
func procPath(buf *[40]byte, pid int, name string) *byte {
	const proc = "/proc/"
	n := 0
	for i := 0; i < len(proc); i++ {
		buf[n] = proc[i]
		n++
	}
	// Digits backwards, then reversed in place.
	first := n
	for ; pid > 0; pid /= 10 {
		buf[n] = byte('0' + pid%10)
		n++
	}
	for i, j := first, n-1; i < j; i, j = i+1, j-1 {
		buf[i], buf[j] = buf[j], buf[i]
	}
	buf[n] = '/'
	n++
	for i := 0; i < len(name); i++ {
		buf[n] = name[i]
		n++
	}
	buf[n] = 0
	return &buf[0]
}

// writeProcFile writes n bytes at data to the file at path, with raw system
// calls only.
//
//go:nosplit
//go:norace
//go:nocheckptr
func writeProcFile(path *byte, data *byte, n int) syscall.Errno {
	fd, err := rawOpenat(unix.AT_FDCWD, path, syscall.O_WRONLY|syscall.O_CLOEXEC, 0)
	if err != 0 {
		return err
	}
	if _, err = rawWrite(fd, unsafe.Pointer(data), uintptr(n)); err != 0 {
		rawClose(fd)
		return err
	}
	return rawClose(fd)
}

// resetSignals sets every signal but SIGKILL and SIGSTOP to SIG_DFL, then
// empties the signal mask. On failure c.detail is the signal it could not
// reset, or -1 for the mask. SIG_DFL is 0 and the kernel's struct
// sigaction is at most 32 bytes on every architecture, so a zeroed buffer
// of that size is SIG_DFL, no flags and an empty mask everywhere.
//
//go:nosplit
//go:norace
//go:nocheckptr
func resetSignals(c *childArgs) syscall.Errno {
	var act [4]uint64
	var mask [sigsetBytes / 8]uint64
	for sig := 1; sig <= lastSignal; sig++ {
		if sig == int(syscall.SIGKILL) || sig == int(syscall.SIGSTOP) {
			continue
		}
		if err := rawRtSigaction(sig, unsafe.Pointer(&act), nil, sigsetBytes); err != 0 {
			c.detail = int32(sig)
			return err
		}
	}
	if err := rawRtSigprocmask(unix.SIG_SETMASK, unsafe.Pointer(&mask), nil, sigsetBytes); err != 0 {
		c.detail = -1
		return err
	}
	return 0
}

// closeFDsByProc reads /proc/self/fd with getdents64 into c.os.dirents and
// sets close-on-exec on each descriptor from arg0 up. It needs /proc, so after
// a chroot that lacks it the step fails with the error rather than leaving
// descriptors open. One function, for the depth of the nosplit chain.
//
//go:nosplit
//go:norace
//go:nocheckptr
func closeFDsByProc(c *childArgs, s *childStep) syscall.Errno {
	lowfd, buf := int(s.arg[0]), &c.os.dirents
	dir, err := rawOpenat(unix.AT_FDCWD, &procSelfFD[0], syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != 0 {
		return err
	}
	for {
		n, err := rawGetdents64(dir, unsafe.Pointer(buf), uintptr(len(buf)))
		if err != 0 {
			rawClose(dir)
			return err
		}
		if n == 0 {
			break
		}
		// struct linux_dirent64: d_ino u64, d_off s64, d_reclen u16,
		// d_type u8, then the NUL-terminated name at offset 19.
		for off := 0; off+19 < n; {
			reclen := int(buf[off+16]) | int(buf[off+17])<<8
			if reclen == 0 || off+reclen > n {
				break
			}
			fd, ok := 0, true
			for j := off + 19; j < off+reclen && buf[j] != 0; j++ {
				if buf[j] < '0' || buf[j] > '9' {
					ok = false // "." and ".."
					break
				}
				fd = fd*10 + int(buf[j]-'0')
			}
			if ok && fd >= lowfd && fd != dir {
				rawFcntl(fd, syscall.F_SETFD, syscall.FD_CLOEXEC)
			}
			off += reclen
		}
	}
	return rawClose(dir)
}

// parentGone reports whether the child's parent is no longer ppid: it died
// and the child was reparented. In a new pid namespace getppid says 0
// whoever the parent is, and the child cannot tell: it goes on waiting,
// as a child in a new pid namespace must for its parent anyway.
//
//go:nosplit
//go:norace
//go:nocheckptr
func parentGone(ppid int) bool {
	now := rawGetppid()
	return now != 0 && now != ppid
}
