//go:build freebsd

package forkexec

import (
	"strconv"
	"syscall"
)

// The operations only FreeBSD has, in the groups of op.
const (
	// Direct.
	opJail          op = opFirstOS + iota // jail_attach(arg0)
	opCloseFDsRange                       // close_range(arg0, ~0, 0)
	opCloseFrom                           // closefrom(arg0), before 12.2

	// Indirect.
	opPdeathsig // procctl(PROC_PDEATHSIG_CTL, arg0); signal self if the parent is no longer arg1
)

// The first FreeBSD operation of each group; there are no deep ones.
const (
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
	b.add(opRuntimeSignals)
	b.addChroot(sys.Chroot)
	if cred := sys.Credential; cred != nil {
		b.addCredential(cred, !cred.NoSetGroups)
	}
	b.addChdir(attr.Dir)
	if sys.Pdeathsig != 0 {
		b.add(opPdeathsig, uintptr(sys.Pdeathsig), uintptr(d.ppid))
	}
	b.add(opPlaceFiles)
	if sys.CloseFDs {
		// Closed outright: no error pipe is open to be kept.
		if d.rfork {
			b.add(opCloseFDsRange, uintptr(len(attr.Files)))
		} else {
			b.add(opCloseFrom, uintptr(len(attr.Files)))
		}
	}
	if sys.Noctty {
		b.add(opNoctty)
	}
	if sys.Setctty {
		b.add(opSetctty, uintptr(sys.Ctty), 0)
	}
	b.addRestoreNofile()
	if sys.ResetSignals {
		b.add(opResetSignals)
	}
	if sys.Ptrace {
		b.add(opPtrace)
	}
	b.add(opExec)
}

// osStep is the Step that an operation only FreeBSD has reports as.
func (o op) osStep() Step {
	switch o {
	case opJail:
		return StepJail
	case opCloseFDsRange, opCloseFrom:
		return StepCloseFDs
	case opPdeathsig:
		return StepPdeathsig
	}
	return 0
}

// osArgs describes the arguments of an operation only FreeBSD has.
func (p *program) osArgs(s *childStep) string {
	switch op(s.op) {
	case opJail:
		return "jid " + strconv.Itoa(int(s.arg[0]))
	case opCloseFDsRange:
		return "from " + strconv.Itoa(int(s.arg[0])) + " by close_range"
	case opCloseFrom:
		return "from " + strconv.Itoa(int(s.arg[0])) + " by closefrom"
	case opPdeathsig:
		return "signal " + strconv.Itoa(int(s.arg[0]))
	}
	return ""
}

// osDetail is Error.Detail for a failed operation only FreeBSD has.
func (p *program) osDetail(s *childStep) string {
	switch op(s.op) {
	case opJail:
		return "jid " + strconv.Itoa(int(s.arg[0]))
	case opPdeathsig:
		return "signal " + strconv.Itoa(int(s.arg[0]))
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
