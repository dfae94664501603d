//go:build linux

package forkexec

import (
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
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
	// NoNewPrivs calls prctl(PR_SET_NO_NEW_PRIVS) before exec: neither
	// the program nor its children can gain privileges through setuid,
	// setgid or file capabilities. Landlock and seccomp need it without
	// CAP_SYS_ADMIN. Go 1.28's field (go.dev/issue/68595), set in its
	// place: after Pdeathsig, before Files are moved.
	NoNewPrivs  bool
	UseCgroupFD bool // Whether to make use of the CgroupFD field.
	CgroupFD    int  // File descriptor of a cgroup to put the new process into.
	// PidFD, if not nil, is used to store the pidfd of a child, if the
	// functionality is supported by the kernel, or -1. Note *PidFD is
	// changed only if the process starts successfully.
	PidFD *int
	// UseLandlock places the child into a Landlock restriction by calling
	// landlock_restrict_self(LandlockFD, LandlockFlags) before exec, right
	// after NoNewPrivs, which it generally needs, and before Files are
	// moved: LandlockFD is a descriptor of the parent. Go 1.28's fields
	// (go.dev/issue/68595).
	UseLandlock   bool
	LandlockFD    int    // FD of a Landlock ruleset.
	LandlockFlags uint32 // Flags to landlock_restrict_self.

	// ResetSignals makes the child set every signal it can (1 to the last
	// realtime signal, bar SIGKILL and SIGSTOP) to SIG_DFL, including
	// signals the parent ignores, and empty its signal mask, just before
	// exec. Without it, as in the syscall package, signals the parent
	// ignores stay ignored in the child and the child starts with the
	// spawning thread's signal mask.
	// With it, signals stay blocked in the child from the clone until this
	// reset: one sent during the setup acts then, at its default action.
	ResetSignals bool

	// CloseFDs makes the child close every descriptor numbered
	// len(ProcAttr.Files) or above before exec, whether or not it is
	// marked close-on-exec, so that the program gets exactly the
	// descriptors in Files. Without it, as in the syscall package, the
	// child inherits every descriptor not marked close-on-exec.
	CloseFDs bool

	// UseUmask gives the child the file mode creation mask Umask (0 to
	// 0777; 0 is a mask like any other) instead of the parent's.
	UseUmask bool
	Umask    int

	// Rlimits are resource limits the child sets on itself, in order,
	// with prlimit, before the credentials change: raising a hard limit
	// needs CAP_SYS_RESOURCE in the initial user namespace, which a child
	// in a new user namespace does not have, so there it fails with
	// EPERM and the spawn with it.
	Rlimits []Rlimit

	// UseSignalMask gives the child exactly the signals in SignalMask
	// blocked at exec (posix_spawn's POSIX_SPAWN_SETSIGMASK), instead of
	// the spawning thread's mask. It is set after ResetSignals. SIGKILL and
	// SIGSTOP cannot be blocked; the kernel leaves them out.
	UseSignalMask bool
	SignalMask    []syscall.Signal

	// Capabilities, if not nil, sets the child's capability sets; see
	// Capabilities for the order against Credential and AmbientCaps.
	Capabilities *Capabilities

	// SeccompFilter, if not nil, is a classic BPF program the child
	// installs with seccomp(SECCOMP_SET_MODE_FILTER, SeccompFlags) as its
	// last step before exec, after setuid, NoNewPrivs and Ptrace, so that
	// the filter judges the program's calls and none of the setup's. Without
	// NoNewPrivs it needs CAP_SYS_ADMIN. The filter must allow execve (or
	// execveat with UseExecFD), and nanosleep with RetryTextBusy.
	SeccompFilter []unix.SockFilter
	SeccompFlags  uintptr

	// UseExecFD makes the child exec the program open at descriptor
	// ExecFD of the parent, with execveat(ExecFD, "", AT_EMPTY_PATH)
	// (fexecve), rather than argv0, which is then only reported in
	// errors. The descriptor is kept out of the way of Files, whatever
	// their numbers, and it may be a memfd: a program run from memory. A
	// close-on-exec descriptor cannot run a script, whose interpreter
	// would find it closed.
	UseExecFD bool
	ExecFD    int

	// RetryTextBusy, if positive, makes the child retry an exec that
	// fails with ETXTBSY (a program just written, whose writer's
	// descriptor a forked child still holds: go.dev/issue/22315), sleeping
	// 1ms, then twice as long each time up to 100ms, for at most this
	// long in all and at most 32 tries.
	RetryTextBusy time.Duration

	// Hostname and Domainname, if not empty, are set in the child's new
	// UTS namespace; CLONE_NEWUTS must be in Cloneflags or Unshareflags,
	// so that a spawn never renames the host.
	Hostname   string
	Domainname string

	// UseDirFD makes the child change to the directory open at
	// descriptor DirFD of the parent (fchdir, posix_spawn's
	// addfchdir_np) where it would chdir to ProcAttr.Dir; a Dir that is
	// also set is then taken relative to it.
	UseDirFD bool
	DirFD    int

	// UseOOMScoreAdj sets the child's /proc/self/oom_score_adj to
	// OOMScoreAdj (-1000 to 1000) before the credentials change: lowering
	// it needs CAP_SYS_RESOURCE.
	UseOOMScoreAdj bool
	OOMScoreAdj    int

	// JoinNamespaces are existing namespaces the child enters with setns
	// before unshare and before the credentials change, as runc and
	// nsenter do: a user namespace first (joining it gives the
	// privileges in it that joining the others may need), a mount
	// namespace last, the others in the order given. Joining a pid
	// namespace places the program's children in it, not the program.
	JoinNamespaces []Namespace

	// Actions are steps the child takes, in order, between clone and
	// exec: file actions as posix_spawn has them, mounts, pivot_root,
	// limits, the hostname, namespaces joined (see Action). They run after
	// the child's namespaces are made and its id maps written, and before
	// Chroot and the credentials change; the package documentation says
	// why, and what their descriptors are. A failure names the action:
	// "forkexec: action 3 mount /proc: permission denied".
	Actions []Action

	// ParentHook, if set, runs in the parent once the child exists and
	// before it execs, with the child's pid: to place it in a cgroup, set
	// up its network from outside, run newuidmap, attach a debugger. The
	// child waits, at the place of its program NewPlan lists, just before
	// Actions, with its namespaces made. If the hook returns an error the
	// child is killed and reaped, the program never runs, and Spawn
	// returns an *Error with Step StepParentHook wrapping it (ForkExec
	// too, as no errno says it). The child stays in the parent's memory,
	// on a stack of its own, while the hook runs as ordinary Go code (on
	// amd64; elsewhere, and where clone3 is refused, the child is forked:
	// the plan says which). The hook may take its time, start processes
	// and use ForkLock; it must not wait for the child to exec.
	ParentHook func(pid int) error
}

// Namespace is an existing namespace for SysProcAttr.JoinNamespaces.
type Namespace struct {
	FD   int // a descriptor of the parent: /proc/PID/ns/NAME, or a pidfd
	Type int // syscall.CLONE_NEWNET and so on, checked by the kernel; 0 accepts any
}

// Capabilities are capability sets a child gets, each a list of
// capability numbers (unix.CAP_*), as AmbientCaps. A nil list leaves that
// set as the child inherits it; an empty one clears it.
//
// The order, and why: SecureBits and Bounding are applied before setuid,
// while the child still has CAP_SETPCAP; then, when Credential changes the
// uid, keepcaps is set across setuid so that the permitted set survives
// it, and Permitted, Effective and Inheritable are set after it with
// capset (setuid would clear the effective set). AmbientCaps are raised
// last, and must be in Permitted and Inheritable if those are given.
//
// What survives exec: for a non-root program without file capabilities,
// only the ambient set becomes its permitted and effective sets, so a
// capability a non-root child must keep goes in AmbientCaps too. A root
// program gets Inheritable and Bounding as its permitted set, so dropping
// all as root takes empty Bounding and Inheritable (see OnlyCaps).
type Capabilities struct {
	Bounding    []uintptr
	Permitted   []uintptr
	Effective   []uintptr
	Inheritable []uintptr
	// SecureBits, if not zero, are set with PR_SET_SECUREBITS
	// (SECBIT_* of <linux/securebits.h>): SECBIT_NOROOT, for one, takes away root's
	// capabilities at exec.
	SecureBits int
}

// OnlyCaps returns Capabilities that clear everything but caps: the
// bounding, permitted, effective and inheritable sets are all exactly
// caps (libvirt's ClearCaps and AllowCap). OnlyCaps() drops every
// capability for good.
func OnlyCaps(caps ...uintptr) *Capabilities {
	if caps == nil {
		caps = []uintptr{}
	}
	return &Capabilities{Bounding: caps, Permitted: caps, Effective: caps, Inheritable: caps}
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

// Test hooks, set only by tests before any spawn.
var (
	forceClone3         = false // use clone3 even when clone would do
	forceCloseFDsByProc = false // skip close_range, as on kernels before 5.11
	forceReportPipe     = false // report through the pipe, as where vfork does not share memory
	forceParentDies     = false // own-stack path: the parent process dies before writing the maps
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

func (w idMapWriter) String() string {
	return [...]string{noIDMaps: "none", parentWritesMap: "the parent writes them", childWritesMap: "the child writes them", childUnshares: "the child writes them after unshare"}[w]
}

func (w idMapWriter) why() string {
	switch w {
	case parentWritesMap:
		return "maps other than the child's own ids need privilege over the parent namespace"
	case childWritesMap:
		return "one line mapping the child's own uid (and gid, setgroups denied): the kernel lets the child write it"
	case childUnshares:
		return "the child makes its user namespace itself"
	}
	return ""
}

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
	// hookPath: clone3(CLONE_VM) with a stack of the child's own that the
	// parent mapped outside the Go heap, for ParentHook: the parent leaves
	// the fork hooks once the child waits, and runs the hook as ordinary
	// Go code (hook_linux.go).
	hookPath
)

func (p childPath) String() string {
	return [...]string{vforkPath: "vfork", ownStackPath: "own stack", forkPath: "fork", hookPath: "own stack, parent hook"}[p]
}

// pathOf chooses the child's path, and says why. Only a parent that writes
// the child's maps needs to be awake while the child runs.
func pathOf(maps idMapWriter) (childPath, string) {
	switch {
	case maps != parentWritesMap:
		return vforkPath, "nothing needs the parent awake while the child runs"
	case !canCloneOnOwnStack:
		return forkPath, "the parent writes the id maps, and this architecture has no own-stack clone"
	case !memoryShared():
		return forkPath, "the parent writes the id maps, and CLONE_VM does not share memory here"
	case !clone3Available():
		return forkPath, "the parent writes the id maps, and clone3 is refused here"
	}
	return ownStackPath, "the parent writes the id maps while the child waits on a stack of its own"
}

// clone3Available reports whether clone3 can be called: Linux 5.3 or later,
// and no seccomp policy refusing it with ENOSYS, as container runtimes'
// default policies do so that glibc falls back to clone. Asked once, with
// arguments the kernel rejects (EINVAL) before it would clone anything.
var clone3Available = sync.OnceValue(func() bool {
	_, _, e := syscall.RawSyscall(unix.SYS_CLONE3, 0, 0, 0)
	return e != syscall.ENOSYS
})

// closeRangeCloexecAvailable reports whether close_range takes
// CLOSE_RANGE_CLOEXEC (Linux 5.11): asked once, for a range no descriptor
// is in, which the kernel answers with 0, EINVAL for an unknown flag, or
// ENOSYS (or EPERM from a seccomp policy) for an unknown call.
var closeRangeCloexecAvailable = sync.OnceValue(func() bool {
	_, _, e := syscall.RawSyscall(unix.SYS_CLOSE_RANGE, ^uintptr(0)>>1, ^uintptr(0)>>1, unix.CLOSE_RANGE_CLOEXEC)
	return e == 0
})

// cloneFlags returns the clone flags for a child of sys on path, without
// the exit signal.
func cloneFlags(sys *SysProcAttr, path childPath) uintptr {
	flags := sys.Cloneflags
	switch path {
	case vforkPath:
		flags |= syscall.CLONE_VM | syscall.CLONE_VFORK
	case ownStackPath, hookPath:
		// CLONE_CHILD_CLEARTID: the kernel zeroes running and wakes its
		// futex when the child execs or exits, as it ends a vfork
		// parent's sleep.
		flags |= syscall.CLONE_VM | syscall.CLONE_CHILD_CLEARTID
	}
	if sys.PidFD != nil {
		flags |= unix.CLONE_PIDFD
	}
	return flags
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
	bad := func(step Step, errno syscall.Errno, detail string) *Error {
		return &Error{Step: step, Errno: errno, Detail: detail, Index: -1}
	}
	for _, c := range sys.AmbientCaps {
		if c >= 64 {
			return bad(StepAmbientCaps, syscall.EINVAL, strconv.FormatUint(uint64(c), 10))
		}
	}
	if caps := sys.Capabilities; caps != nil {
		for _, set := range [][]uintptr{caps.Bounding, caps.Permitted, caps.Effective, caps.Inheritable} {
			for _, c := range set {
				if c > uintptr(capLastCap()) {
					return bad(StepCapabilities, syscall.EINVAL, "unknown capability "+strconv.FormatUint(uint64(c), 10))
				}
			}
		}
	}
	if sys.SeccompFilter != nil && (len(sys.SeccompFilter) == 0 || len(sys.SeccompFilter) > bpfMaxInsns) {
		return bad(StepSeccomp, syscall.EINVAL, "a filter of "+strconv.Itoa(len(sys.SeccompFilter))+" instructions (1 to 4096)")
	}
	if sys.UseLandlock && sys.LandlockFD < 0 {
		return bad(StepLandlock, syscall.EBADF, "LandlockFD "+strconv.Itoa(sys.LandlockFD))
	}
	if sys.Hostname != "" || sys.Domainname != "" {
		if (sys.Cloneflags|sys.Unshareflags)&syscall.CLONE_NEWUTS == 0 {
			return bad(StepHostname, syscall.EINVAL, "Hostname and Domainname need CLONE_NEWUTS, so that the host keeps its name")
		}
		for _, n := range []struct {
			step  Step
			value string
		}{{StepHostname, sys.Hostname}, {StepDomainname, sys.Domainname}} {
			if len(n.value) > 64 || strings.IndexByte(n.value, 0) >= 0 {
				return bad(n.step, syscall.EINVAL, strconv.Quote(n.value)+": at most 64 bytes, no NUL")
			}
		}
	}
	if sys.UseOOMScoreAdj && (sys.OOMScoreAdj < -1000 || sys.OOMScoreAdj > 1000) {
		return bad(StepOOMScoreAdj, syscall.EINVAL, strconv.Itoa(sys.OOMScoreAdj)+" outside -1000 to 1000")
	}
	for _, n := range sys.JoinNamespaces {
		if n.FD < 0 {
			return bad(StepSetns, syscall.EBADF, "fd "+strconv.Itoa(n.FD))
		}
	}
	return nil
}

// bpfMaxInsns is BPF_MAXINSNS, the most instructions a classic BPF
// program may have.
const bpfMaxInsns = 4096

// childStack is the stack of a child on the own-stack path. The child's
// code is nosplit from the clone on, so the linker has checked that it fits
// in the few hundred bytes a nosplit chain may use; this leaves ample room
// besides, as the goroutine stack leaves a vfork child, for a signal
// handler installed by C code, the only kind the child may still run.
type childStack [16 << 10]byte

// forkAndExecInChild starts the child that runs p and returns its pid, or
// the step that failed before the child ran (the clone, or the map pipe)
// and its errno. On
// return in the parent the child has either exec'd or failed (and left its
// report), or, on the fork path, is running on its own.
func forkAndExecInChild(p *program, sys *SysProcAttr, pipe int, report *childReport) (pid int, step Step, err syscall.Errno) {
	d := &p.decided
	if d.path == hookPath {
		return cloneForHook(p, sys, report)
	}
	c := childArgs{prog: p, base: unsafe.Pointer(&p.mem[0]), report: report, pipe: pipe, execFD: -1}
	c.os.mapPipe = [2]int{-1, -1}
	if e := d.hook.openPipe(&c, sys, d.path); e != 0 {
		return 0, StepPipe, e
	}
	var (
		args   cloneArgs
		clone3 *cloneArgs
		pidfd  int32
		upid   uintptr
	)
	if d.path == forkPath && d.maps == parentWritesMap {
		// A pipe through which the parent tells the child, which has a
		// copy of its memory, that the maps are written (or why not).
		if e := syscall.Pipe2(c.os.mapPipe[:], syscall.O_CLOEXEC); e != nil {
			d.hook.closePipe()
			return 0, StepPipe, e.(syscall.Errno)
		}
	}

	flags := d.flags
	if d.clone3 {
		args = newCloneArgs(d, sys)
		clone3 = &args
	}

	if d.path == ownStackPath {
		upid, pidfd, err = cloneOnOwnStack(&c, sys, clone3)
	} else {
		upid, pidfd, err = forkAndExecInChild1(&c, sys, flags, clone3, nil)
	}
	runtimeAfterFork()
	if err != 0 {
		if c.os.mapPipe[0] >= 0 {
			syscall.Close(c.os.mapPipe[0])
			syscall.Close(c.os.mapPipe[1])
		}
		d.hook.closePipe()
		return 0, StepClone, err
	}
	pid = int(upid)
	if sys.PidFD != nil {
		*sys.PidFD = int(pidfd)
	}

	if c.os.mapPipe[0] >= 0 {
		syscall.Close(c.os.mapPipe[0])
		status := writeIDMaps(pid, d, sys)
		syscall.Write(c.os.mapPipe[1], unsafe.Slice((*byte)(unsafe.Pointer(&status)), unsafe.Sizeof(status)))
		syscall.Close(c.os.mapPipe[1])
	}
	return pid, 0, 0
}

// newCloneArgs returns clone3's arguments for what d decided: the flags,
// the exit signal and the cgroup.
func newCloneArgs(d *decisions, sys *SysProcAttr) cloneArgs {
	args := cloneArgs{flags: uint64(d.flags), exitSignal: uint64(syscall.SIGCHLD)}
	if sys.UseCgroupFD {
		args.flags |= unix.CLONE_INTO_CGROUP
		args.cgroup = uint64(sys.CgroupFD)
	}
	return args
}

// cloneOnOwnStack is forkAndExecInChild1 on the own-stack path, with the
// child's stack in this frame: the parent's stack cannot move from
// runtimeBeforeFork until runtimeAfterFork, after the child has exec'd or
// exited, the parent's own calls use the stack below this frame, and to
// the garbage collector the array holds no pointers, whatever the child
// leaves in it. A function of its own, so that no other spawn's frame is
// this large.
//
//go:noinline
func cloneOnOwnStack(c *childArgs, sys *SysProcAttr, args *cloneArgs) (pid uintptr, pidfd int32, err syscall.Errno) {
	var stack childStack
	c.os.running.Store(1)
	pid, pidfd, err = forkAndExecInChild1(c, sys, uintptr(args.flags), args, &stack)
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
// child starts in execChild on stack, and this frame is the parent's,
// which writes the maps and waits here, still unable to move its stack or
// take a signal, until the child has exec'd or exited.
//
// Preconditions: runtimeBeforeFork has not been called; the caller calls
// runtimeAfterFork on return; c is as childArgs says; clone3 and stack are
// set on the own-stack path.
//
//forkexec:child
//go:noinline
//go:norace
//go:nocheckptr
func forkAndExecInChild1(c *childArgs, sys *SysProcAttr, flags uintptr, clone3 *cloneArgs, stack *childStack) (pid uintptr, pidfd int32, err syscall.Errno) {
	pidfd = -1

	// From here until runtimeAfterFork in the parent, this thread has every
	// signal blocked and its stack cannot grow or move.
	runtimeBeforeFork()
	if clone3 != nil && sys.PidFD != nil {
		clone3.pidFD = uint64(uintptr(unsafe.Pointer(&pidfd)))
	}
	if c.prog.decided.path == ownStackPath {
		// Addresses on this goroutine's stack become plain numbers for
		// the kernel only now that the stack is pinned: taken before,
		// they could name where the stack was before it grew.
		clone3.stack = uint64(uintptr(unsafe.Pointer(stack)))
		clone3.stackSize = uint64(len(stack))
		clone3.childTID = uint64(uintptr(unsafe.Pointer(futexWord(&c.os.running))))
		pid, err = rawClone3OnStack(clone3, unsafe.Sizeof(*clone3), c)
		if err != 0 {
			return
		}
		ownStackParent(c, sys, int(pid))
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

// ownStackParent is the parent's part on the own-stack path, still between
// runtimeBeforeFork and runtimeAfterFork: write the maps, tell the child
// (with the errno of writing them), and sleep until the child has exec'd
// or exited.
//
//go:nosplit
//go:norace
//go:nocheckptr
func ownStackParent(c *childArgs, sys *SysProcAttr, pid int) {
	if forceParentDies {
		rawKill(rawGetpid(), syscall.SIGKILL)
	}
	written := futexWord(&c.os.mapsWritten)
	*written = 1 + uint32(writeIDMaps(pid, &c.prog.decided, sys)) // see childOSArgs for why plain
	rawFutex(written, futexWake, 1, nil)
	// The kernel's own futex wake, at exec or exit, is not private, so
	// neither is this wait.
	running := futexWord(&c.os.running)
	for *running != 0 {
		rawFutex(running, futexWait, 1, nil)
	}
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
