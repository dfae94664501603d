//go:build linux || freebsd

package forkexec

import (
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// Plan is what a spawn with given arguments and attributes would do:
// compiled exactly as Spawn compiles it, on this machine and now, but not
// run. Its steps are the child's program, in the order the child runs them,
// so a Plan shows the real order, not a description of it.
//
// Print it (String) for a log, or compare its fields in a test. Index i of
// Steps is the Index an [*Error] from a spawn with the same attributes
// reports when step i fails.
type Plan struct {
	// Path is how the child would be cloned: "vfork", "own stack" or
	// "fork" on Linux; "rfork" or "vfork" on FreeBSD.
	Path string
	// Decisions are what was decided for this machine, process and
	// attributes before the clone, each with its reason: the path, clone
	// or clone3, how the child reports failure, who writes id maps, how
	// CloseFDs closes.
	Decisions []Decision
	// Steps are the child's steps, from the clone to the exec, which is
	// always the last.
	Steps []PlanStep
}

// Decision is one choice a spawn makes before the clone.
type Decision struct {
	What   string // what was decided, such as "path" or "report"
	Choice string // the choice made, such as "vfork" or "memory"
	Why    string // the reason for it
}

// PlanStep is one step of a child's program.
type PlanStep struct {
	Step Step   // the step, as an Error names it
	Args string // its arguments as the child will use them, if any
	// Action is, for an action's step (Step.IsAction), its index in
	// SysProcAttr.Actions; otherwise 0.
	Action int
}

// NewPlan compiles a spawn of argv0 with argv and attr as Spawn would, and
// returns what the child would do, without starting anything. It returns
// the error Spawn would return for input that is refused before the fork.
// Decisions that depend on the process (its effective ids, for who writes
// id maps) are made as of the call.
func NewPlan(argv0 string, argv []string, attr *ProcAttr) (*Plan, error) {
	attr, sys := withDefaults(attr)
	var p program
	if err := compile(&p, argv0, argv, attr, sys); err != nil {
		return nil, err
	}
	plan := &Plan{Decisions: p.decided.list()}
	plan.Path = plan.Decisions[0].Choice
	for i := range p.steps {
		s := &p.steps[i]
		ps := PlanStep{Step: op(s.op).step(), Args: p.args(s)}
		if ps.Step.IsAction() {
			ps.Action = p.actionIndex(i)
		}
		plan.Steps = append(plan.Steps, ps)
	}
	return plan, nil
}

// String lists the decisions, then the steps, one per line:
//
//	path: vfork (nothing needs the parent awake while the child runs)
//	...
//	 0 setsid
//	 1 exec /bin/true ["true"]
func (p *Plan) String() string {
	var b strings.Builder
	for _, d := range p.Decisions {
		b.WriteString(d.What + ": " + d.Choice + " (" + d.Why + ")\n")
	}
	width := len(strconv.Itoa(len(p.Steps) - 1))
	for i, s := range p.Steps {
		n := strconv.Itoa(i)
		b.WriteString(strings.Repeat(" ", width-len(n)) + n + " ")
		if s.Step.IsAction() {
			b.WriteString("action " + strconv.Itoa(s.Action) + " ")
		}
		b.WriteString(s.Step.String())
		if s.Args != "" {
			b.WriteString(" " + s.Args)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// step is the Step an operation reports as.
func (o op) step() Step {
	if o >= opFirstAction {
		return o.actionStep()
	}
	switch o {
	case opSetsid:
		return StepSetsid
	case opSetpgid:
		return StepSetpgid
	case opForeground:
		return StepForeground
	case opRuntimeSignals:
		return StepRuntimeSignals
	case opChroot:
		return StepChroot
	case opSetgroups:
		return StepSetgroups
	case opSetgid:
		return StepSetgid
	case opSetuid:
		return StepSetuid
	case opChdir:
		return StepChdir
	case opPlaceFiles:
		return StepDup
	case opNoctty:
		return StepNoctty
	case opSetctty:
		return StepSetctty
	case opRestoreNofile:
		return StepRestoreNofile
	case opResetSignals:
		return StepResetSignals
	case opPtrace:
		return StepPtrace
	case opUmask:
		return StepUmask
	case opFchdir:
		return StepFchdir
	case opParkExecFD:
		return StepExecFD
	case opExec, opExecFD, opExecRetry:
		return StepExec
	// Operations both kernels have, numbered in each one's own groups.
	case opPdeathsig:
		return StepPdeathsig
	case opRlimit:
		return StepRlimit
	case opSignalMask:
		return StepSignalMask
	case opNoNewPrivs:
		return StepNoNewPrivs
	case opCloseFDsRange:
		return StepCloseFDs
	}
	return o.osStep()
}

// args describes a step's arguments for a Plan.
func (p *program) args(s *childStep) string {
	a := s.arg
	if op(s.op) >= opFirstAction {
		return p.actionArgs(s)
	}
	switch op(s.op) {
	case opSetpgid:
		return "pgid " + strconv.Itoa(int(a[0]))
	case opForeground:
		return "fd " + strconv.Itoa(int(a[0])) + " pgid " + strconv.Itoa(int(a[1]))
	case opChroot, opChdir:
		return p.cstringAt(a[0])
	case opSetgroups:
		return formatUints(p.uint32sAt(a[1], int(a[0])))
	case opSetgid, opSetuid:
		return strconv.FormatUint(uint64(a[0]), 10)
	case opPlaceFiles:
		return "Files " + formatInts(p.fd)
	case opSetctty, opFchdir, opParkExecFD:
		return "fd " + strconv.Itoa(int(a[0]))
	case opUmask:
		return "0" + strconv.FormatUint(uint64(a[0]), 8)
	case opRestoreNofile:
		return "soft " + strconv.FormatUint(join64(a[0], a[1]), 10) + " hard " + strconv.FormatUint(join64(a[2], a[3]), 10)
	case opExec:
		return p.execPath() + " " + p.execArgvString()
	case opExecFD:
		return "fd " + strconv.Itoa(int(a[0])) + " " + p.execArgvString()
	case opExecRetry:
		how := p.execPath()
		if a[2] != 0 {
			how = "fd " + strconv.Itoa(int(a[3]))
		}
		return how + " " + p.execArgvString() + ", retrying ETXTBSY for " + time.Duration(join64(a[0], a[1])).String()
	case opPdeathsig:
		return "signal " + strconv.Itoa(int(a[0]))
	case opRlimit:
		lim := (*[2]uint64)(unsafe.Add(unsafe.Pointer(&p.mem[0]), a[1]))
		return rlimitName(int(a[0])) + " soft " + strconv.FormatUint(lim[0], 10) + " hard " + strconv.FormatUint(lim[1], 10)
	case opSignalMask:
		return formatSigset(unsafe.Slice((*uint64)(unsafe.Add(unsafe.Pointer(&p.mem[0]), a[0])), sigsetBytes/8))
	case opCloseFDsRange:
		return "from " + strconv.Itoa(int(a[0])) + " by close_range"
	}
	return p.osArgs(s)
}

// execArgvString is the exec's argv, quoted, for a Plan.
func (p *program) execArgvString() string {
	var q []string
	for pp := unsafe.Pointer(p.argv); *(**byte)(pp) != nil; pp = unsafe.Add(pp, wordSize) {
		q = append(q, strconv.Quote(goString(*(**byte)(pp))))
	}
	return "[" + strings.Join(q, " ") + "]"
}

// execPath is the program path the exec step runs.
func (p *program) execPath() string {
	return goString(p.argv0)
}

// failure turns a failed child's report into the Error Spawn returns.
func (p *program) failure(r *childReport, attr *ProcAttr) *Error {
	if r.index < 0 || int(r.index) >= len(p.steps) {
		// The report itself could not be read.
		return &Error{Step: StepPipe, Errno: r.errno, Index: -1}
	}
	s := &p.steps[r.index]
	e := &Error{Step: op(s.op).step(), Errno: r.errno, Index: int(r.index)}
	d := int(r.detail)
	if op(s.op) >= opFirstAction {
		p.actionFailure(e, int(r.index), d)
		return e
	}
	switch op(s.op) {
	case opChroot, opChdir:
		e.Detail = p.cstringAt(s.arg[0])
	case opExec:
		e.Detail = p.execPath()
	case opPlaceFiles:
		e.Detail = filesDetail(attr.Files, d, p.nextfd)
	case opForeground, opSetctty, opFchdir, opParkExecFD:
		e.Detail = "fd " + strconv.Itoa(int(s.arg[0]))
	case opResetSignals:
		e.Detail = strconv.Itoa(d)
		if d < 0 {
			e.Detail = "mask"
		}
	case opExecFD:
		e.Detail = "fd " + strconv.Itoa(int(s.arg[0]))
	case opExecRetry:
		e.Detail = p.execPath()
		if s.arg[2] != 0 {
			e.Detail = "fd " + strconv.Itoa(int(s.arg[3]))
		}
	case opPdeathsig:
		e.Detail = "signal " + strconv.Itoa(int(s.arg[0]))
	case opRlimit:
		e.Detail = rlimitName(int(s.arg[0]))
	default:
		e.Detail = p.osDetail(s, d)
	}
	return e
}

// filesDetail names the descriptor move that failed, from placeFiles'
// which.
func filesDetail(files []uintptr, which, nextfd int) string {
	switch {
	case which < 0:
		return "error pipe"
	case which&parkedSlot != 0:
		i := which &^ parkedSlot
		if i < len(files) {
			return "fd " + strconv.Itoa(int(files[i])) + " to a free descriptor from " + strconv.Itoa(nextfd) + " (parking it for slot " + strconv.Itoa(i) + ")"
		}
	case which < len(files):
		return "fd " + strconv.Itoa(int(files[which])) + " onto " + strconv.Itoa(which)
	}
	return ""
}

func formatInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return "[" + strings.Join(s, " ") + "]"
}

func formatUints(v []uint32) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatUint(uint64(x), 10)
	}
	return "[" + strings.Join(s, " ") + "]"
}

// formatSigset lists the signals in a kernel sigset.
func formatSigset(set []uint64) string {
	var s []string
	for i, w := range set {
		for b := 0; b < 64; b++ {
			if w&(1<<b) != 0 {
				s = append(s, strconv.Itoa(i*64+b+1))
			}
		}
	}
	return "[" + strings.Join(s, " ") + "]"
}
