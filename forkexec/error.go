//go:build linux || freebsd

package forkexec

import (
	"strconv"
	"syscall"
)

// Step names one step of starting a process: a check or system call in the
// parent before the fork, or one of the child's steps between fork and exec.
// A Step's String is the name used in [Error] messages.
type Step uint8

// The steps. Those up to StepExec are listed in the order they happen; the
// order of a child's steps is its program's, which NewPlan shows, and the
// package documentation explains.
const (
	StepArgs         Step = iota + 1 // parent: convert argv0, argv, Env, Dir or Chroot to C strings
	StepAttr                         // parent: check that SysProcAttr is consistent
	StepPipe                         // parent: create the error pipe
	StepClone                        // parent: clone the child (rfork or vfork on FreeBSD)
	StepJail                         // child: jail_attach(Jail) (FreeBSD)
	StepKeepCaps                     // child: prctl(PR_SET_KEEPCAPS) for AmbientCaps
	StepIDMap                        // parent or child: write uid_map, gid_map or setgroups
	StepSetsid                       // child: setsid
	StepSetpgid                      // child: setpgid
	StepForeground                   // child: make the process group the tty's foreground group
	StepUnshare                      // child: unshare(Unshareflags)
	StepMountPrivate                 // child: remount / private after unsharing the mount namespace
	StepChroot                       // child: chroot
	StepSetgroups                    // child: setgroups
	StepSetgid                       // child: setgid
	StepSetuid                       // child: setuid
	StepCapabilities                 // child: capget/capset for AmbientCaps
	StepAmbientCaps                  // child: raise an ambient capability
	StepChdir                        // child: chdir
	StepPdeathsig                    // child: set the parent-death signal
	StepDup                          // child: move a descriptor of ProcAttr.Files into place
	StepCloseFDs                     // child: close descriptors not passed (SysProcAttr.CloseFDs)
	StepNoctty                       // child: detach from the controlling tty
	StepSetctty                      // child: set the controlling tty
	StepResetSignals                 // child: reset signal dispositions and mask (SysProcAttr.ResetSignals)
	StepPtrace                       // child: ptrace(PTRACE_TRACEME)
	StepExec                         // child: execve

	// Added later, so out of order; the child's order is the Plan's.

	StepRuntimeSignals // child: the runtime's signal handlers to SIG_DFL and the spawning thread's mask back (cannot fail)
	StepRestoreNofile  // child: RLIMIT_NOFILE back to the program's original (errors ignored, as in the stdlib)
	StepSetns          // child: join a namespace (SysProcAttr.JoinNamespaces)
	StepHostname       // child: sethostname (SysProcAttr.Hostname)
	StepDomainname     // child: setdomainname (SysProcAttr.Domainname)
	StepOOMScoreAdj    // child: write /proc/self/oom_score_adj (SysProcAttr.OOMScoreAdj)
	StepRlimit         // child: set a resource limit (SysProcAttr.Rlimits)
	StepSecureBits     // child: set securebits (Capabilities.SecureBits)
	StepCapBound       // child: drop capabilities from the bounding set (Capabilities.Bounding)
	StepFchdir         // child: fchdir (SysProcAttr.DirFD)
	StepUmask          // child: umask (SysProcAttr.Umask)
	StepNoNewPrivs     // child: prctl(PR_SET_NO_NEW_PRIVS) (SysProcAttr.NoNewPrivs)
	StepLandlock       // child: landlock_restrict_self (SysProcAttr.UseLandlock)
	StepExecFD         // child: move the descriptor to exec out of the way of Files (SysProcAttr.ExecFD)
	StepSignalMask     // child: set the signal mask (SysProcAttr.SignalMask)
	StepSeccomp        // child: install the seccomp filter (SysProcAttr.SeccompFilter)
)

var stepNames = [...]string{
	StepArgs:         "convert",
	StepAttr:         "check SysProcAttr",
	StepPipe:         "pipe",
	StepClone:        "clone",
	StepJail:         "attach jail",
	StepKeepCaps:     "set keepcaps",
	StepIDMap:        "write id map",
	StepSetsid:       "setsid",
	StepSetpgid:      "setpgid",
	StepForeground:   "set foreground",
	StepUnshare:      "unshare",
	StepMountPrivate: "make / private",
	StepChroot:       "chroot",
	StepSetgroups:    "setgroups",
	StepSetgid:       "setgid",
	StepSetuid:       "setuid",
	StepCapabilities: "set capabilities",
	StepAmbientCaps:  "raise ambient capability",
	StepChdir:        "chdir",
	StepPdeathsig:    "set pdeathsig",
	StepDup:          "dup",
	StepCloseFDs:     "close fds",
	StepNoctty:       "detach ctty",
	StepSetctty:      "set ctty",
	StepResetSignals: "reset signal",
	StepPtrace:       "ptrace",
	StepExec:         "exec",

	StepRuntimeSignals: "restore signals",
	StepRestoreNofile:  "restore RLIMIT_NOFILE",
	StepSetns:          "setns",
	StepHostname:       "sethostname",
	StepDomainname:     "setdomainname",
	StepOOMScoreAdj:    "set oom_score_adj",
	StepRlimit:         "setrlimit",
	StepSecureBits:     "set securebits",
	StepCapBound:       "drop bounding capability",
	StepFchdir:         "fchdir",
	StepUmask:          "umask",
	StepNoNewPrivs:     "set no_new_privs",
	StepLandlock:       "landlock_restrict_self",
	StepExecFD:         "park exec",
	StepSignalMask:     "set signal mask",
	StepSeccomp:        "seccomp",
}

func (s Step) String() string {
	if name := actionStepName(s); name != "" {
		return name
	}
	if int(s) < len(stepNames) && stepNames[s] != "" {
		return stepNames[s]
	}
	return "step " + strconv.Itoa(int(s))
}

// Error reports which step of starting a process failed. [Spawn] returns
// it; [ForkExec] returns only its Errno, as syscall.ForkExec does.
//
// Use errors.As to get at the step, and errors.Is with a syscall.Errno or an
// io/fs error (fs.ErrNotExist, fs.ErrPermission) to test the cause.
type Error struct {
	Step  Step          // the step that failed
	Errno syscall.Errno // what the failed system call returned
	// Detail says what the step was working on, where that is not implied:
	// the path for chroot, chdir and exec; "fd 7 onto 1" for dup; the
	// signal for set pdeathsig and reset signal (or "mask"); the capability
	// for raise ambient capability; the jail id for attach jail; which argument for convert; the problem for check
	// SysProcAttr.
	Detail string
	// Index is the failed step's place in the child's program, as NewPlan
	// lists it, or -1 for a step of the parent.
	Index int
	// Action is, when Step is an action's (Step.IsAction), the action's
	// index in SysProcAttr.Actions: for a failure in the child and for an
	// action refused before the fork alike. Otherwise 0.
	Action int
	// Err is the error SysProcAttr.ParentHook returned, when Step is
	// StepParentHook; otherwise nil.
	Err error
}

// Error reads "forkexec: <step> <detail>: <errno>", for example
// "forkexec: chdir /no/such: no such file or directory".
//
// An action's failure names the action by its index in SysProcAttr.Actions:
// "forkexec: action 3 mount /proc: permission denied". A parent hook's
// failure ends with the hook's error.
func (e *Error) Error() string {
	s := "forkexec: "
	if e.Step.IsAction() {
		s += "action " + strconv.Itoa(e.Action) + " "
	}
	s += e.Step.String()
	if e.Detail != "" {
		s += " " + e.Detail
	}
	if e.Err != nil {
		return s + ": " + e.Err.Error()
	}
	return s + ": " + e.Errno.Error()
}

// Unwrap returns the Errno, so that errors.Is(err, syscall.ENOENT) and
// errors.Is(err, fs.ErrNotExist) hold for a program that was not found; for
// a parent hook's failure, the hook's error.
func (e *Error) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	return e.Errno
}
