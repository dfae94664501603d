//go:build freebsd

package forkexec

import (
	"strconv"
	"syscall"
)

// The operations only FreeBSD has, in the groups of op.
const (
	// Direct.
	opJail       op = opFirstOS + iota // jail_attach(arg0)
	opCloseFrom                        // closefrom(arg0), before 12.2
	opRlimit                           // setrlimit(arg0, rlimit at arg1)
	opSignalMask                       // sigprocmask(SIG_SETMASK, sigset at arg0)
	opExecFD                           // fexecve(the moved exec fd, argv, envv); arg0: the parent's fd

	// Indirect.
	opPdeathsig     // procctl(PROC_PDEATHSIG_CTL, arg0); signal self if the parent is no longer arg1
	opNoNewPrivs    // procctl(PROC_NO_NEW_PRIVS_CTL, ENABLE)
	opCloseFDsRange // close_range(arg0, ~0, 0), around the moved exec fd
	opExecRetry     // exec (by the moved fd if arg2) retrying ETXTBSY for arg0-arg1 ns
)

// rlimNLimits is RLIM_NLIMITS: resources are numbered 0 to 14.
const rlimNLimits = 15

// rlimitNames names the resources, for messages.
var rlimitNames = [...]string{"RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
	"RLIMIT_MEMLOCK", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_SBSIZE", "RLIMIT_VMEM", "RLIMIT_NPTS",
	"RLIMIT_SWAP", "RLIMIT_KQUEUES", "RLIMIT_UMTXP"}

// The first FreeBSD operation of each group; there are no deep ones.
const (
	opFirstOSDirect2  = opPdeathsig // none: runOSDirect has them all
	opFirstOSIndirect = opPdeathsig
	opFirstOSDeep     = opPdeathsig + 1
)

// decisions is what a FreeBSD spawn decided before the clone, once.
type decisions struct {
	rfork      bool // rfork(RFSPAWN) rather than vfork
	reportPipe bool // always false: the child runs in the parent's memory
	ppid       int  // the parent's pid, when Pdeathsig is set
	rforkWhy   string
}

// decide makes every decision of a spawn that depends on the machine, once.
func decide(attr *ProcAttr, sys *SysProcAttr) (d decisions) {
	switch {
	case forceVfork:
		d.rforkWhy = "forced by a test"
	case !modernKernel():
		d.rforkWhy = "FreeBSD before 12.2 has no RFSPAWN"
	default:
		d.rfork, d.rforkWhy = true, "RFSPAWN: vfork that also resets caught signals, as posix_spawn uses"
	}
	if sys.Pdeathsig != 0 {
		d.ppid = syscall.Getpid()
	}
	return d
}

// compileSteps writes the child's steps in the order they run: the
// syscall package's order, with the extensions at their documented places
// and Ptrace last (see the package documentation).
func (b *builder) compileSteps(attr *ProcAttr, sys *SysProcAttr) {
	d := &b.p.decided
	// Jail first: everything after, chroot and credentials included,
	// happens inside it.
	if sys.Jail > 0 {
		b.add(opJail, uintptr(sys.Jail))
	}
	if sys.Setsid {
		b.add(opSetsid)
	}
	if sys.Setpgid || sys.Foreground {
		b.add(opSetpgid, uintptr(sys.Pgid))
	}
	if sys.Foreground {
		b.add(opForeground, uintptr(sys.Ctty), uintptr(sys.Pgid))
	}
	b.addRuntimeSignals(sys.ResetSignals)
	// Raising a hard limit needs privilege: before setuid.
	b.addRlimits(opRlimit, sys.Rlimits)
	// Actions, before chroot and the credentials change, as on Linux.
	b.addActions(sys.Actions)
	b.addChroot(sys.Chroot)
	if cred := sys.Credential; cred != nil {
		b.addCredential(cred, !cred.NoSetGroups)
	}
	b.addChdir(sys.UseDirFD, sys.DirFD, attr.Dir)
	b.addUmask(sys.UseUmask, sys.Umask)
	if sys.Pdeathsig != 0 {
		b.add(opPdeathsig, uintptr(sys.Pdeathsig), uintptr(d.ppid))
	}
	if sys.NoNewPrivs {
		b.add(opNoNewPrivs)
	}
	// Closed outright: no error pipe is open to be kept.
	closeFDs := opCloseFrom
	if d.rfork {
		closeFDs = opCloseFDsRange
	}
	b.addFiles(sys, len(attr.Files), closeFDs)
	// TIOCSCTTY's argument: 0 (FreeBSD ignores it).
	b.addTerminalToPtrace(sys, 0)
	b.addExec(sys.UseExecFD, sys.ExecFD, sys.RetryTextBusy)
}

// osStep is the Step that an operation only FreeBSD has reports as.
func (o op) osStep() Step {
	switch o {
	case opJail:
		return StepJail
	case opCloseFrom:
		return StepCloseFDs
	}
	return 0
}

// osArgs describes the arguments of an operation only FreeBSD has.
func (p *program) osArgs(s *childStep) string {
	switch op(s.op) {
	case opJail:
		return "jid " + strconv.Itoa(int(s.arg[0]))
	case opCloseFrom:
		return "from " + strconv.Itoa(int(s.arg[0])) + " by closefrom"
	}
	return ""
}

// osDetail is Error.Detail for a failed operation only FreeBSD has.
func (p *program) osDetail(s *childStep, detail int) string {
	switch op(s.op) {
	case opJail:
		return "jid " + strconv.Itoa(int(s.arg[0]))
	}
	return ""
}

// list lists what a FreeBSD spawn decided, for NewPlan.
func (d *decisions) list() []Decision {
	path := "vfork"
	if d.rfork {
		path = "rfork"
	}
	return []Decision{
		{What: "path", Choice: path, Why: d.rforkWhy},
		{What: "report", Choice: "memory", Why: "the child runs in the parent's memory while the parent waits"},
	}
}
