//go:build linux

package forkexec

import (
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// SysProcIDMap holds Container ID to Host ID mappings used for User
// Namespaces in Linux. See user_namespaces(7). It is syscall.SysProcIDMap's
// twin.
type SysProcIDMap struct {
	ContainerID int // Container ID.
	HostID      int // Host ID.
	Size        int // Size.
}

// SysProcAttr holds Linux-specific attributes of a new process. Every field
// the syscall package has is here with the same name, type and meaning; the
// fields after PidFD are forkexec's extensions, all off when zero.
type SysProcAttr struct {
	Chroot     string      // Chroot.
	Credential *Credential // Credential.
	// Ptrace tells the child to call ptrace(PTRACE_TRACEME).
	// Call runtime.LockOSThread before starting a process with this set,
	// and don't call UnlockOSThread until done with PtraceSyscall calls.
	Ptrace bool
	Setsid bool // Create session.
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
	// Pdeathsig, if non-zero, is a signal that the kernel will send to
	// the child process when the creating thread dies. Note that the signal
	// is sent on thread termination, which may happen before process
	// termination: lock the spawning goroutine to its thread
	// (runtime.LockOSThread) for as long as the child should live.
	Pdeathsig    syscall.Signal
	Cloneflags   uintptr        // Flags for clone calls.
	Unshareflags uintptr        // Flags for unshare calls.
	UidMappings  []SysProcIDMap // User ID mappings for user namespaces.
	GidMappings  []SysProcIDMap // Group ID mappings for user namespaces.
	// GidMappingsEnableSetgroups enabling setgroups syscall.
	// If false, then setgroups syscall will be disabled for the child process.
	// This parameter is no-op if GidMappings == nil. Otherwise for unprivileged
	// users this should be set to false for mappings work.
	GidMappingsEnableSetgroups bool
	AmbientCaps                []uintptr // Ambient capabilities.
	UseCgroupFD                bool      // Whether to make use of the CgroupFD field.
	CgroupFD                   int       // File descriptor of a cgroup to put the new process into.
	// PidFD, if not nil, is used to store the pidfd of a child, if the
	// functionality is supported by the kernel, or -1. Note *PidFD is
	// changed only if the process starts successfully.
	PidFD *int

	// ResetSignals makes the child set every signal it can (1 to the last
	// realtime signal, bar SIGKILL and SIGSTOP) to SIG_DFL, including
	// signals the parent ignores, and empty its signal mask, just before
	// exec. Without it, as in the syscall package, signals the parent
	// ignores stay ignored in the child and the child starts with the
	// spawning thread's signal mask.
	ResetSignals bool

	// CloseFDs makes the child close every descriptor numbered
	// len(ProcAttr.Files) or above before exec, whether or not it is
	// marked close-on-exec, so that the program gets exactly the
	// descriptors in Files. Without it, as in the syscall package, the
	// child inherits every descriptor not marked close-on-exec.
	CloseFDs bool
}

// cloneArgs is the kernel's struct clone_args, the argument of clone3; its
// layout is the same on every architecture.
type cloneArgs struct {
	flags      uint64 // flags
	pidFD      uint64 // where the kernel stores the pidfd (int *)
	childTID   uint64 // child's TID, in the child's memory
	parentTID  uint64 // child's TID, in the parent's memory
	exitSignal uint64 // signal sent to the parent when the child exits
	stack      uint64 // lowest byte of the child's stack
	stackSize  uint64 // size of that stack
	tls        uint64 // the child's thread-local storage
	setTID     uint64 // array of pids to choose from (Linux 5.5)
	setTIDSize uint64 // its length
	cgroup     uint64 // cgroup fd for CLONE_INTO_CGROUP (Linux 5.7)
}

var (
	rootDir = [...]byte{'/', 0}
	noneFS  = [...]byte{'n', 'o', 'n', 'e', 0}

	procSelfFD = [...]byte{'/', 'p', 'r', 'o', 'c', '/', 's', 'e', 'l', 'f', '/', 'f', 'd', 0}

	// Test hooks, set only by tests before any spawn.
	forceClone3         = false // use clone3 even when clone would do
	forceCloseFDsByProc = false // skip close_range, as on kernels before 5.11
	forceReportPipe     = false // report through the pipe, as where vfork does not share memory
)

// idMapWriter says who writes the uid and gid maps of a child's new user
// namespace.
type idMapWriter uint8

const (
	noIDMaps        idMapWriter = iota // no maps, or no new user namespace to write them for
	parentWritesMap                    // the parent, through /proc/PID, while the child waits
	childWritesMap                     // the child, right after the clone
	childUnshares                      // the child, after unshare(CLONE_NEWUSER)
)

// idMapWriterOf decides who writes the maps. A child may write its own
// maps after unsharing its user namespace, and after being cloned into one
// when the kernel lets it map itself without privilege over the parent
// namespace: one line of size 1 mapping its own effective uid (and gid,
// with setgroups denied), user_namespaces(7), "Defining user and group ID
// mappings". That is what rootless tools ask for, "map me to root", and the
// child writing it gets the same maps the parent would have. Any other maps
// the parent writes, as the stdlib's does.
func idMapWriterOf(sys *SysProcAttr) idMapWriter {
	if sys.Unshareflags&syscall.CLONE_NEWUSER != 0 {
		return childUnshares
	}
	if sys.UidMappings == nil && sys.GidMappings == nil {
		return noIDMaps
	}
	own := func(m []SysProcIDMap, id int) bool {
		return m == nil || len(m) == 1 && m[0].Size == 1 && m[0].HostID == id
	}
	if sys.Cloneflags&syscall.CLONE_NEWUSER != 0 &&
		own(sys.UidMappings, syscall.Geteuid()) && own(sys.GidMappings, syscall.Getegid()) &&
		(sys.GidMappings == nil || !sys.GidMappingsEnableSetgroups) {
		return childWritesMap
	}
	// Without CLONE_NEWUSER this write fails, as the stdlib's would; unlike
	// the stdlib's vfork parent, this one is awake to report it.
	return parentWritesMap
}

// childPath is how a child is cloned.
type childPath uint8

const (
	// vforkPath: clone(CLONE_VM|CLONE_VFORK). The child runs in the
	// parent's memory and on the parent's stack, and the parent thread
	// sleeps in the clone until the child has exec'd or exited.
	vforkPath childPath = iota
	// ownStackPath: clone3(CLONE_VM) with a stack of the child's own. The
	// child runs in the parent's memory, and the parent thread, still
	// between runtimeBeforeFork and runtimeAfterFork, writes the child's
	// id maps while the child waits for them, then sleeps until the child
	// has exec'd or exited. vfork, but with a parent awake to do its part.
	ownStackPath
	// forkPath: no CLONE_VM. The child gets a copy of the parent's memory,
	// whose page tables the clone copies, at a cost that grows with the
	// parent's resident memory, and the parent returns at once. What the
	// stdlib does for every new user namespace; here only where the parent
	// must write maps and this architecture has no own-stack path.
	forkPath
)

// pathOf chooses the child's path. Only a parent that writes the child's
// maps needs to be awake while the child runs.
func pathOf(sys *SysProcAttr, maps idMapWriter) childPath {
	switch {
	case maps != parentWritesMap:
		return vforkPath
	case canCloneOnOwnStack && memoryShared() && clone3Available():
		return ownStackPath
	}
	return forkPath
}

// clone3Available reports whether clone3 can be called: Linux 5.3 or later,
// and no seccomp policy refusing it with ENOSYS, as container runtimes'
// default policies do so that glibc falls back to clone. Asked once, with
// arguments the kernel rejects (EINVAL) before it would clone anything.
var clone3Available = sync.OnceValue(func() bool {
	_, _, e := syscall.RawSyscall(unix.SYS_CLONE3, 0, 0, 0)
	return e != syscall.ENOSYS
})

// cloneFlags returns the clone flags for a child of sys on path, without
// the exit signal.
func cloneFlags(sys *SysProcAttr, path childPath) uintptr {
	flags := sys.Cloneflags
	switch path {
	case vforkPath:
		flags |= syscall.CLONE_VM | syscall.CLONE_VFORK
	case ownStackPath:
		// CLONE_CHILD_CLEARTID: the kernel zeroes childArgs.running and
		// wakes its futex when the child execs or exits, as it ends a
		// vfork parent's sleep.
		flags |= syscall.CLONE_VM | syscall.CLONE_CHILD_CLEARTID
	}
	if sys.PidFD != nil {
		flags |= unix.CLONE_PIDFD
	}
	return flags
}

// sharesMemory reports whether a child of sys leaves its report in the
// parent's memory, as glibc's posix_spawn does, instead of writing it to a
// pipe: whether it runs in that memory while the parent waits.
func sharesMemory(sys *SysProcAttr) bool {
	return pathOf(sys, idMapWriterOf(sys)) != forkPath && memoryShared()
}

// memoryShared reports whether a CLONE_VM child really runs in the
// parent's memory (see vforkSharesMemory), unless a test says otherwise.
func memoryShared() bool { return !forceReportPipe && vforkSharesMemory() }

// vforkSharesMemory reports whether clone(CLONE_VM|CLONE_VFORK) really
// runs the child in the parent's memory with the parent asleep. A kernel
// always does; an emulator may not: qemu-user runs it as a plain fork, and
// a child report left in memory would never reach the parent, which would
// take every failed spawn for a success. So the first spawn finds out, with
// a child that only sets a flag and exits, and if the flag is not seen
// every spawn reports through the pipe, as the stdlib's do.
var vforkSharesMemory = sync.OnceValue(func() bool {
	var flag uint32
	pid, err := probeVfork(&flag)
	runtimeAfterFork()
	if err != 0 {
		return false
	}
	var ws syscall.WaitStatus
	for {
		if _, e := syscall.Wait4(int(pid), &ws, 0, nil); e != syscall.EINTR {
			break
		}
	}
	return flag == 1
})

// probeVfork clones a child with CLONE_VM|CLONE_VFORK that sets *flag to 1
// and exits. Like forkAndExecInChild1, it returns only in the parent, which
// must call runtimeAfterFork.
//
//forkexec:child
//go:noinline
//go:norace
//go:nocheckptr
func probeVfork(flag *uint32) (pid uintptr, err syscall.Errno) {
	runtimeBeforeFork()
	pid, err = rawVforkSyscall(rawCloneArgs(syscall.CLONE_VM|syscall.CLONE_VFORK|uintptr(syscall.SIGCHLD), 0, nil))
	if err != 0 || pid != 0 {
		return
	}
	*flag = 1
	for {
		rawExit(0)
	}
}

// checkSysProcAttr rejects what the child could not do safely. The stdlib
// indexes a two-element array with each capability, so one above 63 makes
// its child panic between fork and exec; here it is an error before the fork.
func checkSysProcAttr(sys *SysProcAttr) *Error {
	for _, c := range sys.AmbientCaps {
		if c >= 64 {
			return &Error{Step: StepAmbientCaps, Errno: syscall.EINVAL, Detail: strconv.FormatUint(uint64(c), 10)}
		}
	}
	return nil
}

// childArgs is everything the child reads, in one place so that a child
// starting on a stack of its own gets all of it through one pointer.
//
// Invariant: it stays where it is until the child has exec'd or exited. It
// lives in forkAndExecInChild's frame, and the parent's stack cannot move
// from runtimeBeforeFork to runtimeAfterFork, which the parent calls only
// once the child is done with it (or, on the fork path, has its own copy).
// The child only reads it, but for the two words of the own-stack path:
// mapsWritten, which the parent sets, and running, which the kernel clears.
type childArgs struct {
	cmd     *cmdline
	sys     *SysProcAttr
	report  *childReport // where a child sharing the parent's memory leaves its report
	pipe    int          // the error pipe's write end, or -1 when the report is left in *report
	mapPipe [2]int       // fork path: the parent's word that the maps are written
	ppid    int          // the parent's pid, when Pdeathsig is set
	maps    childIDMaps

	// Own-stack path: mapsWritten is 0 until the parent has written the
	// maps, then 1 + the errno of writing them; running is 1 until the
	// child execs or exits. Each is a futex word, one waker and one waiter.
	mapsWritten uint32
	running     uint32

	// dirents is closeFDsByProc's buffer: a nosplit chain has no room for
	// it on the stack.
	dirents [1024]byte
}

// childIDMaps are a child's uid and gid maps, formatted by the parent before
// the clone, while allocating is still allowed, and who writes them.
type childIDMaps struct {
	uid, gid []byte
	writer   idMapWriter
}

// futex(2) operations, which x/sys/unix does not name.
const (
	futexWait = 0 // FUTEX_WAIT: sleep while the word holds the value given
	futexWake = 1 // FUTEX_WAKE: wake up to the number given of its sleepers
)

// childStack is the stack of a child on the own-stack path. The child's
// code is nosplit from the clone on, so the linker has checked that it fits
// in the few hundred bytes a nosplit chain may use; this leaves ample room
// besides, as the goroutine stack leaves a vfork child, for a signal
// handler installed by C code, the only kind the child may still run.
type childStack [16 << 10]byte

// forkAndExecInChild starts the child and returns its pid, or the clone
// error. On return in the parent the child has either exec'd or failed
// (and left its report), or, on the fork path, is running on its own.
func forkAndExecInChild(cmd *cmdline, attr *ProcAttr, sys *SysProcAttr, pipe int, report *childReport) (pid int, err syscall.Errno) {
	var (
		c      = childArgs{cmd: cmd, sys: sys, report: report, pipe: pipe, mapPipe: [2]int{-1, -1}}
		args   cloneArgs
		clone3 *cloneArgs
		pidfd  int32
		upid   uintptr
		mapBuf [256]byte
	)

	// The maps are formatted into mapBuf, here on the stack, unless they
	// are too long for it.
	c.maps.writer = idMapWriterOf(sys)
	if c.maps.writer != noIDMaps {
		c.maps.uid = appendIDMappings(mapBuf[:0:len(mapBuf)/2], sys.UidMappings)
		c.maps.gid = appendIDMappings(mapBuf[len(mapBuf)/2:len(mapBuf)/2], sys.GidMappings)
	}
	path := pathOf(sys, c.maps.writer)
	if path == forkPath && c.maps.writer == parentWritesMap {
		// A pipe through which the parent tells the child, which has a
		// copy of its memory, that the maps are written (or why not).
		if e := syscall.Pipe2(c.mapPipe[:], syscall.O_CLOEXEC); e != nil {
			report.step = StepPipe
			return 0, e.(syscall.Errno)
		}
	}

	// The child compares its parent's pid with this one to find out whether
	// the parent died before Pdeathsig was armed.
	if sys.Pdeathsig != 0 {
		c.ppid = syscall.Getpid()
	}

	flags := cloneFlags(sys, path)
	if path == ownStackPath || sys.UseCgroupFD || flags&unix.CLONE_NEWTIME != 0 || forceClone3 {
		// Only clone3 can place the child in a cgroup or give it a stack
		// and a pidfd beside CLONE_CHILD_CLEARTID, and CLONE_NEWTIME
		// shares its bit with CSIGNAL, so clone cannot take it.
		args = cloneArgs{flags: uint64(flags), exitSignal: uint64(syscall.SIGCHLD)}
		if sys.UseCgroupFD {
			args.flags |= unix.CLONE_INTO_CGROUP
			args.cgroup = uint64(sys.CgroupFD)
		}
		clone3 = &args
	}

	if path == ownStackPath {
		upid, pidfd, err = cloneOnOwnStack(&c, clone3)
	} else {
		upid, pidfd, err = forkAndExecInChild1(&c, path, flags, clone3)
	}
	runtimeAfterFork()
	if err != 0 {
		if c.mapPipe[0] >= 0 {
			syscall.Close(c.mapPipe[0])
			syscall.Close(c.mapPipe[1])
		}
		return 0, err
	}
	pid = int(upid)
	if sys.PidFD != nil {
		*sys.PidFD = int(pidfd)
	}

	if c.mapPipe[0] >= 0 {
		syscall.Close(c.mapPipe[0])
		status := writeIDMaps(pid, sys, &c.maps)
		syscall.Write(c.mapPipe[1], unsafe.Slice((*byte)(unsafe.Pointer(&status)), unsafe.Sizeof(status)))
		syscall.Close(c.mapPipe[1])
	}
	return pid, 0
}

// cloneOnOwnStack is forkAndExecInChild1 on the own-stack path, with the
// child's stack in this frame: the parent's stack cannot move until
// runtimeAfterFork, after the child has exec'd or exited, the parent's own
// calls use the stack below this frame, and to the garbage collector the
// array holds no pointers, whatever the child leaves in it. A function of
// its own, so that no other spawn's frame is this large.
//
//go:noinline
func cloneOnOwnStack(c *childArgs, args *cloneArgs) (pid uintptr, pidfd int32, err syscall.Errno) {
	var stack childStack
	c.running = 1
	args.stack = uint64(uintptr(unsafe.Pointer(&stack)))
	args.stackSize = uint64(len(stack))
	args.childTID = uint64(uintptr(unsafe.Pointer(&c.running)))
	pid, pidfd, err = forkAndExecInChild1(c, ownStackPath, uintptr(args.flags), args)
	runtime.KeepAlive(&stack)
	return
}

// forkAndExecInChild1 clones the child, which runs execChild(c), and
// returns in the parent only.
//
// On the vfork path the child runs on this stack, below this frame, and
// returns from the clone into this function, so it is a function of its
// own: the parent returns from it at once, using nothing of this frame but
// what rawVforkSyscall gave it. Hence noinline. On the own-stack path the
// child starts in execChild on its own stack, and this frame is the
// parent's, which writes the maps and waits here, still unable to move its
// stack or take a signal, until the child has exec'd or exited.
//
// Preconditions: runtimeBeforeFork has not been called; the caller calls
// runtimeAfterFork on return; c is as childArgs says; clone3 is set on the
// own-stack path, with the stack and running as childTID.
//
//forkexec:child
//go:noinline
//go:norace
//go:nocheckptr
func forkAndExecInChild1(c *childArgs, path childPath, flags uintptr, clone3 *cloneArgs) (pid uintptr, pidfd int32, err syscall.Errno) {
	pidfd = -1
	if clone3 != nil && c.sys.PidFD != nil {
		clone3.pidFD = uint64(uintptr(unsafe.Pointer(&pidfd)))
	}

	// From here until runtimeAfterFork in the parent, this thread has every
	// signal blocked and its stack cannot grow or move.
	runtimeBeforeFork()
	if path == ownStackPath {
		pid, err = rawClone3OnStack(clone3, unsafe.Sizeof(*clone3), c)
		if err != 0 {
			return
		}
		// The child waits on mapsWritten; the parent's errno goes with it.
		c.mapsWritten = 1 + uint32(writeIDMaps(int(pid), c.sys, &c.maps))
		rawFutex(&c.mapsWritten, futexWake, 1, nil)
		// The kernel's own futex wake, at exec or exit, is not private,
		// so neither is this wait.
		for c.running != 0 {
			rawFutex(&c.running, futexWait, 1, nil)
		}
		return
	}
	if clone3 != nil {
		pid, err = rawVforkSyscall(rawClone3Args(clone3, unsafe.Sizeof(*clone3)))
	} else {
		pid, err = rawVforkSyscall(rawCloneArgs(flags|uintptr(syscall.SIGCHLD), 0, &pidfd))
	}
	if err != 0 || pid != 0 {
		// The parent. Return at once: the child may have used the stack
		// below this frame, and the values just returned were written
		// after it exec'd or exited.
		return
	}
	execChild(c)
	return
}

// execChild is the child, from the clone to the exec: it sets the child up
// as c.sys says, execs the program, and if any step fails leaves its report
// and exits. It never returns.
//
// Nothing here may allocate, take a lock, grow the stack or call Go code
// that is not nosplit: the child has one thread, and any lock the parent's
// other threads held at the clone stays held forever; with CLONE_VM the
// child also shares the parent's heap, so an allocation would corrupt it.
// Its only calls are the raw system call stubs, the runtime's fork hooks
// and nosplit helpers of this file. For the same reason it is not
// instrumented by the race detector or checkptr. cmd/childcheck checks all
// of this.
//
// Preconditions: runtimeBeforeFork was called before the clone; c is as
// childArgs says; c.cmd.nextfd is above every descriptor in c.cmd.fd.
//
//forkexec:child
//go:nosplit
//go:norace
//go:nocheckptr
func execChild(c *childArgs) {
	var (
		sys     = c.sys
		cmd     = c.cmd
		pipe    = c.pipe
		step    Step
		detail  int32
		err     syscall.Errno
		status  syscall.Errno
		i, n    int
		sig     int
		pgrp    int32
		ac      uintptr // an ambient capability
		cred    *Credential
		groups  *uint32
		capHdr  unix.CapUserHeader
		capData [2]unix.CapUserData
	)

	// Ambient capabilities survive setuid only with keepcaps set before it.
	if len(sys.AmbientCaps) > 0 {
		if err = rawPrctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != 0 {
			step = StepKeepCaps
			goto childerror
		}
	}

	// Write the uid and gid maps here when the kernel lets the child map
	// itself, or wait for the parent to write them: every step below may
	// depend on the ids they define.
	switch {
	case c.maps.writer == childWritesMap:
		if err = writeIDMaps(0, sys, &c.maps); err != 0 {
			step = StepIDMap
			goto childerror
		}
	case c.mapPipe[0] >= 0:
		// The fork path: the parent writes its errno to the pipe.
		if err = rawClose(c.mapPipe[1]); err != 0 {
			step = StepIDMap
			goto childerror
		}
		n, err = rawRead(c.mapPipe[0], unsafe.Pointer(&status), unsafe.Sizeof(status))
		if err != 0 {
			step = StepIDMap
			goto childerror
		}
		if uintptr(n) != unsafe.Sizeof(status) {
			err, step = syscall.EINVAL, StepIDMap
			goto childerror
		}
		if status != 0 {
			err, step = status, StepIDMap
			goto childerror
		}
	case c.maps.writer == parentWritesMap:
		// The own-stack path: the parent sets mapsWritten and wakes us.
		for c.mapsWritten == 0 {
			rawFutex(&c.mapsWritten, futexWait, 0, nil)
		}
		if status = syscall.Errno(c.mapsWritten - 1); status != 0 {
			err, step = status, StepIDMap
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
	// spawning thread had unblocked. From here a signal can arrive, and it
	// finds no Go handler that would run on the parent's memory.
	runtimeAfterForkInChild()

	if sys.Unshareflags != 0 {
		if err = rawUnshare(sys.Unshareflags); err != 0 {
			step = StepUnshare
			goto childerror
		}
		if c.maps.writer == childUnshares {
			if err = writeIDMaps(0, sys, &c.maps); err != 0 {
				step = StepIDMap
				goto childerror
			}
		}
		// unshare(CLONE_NEWNS) copies the mount tree with its propagation,
		// and a / mounted shared (as systemd mounts it) would carry the
		// child's mounts back to the parent's namespace. Go's model is
		// Plan 9's, a namespace really of one's own, so make / private, as
		// unshare(1) does.
		if sys.Unshareflags&syscall.CLONE_NEWNS == syscall.CLONE_NEWNS {
			if err = rawMount(&noneFS[0], &rootDir[0], nil, syscall.MS_REC|syscall.MS_PRIVATE, nil); err != 0 {
				step = StepMountPrivate
				goto childerror
			}
		}
	}

	// chroot before the credentials change: it needs CAP_SYS_CHROOT.
	if cmd.chroot != nil {
		if err = rawChroot(cmd.chroot); err != 0 {
			step = StepChroot
			goto childerror
		}
	}

	// Groups, then gid, then uid: once the uid is dropped the process may no
	// longer change the others.
	if cred = sys.Credential; cred != nil {
		n = len(cred.Groups)
		groups = nil
		if n > 0 {
			groups = &cred.Groups[0]
		}
		// A user namespace with setgroups denied refuses setgroups, even
		// of an empty list, so an empty list is not set there.
		if !(sys.GidMappings != nil && !sys.GidMappingsEnableSetgroups && n == 0) && !cred.NoSetGroups {
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

	// Ambient capabilities must be permitted and inheritable before they
	// can be raised, and raised after setuid, which clears them.
	if len(sys.AmbientCaps) != 0 {
		capHdr.Version = unix.LINUX_CAPABILITY_VERSION_3
		if err = rawCapget(&capHdr, &capData[0]); err != 0 {
			step = StepCapabilities
			goto childerror
		}
		for _, ac = range sys.AmbientCaps {
			// ac < 64, checked before the fork.
			capData[ac>>5].Permitted |= 1 << (ac & 31)
			capData[ac>>5].Inheritable |= 1 << (ac & 31)
		}
		if err = rawCapset(&capHdr, &capData[0]); err != 0 {
			step = StepCapabilities
			goto childerror
		}
		for _, ac = range sys.AmbientCaps {
			if err = rawPrctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, ac, 0, 0); err != 0 {
				step, detail = StepAmbientCaps, int32(ac)
				goto childerror
			}
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

	// The parent-death signal is cleared by setuid, so it is armed after.
	// If the parent died before it was armed, nothing will ever send it:
	// the child's parent is then no longer the pid recorded before the
	// clone, and the child sends the signal to itself.
	if sys.Pdeathsig != 0 {
		if err = rawPrctl(unix.PR_SET_PDEATHSIG, uintptr(sys.Pdeathsig), 0, 0, 0); err != 0 {
			step, detail = StepPdeathsig, int32(sys.Pdeathsig)
			goto childerror
		}
		if rawGetppid() != c.ppid {
			if err = rawKill(rawGetpid(), sys.Pdeathsig); err != 0 {
				step, detail = StepPdeathsig, int32(sys.Pdeathsig)
				goto childerror
			}
		}
	}

	// Move Files into place (see placeFiles for the two passes), and the
	// error pipe out of their way.
	if pipe, i, err = placeFiles(cmd.fd, cmd.nextfd, pipe); err != 0 {
		step, detail = StepDup, int32(i)
		goto childerror
	}

	if sys.CloseFDs {
		if err = closeFDsFrom(len(cmd.fd), &c.dirents); err != 0 {
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
		if err = rawIoctl(sys.Ctty, unix.TIOCSCTTY, 1); err != 0 {
			step, detail = StepSetctty, int32(sys.Ctty)
			goto childerror
		}
	}

	// Last before ptrace and exec, so no step above can install a handler
	// or block a signal after the reset: dispositions first, since a
	// signal unblocked while its old handler is installed would run it.
	if sys.ResetSignals {
		if sig = resetSignals(); sig != 0 {
			err, step, detail = syscall.EINVAL, StepResetSignals, int32(sig)
			goto childerror
		}
	}

	// Tracing starts as late as possible so that the tracer does not see
	// the child's setup, only the exec (go.dev/issue/21428).
	if sys.Ptrace {
		if err = rawPtrace(syscall.PTRACE_TRACEME, 0, 0, 0); err != 0 {
			step = StepPtrace
			goto childerror
		}
	}

	err = rawExecve(cmd.argv0, cmd.argv, cmd.envv)
	step = StepExec

childerror:
	// Leave the report where the parent reads it: in the parent's own
	// memory if shared, else on the error pipe. Then exit without running
	// anything of the parent's.
	c.report.errno, c.report.step, c.report.detail = err, step, detail
	if pipe >= 0 {
		rawWrite(pipe, unsafe.Pointer(c.report), unsafe.Sizeof(*c.report))
	}
	for {
		rawExit(exitChildFailed)
	}
}

// dupCloexec makes newfd a close-on-exec copy of oldfd.
//
//go:nosplit
//go:norace
//go:nocheckptr
func dupCloexec(oldfd, newfd int) syscall.Errno {
	return rawDup3(oldfd, newfd, syscall.O_CLOEXEC)
}

// dupOnto makes newfd a copy of oldfd that stays open across exec.
//
//go:nosplit
//go:norace
//go:nocheckptr
func dupOnto(oldfd, newfd int) syscall.Errno {
	return rawDup3(oldfd, newfd, 0)
}

// writeIDMaps writes a child's uid and gid maps, formatted in maps, under
// /proc/PID, or /proc/self when pid is 0 (a child writing its own), in the
// stdlib's order: uid_map, then setgroups, which since Linux 3.19 must say
// "deny" before an unprivileged write of gid_map succeeds (and before that
// does not exist, which is fine), then gid_map. It allocates nothing and is
// nosplit, for the child and for the own-stack parent, which writes the
// maps before runtimeAfterFork.
//
//go:nosplit
//go:norace
//go:nocheckptr
func writeIDMaps(pid int, sys *SysProcAttr, maps *childIDMaps) syscall.Errno {
	var path [40]byte
	if sys.UidMappings != nil {
		if err := writeProcFile(procPath(&path, pid, "uid_map"), unsafe.SliceData(maps.uid), len(maps.uid)); err != 0 {
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
		if err := writeProcFile(procPath(&path, pid, "gid_map"), unsafe.SliceData(maps.gid), len(maps.gid)); err != 0 {
			return err
		}
	}
	return 0
}

// procPath writes "/proc/PID/name" into buf, NUL-terminated, with "self"
// for a pid of 0, and returns it. Every name given fits.
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
	if pid == 0 {
		buf[n], buf[n+1], buf[n+2], buf[n+3] = 's', 'e', 'l', 'f'
		n += 4
	} else {
		// Digits backwards, then reversed in place.
		first := n
		for ; pid > 0; pid /= 10 {
			buf[n] = byte('0' + pid%10)
			n++
		}
		for i, j := first, n-1; i < j; i, j = i+1, j-1 {
			buf[i], buf[j] = buf[j], buf[i]
		}
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

// writeProcFile writes n bytes at data to the file at path, as a child
// writing its own /proc/self maps must: with raw system calls only.
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
// empties the signal mask. It returns 0, or the signal it could not reset
// (the mask is reported as signal -1). SIG_DFL is 0 and the kernel's struct
// sigaction is at most 32 bytes on every architecture, so a zeroed buffer
// of that size is SIG_DFL, no flags and an empty mask everywhere.
//
//go:nosplit
//go:norace
//go:nocheckptr
func resetSignals() int {
	var act [4]uint64
	var mask [sigsetBytes / 8]uint64
	for sig := 1; sig <= lastSignal; sig++ {
		if sig == int(syscall.SIGKILL) || sig == int(syscall.SIGSTOP) {
			continue
		}
		if rawRtSigaction(sig, unsafe.Pointer(&act), nil, sigsetBytes) != 0 {
			return sig
		}
	}
	if rawRtSigprocmask(unix.SIG_SETMASK, unsafe.Pointer(&mask), nil, sigsetBytes) != 0 {
		return -1
	}
	return 0
}

// closeFDsFrom makes every descriptor from lowfd up close on exec: the
// effect of closing them all, without closing the error pipe before the
// child is done with it. close_range(CLOSE_RANGE_CLOEXEC) does it in one
// call since Linux 5.11; before that, or where a seccomp policy refuses
// close_range, the child lists /proc/self/fd.
//
//go:nosplit
//go:norace
//go:nocheckptr
func closeFDsFrom(lowfd int, buf *[1024]byte) syscall.Errno {
	if !forceCloseFDsByProc {
		if rawCloseRange(uint(lowfd), ^uint(0), unix.CLOSE_RANGE_CLOEXEC) == 0 {
			return 0
		}
	}
	return closeFDsByProc(lowfd, buf)
}

// closeFDsByProc is closeFDsFrom's fallback: it reads /proc/self/fd with
// getdents64 into buf and sets close-on-exec on each
// descriptor from lowfd up. It needs /proc, so after a chroot that lacks it
// the step fails with the error rather than leaving descriptors open.
//
//go:nosplit
//go:norace
//go:nocheckptr
func closeFDsByProc(lowfd int, buf *[1024]byte) syscall.Errno {
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

// appendIDMappings appends idMap to data as uid_map and gid_map want it,
// one "container host size" line per mapping.
func appendIDMappings(data []byte, idMap []SysProcIDMap) []byte {
	for _, im := range idMap {
		data = strconv.AppendInt(data, int64(im.ContainerID), 10)
		data = append(data, ' ')
		data = strconv.AppendInt(data, int64(im.HostID), 10)
		data = append(data, ' ')
		data = strconv.AppendInt(data, int64(im.Size), 10)
		data = append(data, '\n')
	}
	return data
}

// failureCleanup undoes what a failed spawn left behind in sys: the pidfd of
// a child that never exec'd.
func failureCleanup(sys *SysProcAttr) {
	if sys.PidFD != nil && *sys.PidFD != -1 {
		syscall.Close(*sys.PidFD)
		*sys.PidFD = -1
	}
}
