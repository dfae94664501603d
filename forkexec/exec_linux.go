//go:build linux

package forkexec

import (
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

	procSelfFD        = [...]byte{'/', 'p', 'r', 'o', 'c', '/', 's', 'e', 'l', 'f', '/', 'f', 'd', 0}
	procSelfUIDMap    = [...]byte{'/', 'p', 'r', 'o', 'c', '/', 's', 'e', 'l', 'f', '/', 'u', 'i', 'd', '_', 'm', 'a', 'p', 0}
	procSelfGIDMap    = [...]byte{'/', 'p', 'r', 'o', 'c', '/', 's', 'e', 'l', 'f', '/', 'g', 'i', 'd', '_', 'm', 'a', 'p', 0}
	procSelfSetgroups = [...]byte{'/', 'p', 'r', 'o', 'c', '/', 's', 'e', 'l', 'f', '/', 's', 'e', 't', 'g', 'r', 'o', 'u', 'p', 's', 0}
	setgroupsAllow    = [...]byte{'a', 'l', 'l', 'o', 'w'}
	setgroupsDeny     = [...]byte{'d', 'e', 'n', 'y'}

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

// cloneFlags returns the clone flags for sys, without the exit signal.
//
// The child shares the parent's memory and the parent sleeps until it has
// exec'd or exited (CLONE_VM|CLONE_VFORK), as in the stdlib, unless the
// parent must write the child's maps while the child waits, which a
// sleeping parent cannot do. The stdlib also gives up vfork for every child
// cloned into a new user namespace; forkexec keeps it when the child writes
// its own maps, so that the common case costs what any spawn costs: a
// fork-class clone copies the parent's page tables, and its cost grows with
// the parent's memory.
func cloneFlags(sys *SysProcAttr, maps idMapWriter) uintptr {
	flags := sys.Cloneflags
	if maps != parentWritesMap && (sys.Cloneflags&syscall.CLONE_NEWUSER == 0 || maps == childWritesMap) {
		flags |= syscall.CLONE_VFORK | syscall.CLONE_VM
	}
	if sys.PidFD != nil {
		flags |= unix.CLONE_PIDFD
	}
	return flags
}

// sharesMemory reports whether the child runs in the parent's memory while
// the parent sleeps, so that it can leave its report there, as glibc's
// posix_spawn does, instead of writing it to a pipe.
func sharesMemory(sys *SysProcAttr) bool {
	const both = syscall.CLONE_VM | syscall.CLONE_VFORK
	return cloneFlags(sys, idMapWriterOf(sys))&both == both && !forceReportPipe && vforkSharesMemory()
}

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

// forkAndExecInChild starts the child and returns its pid, or the clone
// error. On return in the parent the child has either exec'd, failed (and
// left its report), or, without CLONE_VM, is running on its own.
func forkAndExecInChild(cmd *cmdline, attr *ProcAttr, sys *SysProcAttr, pipe int, report *childReport) (pid int, err syscall.Errno) {
	var (
		mapPipe = [2]int{-1, -1}
		ppid    int
		args    cloneArgs
		clone3  *cloneArgs
		pidfd   int32
		maps    childIDMaps
		upid    uintptr
	)

	// A pipe through which the parent tells the child that its uid and gid
	// maps are written (or why they could not be); or the maps, formatted
	// now, while allocating is still allowed, for a child that writes its
	// own.
	idMaps := idMapWriterOf(sys)
	switch idMaps {
	case parentWritesMap:
		if e := syscall.Pipe2(mapPipe[:], syscall.O_CLOEXEC); e != nil {
			report.step = StepPipe
			return 0, e.(syscall.Errno)
		}
	case childWritesMap, childUnshares:
		maps.self = idMaps == childWritesMap
		maps.uid = formatIDMappings(sys.UidMappings)
		maps.gid = formatIDMappings(sys.GidMappings)
	}

	// The child compares its parent's pid with this one to find out whether
	// the parent died before Pdeathsig was armed.
	if sys.Pdeathsig != 0 {
		ppid = syscall.Getpid()
	}

	flags := cloneFlags(sys, idMaps)
	if sys.UseCgroupFD || flags&unix.CLONE_NEWTIME != 0 || forceClone3 {
		// Only clone3 can place the child in a cgroup, and CLONE_NEWTIME
		// shares its bit with CSIGNAL, so clone cannot take it.
		args = cloneArgs{flags: uint64(flags), exitSignal: uint64(syscall.SIGCHLD)}
		if sys.UseCgroupFD {
			args.flags |= unix.CLONE_INTO_CGROUP
			args.cgroup = uint64(sys.CgroupFD)
		}
		clone3 = &args
	}

	upid, pidfd, err = forkAndExecInChild1(cmd, sys, flags, clone3, pipe, cmd.nextfd, mapPipe, ppid, &maps, report)
	runtimeAfterFork()
	if err != 0 {
		if mapPipe[0] >= 0 {
			syscall.Close(mapPipe[0])
			syscall.Close(mapPipe[1])
		}
		return 0, err
	}
	pid = int(upid)
	if sys.PidFD != nil {
		*sys.PidFD = int(pidfd)
	}

	if mapPipe[0] >= 0 {
		syscall.Close(mapPipe[0])
		var status syscall.Errno
		if e := writeUIDGIDMappings(pid, sys); e != nil {
			status = e.(syscall.Errno)
		}
		syscall.Write(mapPipe[1], unsafe.Slice((*byte)(unsafe.Pointer(&status)), unsafe.Sizeof(status)))
		syscall.Close(mapPipe[1])
	}
	return pid, 0
}

// childIDMaps are the uid and gid maps a child writes itself, formatted by
// the parent: after unsharing its user namespace, or, when self is set,
// right after being cloned into one.
type childIDMaps struct {
	uid, gid []byte
	self     bool
}

// forkAndExecInChild1 clones the child and, in the child, sets it up and
// execs the program. It returns only in the parent.
//
// It is a function of its own so that the child's frame is not the frame
// the parent returns through: with CLONE_VM|CLONE_VFORK the child runs on
// the parent's stack while the parent sleeps, so the child never returns
// from here and the parent returns at once, using nothing from this frame
// but what rawVforkSyscall gave it. Hence noinline.
//
// In the child nothing may allocate, take a lock, grow the stack or call Go
// code that is not nosplit: the child has one thread, and any lock the
// parent's other threads held at the clone stays held forever; with
// CLONE_VM the child also shares the parent's heap, so an allocation would
// corrupt it. Every variable is declared before runtimeBeforeFork, and the
// only calls are the raw system call stubs, the runtime's fork hooks and
// nosplit helpers of this file. For the same reason it is not instrumented
// by the race detector or checkptr. cmd/childcheck checks all of this.
//
// Preconditions: runtimeBeforeFork has not been called; cmd, sys, maps and
// report stay valid until the child has exec'd; nextfd is above every
// descriptor in cmd.fd; pipe is the error pipe's write end, or -1 when the
// child shares memory with the parent.
//
//forkexec:child
//go:noinline
//go:norace
//go:nocheckptr
func forkAndExecInChild1(cmd *cmdline, sys *SysProcAttr, flags uintptr, clone3 *cloneArgs, pipe, nextfd int, mapPipe [2]int, ppid int, maps *childIDMaps, report *childReport) (pid uintptr, pidfd int32, err syscall.Errno) {
	var (
		step    Step
		detail  int32
		status  syscall.Errno
		i, n    int
		fd      []int
		sig     int
		pgrp    int32
		c       uintptr
		cred    *Credential
		groups  *uint32
		capHdr  unix.CapUserHeader
		capData [2]unix.CapUserData
	)
	pidfd = -1
	fd = cmd.fd
	if clone3 != nil && sys.PidFD != nil {
		clone3.pidFD = uint64(uintptr(unsafe.Pointer(&pidfd)))
	}

	// From here until runtimeAfterFork in the parent, this thread has every
	// signal blocked and its stack cannot grow or move.
	runtimeBeforeFork()
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

	// The child.

	// Ambient capabilities survive setuid only with keepcaps set before it.
	if len(sys.AmbientCaps) > 0 {
		if err = rawPrctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != 0 {
			step = StepKeepCaps
			goto childerror
		}
	}

	// Wait for the parent to write the uid and gid maps, or write them
	// here when the kernel lets the child map itself: every step below may
	// depend on the ids they define.
	if maps.self {
		if err = writeOwnIDMaps(sys, maps); err != 0 {
			step = StepIDMap
			goto childerror
		}
	}
	if mapPipe[0] >= 0 {
		if err = rawClose(mapPipe[1]); err != 0 {
			step = StepIDMap
			goto childerror
		}
		n, err = rawRead(mapPipe[0], unsafe.Pointer(&status), unsafe.Sizeof(status))
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
		if sys.Unshareflags&syscall.CLONE_NEWUSER != 0 {
			if err = writeOwnIDMaps(sys, maps); err != 0 {
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
		for _, c = range sys.AmbientCaps {
			// c < 64, checked before the fork.
			capData[c>>5].Permitted |= 1 << (c & 31)
			capData[c>>5].Inheritable |= 1 << (c & 31)
		}
		if err = rawCapset(&capHdr, &capData[0]); err != 0 {
			step = StepCapabilities
			goto childerror
		}
		for _, c = range sys.AmbientCaps {
			if err = rawPrctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, c, 0, 0); err != 0 {
				step, detail = StepAmbientCaps, int32(c)
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
		if rawGetppid() != ppid {
			if err = rawKill(rawGetpid(), sys.Pdeathsig); err != 0 {
				step, detail = StepPdeathsig, int32(sys.Pdeathsig)
				goto childerror
			}
		}
	}

	// Move Files into place (see placeFiles for the two passes), and the
	// error pipe out of their way.
	if pipe, i, err = placeFiles(fd, nextfd, pipe); err != 0 {
		step, detail = StepDup, int32(i)
		goto childerror
	}

	if sys.CloseFDs {
		if err = closeFDsFrom(len(fd)); err != 0 {
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
	report.errno, report.step, report.detail = err, step, detail
	if pipe >= 0 {
		rawWrite(pipe, unsafe.Pointer(report), unsafe.Sizeof(*report))
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

// writeOwnIDMaps writes the child's own uid and gid maps, formatted by the
// parent, as a child in a new user namespace may: setgroups first, since an
// unprivileged gid_map write needs it denied.
//
//go:nosplit
//go:norace
//go:nocheckptr
func writeOwnIDMaps(sys *SysProcAttr, maps *childIDMaps) syscall.Errno {
	var err syscall.Errno
	if sys.GidMappings != nil {
		if sys.GidMappingsEnableSetgroups {
			err = writeProcFile(&procSelfSetgroups[0], &setgroupsAllow[0], len(setgroupsAllow))
		} else {
			err = writeProcFile(&procSelfSetgroups[0], &setgroupsDeny[0], len(setgroupsDeny))
		}
		if err != 0 {
			return err
		}
		if err = writeProcFile(&procSelfGIDMap[0], unsafe.SliceData(maps.gid), len(maps.gid)); err != 0 {
			return err
		}
	}
	if sys.UidMappings != nil {
		return writeProcFile(&procSelfUIDMap[0], unsafe.SliceData(maps.uid), len(maps.uid))
	}
	return 0
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
func closeFDsFrom(lowfd int) syscall.Errno {
	if !forceCloseFDsByProc {
		if rawCloseRange(uint(lowfd), ^uint(0), unix.CLOSE_RANGE_CLOEXEC) == 0 {
			return 0
		}
	}
	return closeFDsByProc(lowfd)
}

// closeFDsByProc is closeFDsFrom's fallback: it reads /proc/self/fd with
// getdents64 into a buffer on the stack and sets close-on-exec on each
// descriptor from lowfd up. It needs /proc, so after a chroot that lacks it
// the step fails with the error rather than leaving descriptors open.
//
//go:nosplit
//go:norace
//go:nocheckptr
func closeFDsByProc(lowfd int) syscall.Errno {
	var buf [256]byte
	dir, err := rawOpenat(unix.AT_FDCWD, &procSelfFD[0], syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != 0 {
		return err
	}
	for {
		n, err := rawGetdents64(dir, unsafe.Pointer(&buf), uintptr(len(buf)))
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

// formatIDMappings formats idMap as uid_map and gid_map want it, one
// "container host size" line per mapping.
func formatIDMappings(idMap []SysProcIDMap) []byte {
	var data []byte
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

// writeUIDGIDMappings writes the child's maps from the parent, which has the
// privilege over the child's new user namespace that the child lacks
// inside it.
func writeUIDGIDMappings(pid int, sys *SysProcAttr) error {
	dir := "/proc/" + strconv.Itoa(pid) + "/"
	if sys.UidMappings != nil {
		if err := writeFile(dir+"uid_map", formatIDMappings(sys.UidMappings)); err != nil {
			return err
		}
	}
	if sys.GidMappings != nil {
		// Since Linux 3.19 gid_map cannot be written by an unprivileged
		// process until setgroups is denied. Kernels older than that have
		// no setgroups file, which is fine.
		sg := []byte("deny")
		if sys.GidMappingsEnableSetgroups {
			sg = []byte("allow")
		}
		if err := writeFile(dir+"setgroups", sg); err != nil && err != syscall.ENOENT {
			return err
		}
		if err := writeFile(dir+"gid_map", formatIDMappings(sys.GidMappings)); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, data []byte) error {
	fd, err := syscall.Open(path, syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	if _, err := syscall.Write(fd, data); err != nil {
		syscall.Close(fd)
		return err
	}
	return syscall.Close(fd)
}

// failureCleanup undoes what a failed spawn left behind in sys: the pidfd of
// a child that never exec'd.
func failureCleanup(sys *SysProcAttr) {
	if sys.PidFD != nil && *sys.PidFD != -1 {
		syscall.Close(*sys.PidFD)
		*sys.PidFD = -1
	}
}
