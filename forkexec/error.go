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

// The steps, in the order they happen. The child's steps run in this order
// too; see the package documentation for why each is where it is.
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
}

func (s Step) String() string {
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
}

// Error reads "forkexec: <step> <detail>: <errno>", for example
// "forkexec: chdir /no/such: no such file or directory".
func (e *Error) Error() string {
	s := "forkexec: " + e.Step.String()
	if e.Detail != "" {
		s += " " + e.Detail
	}
	return s + ": " + e.Errno.Error()
}

// Unwrap returns the Errno, so that errors.Is(err, syscall.ENOENT) and
// errors.Is(err, fs.ErrNotExist) hold for a program that was not found.
func (e *Error) Unwrap() error { return e.Errno }

// exitChildFailed is the exit status of a child whose setup failed, as in
// the stdlib.
const exitChildFailed = 253

// childReport is what a child that failed tells its parent: through memory
// the two share when the child was cloned with CLONE_VM, otherwise through
// the error pipe. A zero errno means the child exec'd.
type childReport struct {
	errno  syscall.Errno
	step   Step
	detail int32 // a descriptor index, a signal or a capability, by step
}

// reportDetail turns what the child reported into Error.Detail.
func reportDetail(r *childReport, argv0 string, attr *ProcAttr, sys *SysProcAttr) string {
	d := int(r.detail)
	switch r.step {
	case StepChroot:
		return sys.Chroot
	case StepChdir:
		return attr.Dir
	case StepExec:
		return argv0
	case StepDup:
		if d < 0 || d >= len(attr.Files) {
			return "error pipe"
		}
		return "fd " + strconv.Itoa(int(attr.Files[d])) + " onto " + strconv.Itoa(d)
	case StepForeground, StepSetctty:
		return "fd " + strconv.Itoa(d)
	case StepPdeathsig:
		return "signal " + strconv.Itoa(d)
	case StepResetSignals:
		if d < 0 {
			return "mask"
		}
		return strconv.Itoa(d)
	case StepAmbientCaps:
		return strconv.Itoa(d)
	case StepJail:
		return "jid " + strconv.Itoa(d)
	}
	return ""
}
