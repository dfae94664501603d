//go:build freebsd

package forkexec

import (
	"sync"
	"syscall"
	"time"
	"unsafe"
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
	// With it, signals stay blocked in the child from the clone until this
	// reset: one sent during the setup acts then, at its default action.
	ResetSignals bool

	// CloseFDs makes the child close every descriptor numbered
	// len(ProcAttr.Files) or above before exec, whether or not it is
	// marked close-on-exec, so that the program gets exactly the
	// descriptors in Files. Without it, as in the syscall package, the
	// child inherits every descriptor not marked close-on-exec.
	CloseFDs bool

	// The fields below have the meaning of Linux's fields of the same
	// names, where FreeBSD has the feature; Linux's others (Capabilities,
	// SeccompFilter, Landlock, namespaces, Hostname, OOMScoreAdj) it does
	// not, and they do not exist here, so that a program asking for them
	// does not build for FreeBSD rather than run without them.

	// NoNewPrivs sets the child's no-new-privileges flag with
	// procctl(PROC_NO_NEW_PRIVS_CTL) (FreeBSD 11.4 and 12.1 or later)
	// before exec.
	NoNewPrivs bool

	UseUmask      bool // give the child the file mode creation mask Umask
	Umask         int
	Rlimits       []Rlimit         // resource limits the child sets with setrlimit
	UseSignalMask bool             // block exactly SignalMask at exec
	SignalMask    []syscall.Signal // see UseSignalMask
	UseExecFD     bool             // exec the program open at ExecFD (fexecve)
	ExecFD        int
	RetryTextBusy time.Duration // retry an exec failing with ETXTBSY this long
	UseDirFD      bool          // fchdir(DirFD) where the child would chdir(Dir)
	DirFD         int

	// Actions are steps the child takes between clone and exec, before
	// Chroot and the credentials change, as on Linux (see Action): the
	// file actions, Mkdir, Symlink, WriteFile and Setrlimit. The
	// Linux-only kinds (mounts, pivot_root, hostname, setns) are refused
	// before the fork with EOPNOTSUPP.
	Actions []Action

	// ParentHook runs in the parent while the child waits (see the Linux
	// SysProcAttr). Refused on FreeBSD, for now, before the fork.
	ParentHook func(pid int) error
}

// FreeBSD constants of the child path that x/sys/unix does not define, with
// the header each comes from.
const (
	rfSpawn              = 1 << 31 // RFSPAWN, <sys/unistd.h>; FreeBSD 12.2 and later
	pPID                 = 0       // P_PID, the first idtype_t, <sys/wait.h>
	procPdeathsigCtl     = 11      // PROC_PDEATHSIG_CTL, <sys/procctl.h>
	sigBlock             = 1       // SIG_BLOCK, <sys/signal.h>
	sigSetmask           = 3       // SIG_SETMASK, <sys/signal.h>
	lastSignal           = 128     // _SIG_MAXSIG, <sys/_sigset.h>
	sigactionBytes       = 32      // sizeof(struct sigaction) is 32 on 64-bit, 24 on 32-bit
	sigsetWords          = 4       // _SIG_WORDS, uint32 words in a sigset_t, <sys/_sigset.h>
	sigsetBytes          = 4 * sigsetWords
	procNoNewPrivsCtl    = 19 // PROC_NO_NEW_PRIVS_CTL, <sys/procctl.h>
	procNoNewPrivsEnable = 1  // PROC_NO_NEW_PRIVS_ENABLE
)

// Test hooks, set only by tests before any spawn.
var forceVfork = false // skip rfork(RFSPAWN), as on FreeBSD before 12.2

// osreldateRFSpawn is the first kern.osreldate with RFSPAWN and close_range:
// FreeBSD 12.2.
const osreldateRFSpawn = 1202000

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

// checkSysProcAttr rejects what the child could not do safely. Nothing on
// FreeBSD: what the kernel refuses (an unknown jail, a bad signal) fails in
// the child with the kernel's errno, as with the syscall package.
func checkSysProcAttr(sys *SysProcAttr) *Error {
	if sys.UseExecFD && sys.CloseFDs && !modernKernel() {
		// closefrom, the only way before 12.2, would close it too.
		return &Error{Step: StepCloseFDs, Errno: syscall.EINVAL, Detail: "CloseFDs with UseExecFD needs FreeBSD 12.2 (close_range)", Index: -1}
	}
	return checkParentHook(sys)
}

// failureCleanup undoes what a failed spawn left behind: nothing on FreeBSD.
func failureCleanup(sys *SysProcAttr) {}

// modernKernel reports whether the kernel is FreeBSD 12.2 or later, which
// has RFSPAWN and close_range: asked once, from kern.osreldate.
var modernKernel = sync.OnceValue(func() bool {
	rel, err := syscall.SysctlUint32("kern.osreldate")
	return err == nil && rel >= osreldateRFSpawn
})

// forkAndExecInChild starts the child that runs p and returns its pid, or
// the clone's errno. On return in the parent the child has either exec'd
// or failed, leaving its report.
func forkAndExecInChild(p *program, sys *SysProcAttr, pipe int, report *childReport) (pid int, step Step, err syscall.Errno) {
	c := childArgs{prog: p, base: unsafe.Pointer(&p.mem[0]), report: report, pipe: pipe, execFD: -1}
	upid, err := forkAndExecInChild1(&c)
	runtimeAfterFork()
	if err != 0 {
		return 0, StepClone, err
	}
	return int(upid), 0, 0
}

// forkAndExecInChild1 makes the child, which runs execChild(c), and returns
// in the parent only. The child runs on this stack, below this frame, and
// returns from the system call into this function, so it is a function of
// its own that the parent leaves at once (see the Linux one).
//
// Preconditions: runtimeBeforeFork has not been called; the caller calls
// runtimeAfterFork on return; c is as childArgs says.
//
//forkexec:child
//go:noinline
//go:norace
//go:nocheckptr
func forkAndExecInChild1(c *childArgs) (pid uintptr, err syscall.Errno) {
	runtimeBeforeFork()
	if c.prog.decided.rfork {
		pid, err = rawVforkSyscall(rawRforkArgs(rfSpawn))
	} else {
		pid, err = rawVforkSyscall(rawVforkArgs())
	}
	if err != 0 || pid != 0 {
		return
	}
	execChild(c)
	return
}
