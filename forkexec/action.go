//go:build linux || freebsd

package forkexec

import (
	"strconv"
	"strings"
	"syscall"
)

// Action is one step of the child's setup that the caller declares, in
// SysProcAttr.Actions: a file action as posix_spawn has them (open, close,
// dup2, close from, chdir, fchdir, tcsetpgrp), a change to the file system
// (mount, bind, remount read-only, propagation, umount, mkdir, symlink,
// write a file, pivot_root) or to the process (a limit, the hostname, a
// namespace joined). Make one with the functions that return an Action
// (OpenFile, Mount, ...); the zero Action is refused.
//
// An Action is data, not code: the parent checks it and converts its
// arguments into the child's program before the clone, and the child makes
// only the system calls it names. That is what makes it safe where a Go
// function would not be: between clone and exec the child may not
// allocate, lock or grow its stack (see the package documentation).
//
// Where actions run, what their descriptors are, and why, is in the
// package documentation ("Actions").
type Action struct {
	kind  actionKind
	fd    int     // the descriptor acted on
	fd2   int     // Dup2's new descriptor
	path  string  // the path acted on: a mount's target, the file opened, made or written
	path2 string  // a second path: a mount's source, a symlink's target
	fs    string  // a mount's file system type
	data  string  // a mount's data, a file's contents, the hostname
	flags uintptr // open, mount or umount flags; a namespace type; a resource
	mode  uint32  // a file's or directory's permissions
	cur   uint64  // Setrlimit's soft limit
	max   uint64  // Setrlimit's hard limit
}

// actionKind is what an Action does; each kind is one Step.
type actionKind uint8

const (
	actOpenFile actionKind = iota + 1
	actCloseFile
	actDup2
	actCloseFrom
	actChdir
	actFchdir
	actTcsetpgrp
	actMount
	actRemountReadOnly
	actPropagation
	actUnmount
	actMkdir
	actSymlink
	actWriteFile
	actPivotRoot
	actSetrlimit
	actSethostname
	actSetns
	actLast = actSetns
)

// OpenFile opens path with flags (syscall.O_RDONLY, O_WRONLY|O_CREAT, ...)
// and mode, as open(2) does, and makes the result the child's descriptor
// fd, replacing what fd was: posix_spawn_file_actions_addopen. The
// descriptor stays open across exec unless flags has O_CLOEXEC.
func OpenFile(fd int, path string, flags int, mode uint32) Action {
	return Action{kind: actOpenFile, fd: fd, path: path, flags: uintptr(flags), mode: mode}
}

// CloseFile closes the child's descriptor fd:
// posix_spawn_file_actions_addclose. Closing a descriptor that is not open
// fails with EBADF.
func CloseFile(fd int) Action { return Action{kind: actCloseFile, fd: fd} }

// Dup2 makes the child's descriptor newfd a copy of oldfd that stays open
// across exec: posix_spawn_file_actions_adddup2. If the two are equal, it
// clears oldfd's close-on-exec flag instead, as POSIX says.
func Dup2(oldfd, newfd int) Action { return Action{kind: actDup2, fd: oldfd, fd2: newfd} }

// CloseFrom closes every descriptor of the child from fd up:
// posix_spawn_file_actions_addclosefrom_np (close_range, Linux 5.9 or
// later). The child's error pipe, when it has one, is kept.
func CloseFrom(fd int) Action { return Action{kind: actCloseFrom, fd: fd} }

// Chdir changes the child's working directory to path:
// posix_spawn_file_actions_addchdir. Unlike ProcAttr.Dir, it runs at the
// actions' place, before Chroot and before the credentials change.
func Chdir(path string) Action { return Action{kind: actChdir, path: path} }

// Fchdir changes the child's working directory to the directory open at
// the child's descriptor fd: posix_spawn_file_actions_addfchdir.
func Fchdir(fd int) Action { return Action{kind: actFchdir, fd: fd} }

// Tcsetpgrp makes the child's process group the foreground process group
// of the terminal open at the child's descriptor fd:
// posix_spawn_file_actions_addtcsetpgrp_np. SIGTTOU is blocked meanwhile,
// so that a child in a background group is not stopped by it.
func Tcsetpgrp(fd int) Action { return Action{kind: actTcsetpgrp, fd: fd} }

// Mount mounts source on target as mount(2) does, with the file system
// type fstype, flags (syscall.MS_*) and data; an empty source, fstype or
// data is passed as NULL. BindMount, RemountReadOnly and Propagation cover
// the usual special cases. Linux only.
func Mount(source, target, fstype string, flags uintptr, data string) Action {
	return Action{kind: actMount, path: target, path2: source, fs: fstype, flags: flags, data: data}
}

// BindMount makes the tree at source visible at target too (MS_BIND),
// with the mounts under source as well if recursive (MS_BIND|MS_REC). A bind
// mount keeps its source's flags; follow it with RemountReadOnly for a
// read-only one. Linux only.
func BindMount(source, target string, recursive bool) Action {
	flags := uintptr(msBind)
	if recursive {
		flags |= msRec
	}
	return Mount(source, target, "", flags, "")
}

// RemountReadOnly makes the mount at target read-only (a bind remount,
// MS_REMOUNT|MS_BIND|MS_RDONLY), keeping its nosuid, nodev, noexec and
// access-time flags. The child reads those flags itself, with statfs(2)
// on target just before the remount, rather than the parent before the
// clone: target may exist only in the child's mount namespace (a bind made
// by an earlier action, a tmpfs of its own), and in a user namespace the
// kernel refuses a remount that would clear flags a more privileged
// namespace set (EPERM), so they must be the mount's own, as it is then.
// It applies to the one mount at target, not to mounts below it. Linux
// only.
func RemountReadOnly(target string) Action {
	return Action{kind: actRemountReadOnly, path: target}
}

// Propagation changes the propagation type of the mount at target: flags
// is one of syscall.MS_PRIVATE, MS_SLAVE, MS_SHARED or MS_UNBINDABLE,
// with MS_REC to change every mount below target too. A child that
// unshares or clones a mount namespace and means to pivot_root into a new
// root usually starts with Propagation("/", MS_REC|MS_PRIVATE) (Unshareflags
// with CLONE_NEWNS does that already). Linux only.
func Propagation(target string, flags uintptr) Action {
	return Action{kind: actPropagation, path: target, flags: flags}
}

// Unmount unmounts target with umount2(2) and flags (syscall.MNT_DETACH,
// ...). Linux only.
func Unmount(target string, flags int) Action {
	return Action{kind: actUnmount, path: target, flags: uintptr(flags)}
}

// Mkdir makes the directory path with permissions perm (before the umask).
func Mkdir(path string, perm uint32) Action { return Action{kind: actMkdir, path: path, mode: perm} }

// Symlink makes newname a symbolic link to oldname, as os.Symlink does.
func Symlink(oldname, newname string) Action {
	return Action{kind: actSymlink, path: newname, path2: oldname}
}

// WriteFile writes data to path in one write(2), creating the file with
// permissions perm if it does not exist and truncating it if it does, as
// os.WriteFile does: for small files such as /proc/self/oom_score_adj, a
// cgroup's control file, or /proc/sys/... in a new namespace. A short
// write fails with EIO. data is copied when the spawn is compiled.
func WriteFile(path string, data []byte, perm uint32) Action {
	return Action{kind: actWriteFile, path: path, data: string(data), mode: perm}
}

// PivotRoot makes newRoot, which must be an absolute path and a mount
// point, the child's root, and detaches and removes the old root: the
// child does chdir(newRoot), pivot_root(".", "."), umount2(".",
// MNT_DETACH), chdir("/"). Pivoting onto "." stacks the old root on the
// new one instead of under a directory of it, so no directory is left
// behind to remove, and once detached the old tree is gone from the
// child's namespace (runc and LXC do the same). Linux only.
func PivotRoot(newRoot string) Action { return Action{kind: actPivotRoot, path: newRoot} }

// Setrlimit sets the child's limit on resource (syscall.RLIMIT_*) to cur
// (soft) and max (hard), as SysProcAttr.Rlimits does but at the actions'
// place. An RLIMIT_NOFILE set here is kept: the child gives back the
// program's original limit only where the limit is still the one the Go
// runtime raised it to.
func Setrlimit(resource int, cur, max uint64) Action {
	return Action{kind: actSetrlimit, flags: uintptr(resource), cur: cur, max: max}
}

// Sethostname sets the hostname of the child's UTS namespace, which should
// be a new one (CLONE_NEWUTS): otherwise it is the host's. Linux only.
func Sethostname(name string) Action { return Action{kind: actSethostname, data: name} }

// Setns makes the child join the namespace open at the child's descriptor
// fd (a /proc/PID/ns/* file or a pidfd), with nstype 0 or the
// syscall.CLONE_NEW* flag it must be, as setns(2) does. Joining a PID
// namespace applies to the program's children, not the program. Linux
// only.
func Setns(fd int, nstype int) Action { return Action{kind: actSetns, fd: fd, flags: uintptr(nstype)} }

// The steps actions report as, one per kind, and StepParentHook. They are
// numbered apart from the others, so that adding steps to either list
// never renumbers the other.
const (
	// StepParentHook is SysProcAttr.ParentHook: as a step of the child,
	// waiting for it to return; as an Error, the hook's failure.
	StepParentHook Step = 96
	// StepKeepPipe is the child moving its error pipe, when it has one,
	// off a descriptor that the next action closes or replaces.
	StepKeepPipe Step = 97

	StepOpenFile        Step = stepFirstAction + Step(actOpenFile) - 1        // child: action OpenFile
	StepCloseFile       Step = stepFirstAction + Step(actCloseFile) - 1       // child: action CloseFile
	StepDup2            Step = stepFirstAction + Step(actDup2) - 1            // child: action Dup2
	StepCloseFrom       Step = stepFirstAction + Step(actCloseFrom) - 1       // child: action CloseFrom
	StepActionChdir     Step = stepFirstAction + Step(actChdir) - 1           // child: action Chdir (ProcAttr.Dir is StepChdir)
	StepActionFchdir    Step = stepFirstAction + Step(actFchdir) - 1          // child: action Fchdir (SysProcAttr.DirFD is StepFchdir)
	StepTcsetpgrp       Step = stepFirstAction + Step(actTcsetpgrp) - 1       // child: action Tcsetpgrp
	StepMount           Step = stepFirstAction + Step(actMount) - 1           // child: action Mount or BindMount
	StepRemountReadOnly Step = stepFirstAction + Step(actRemountReadOnly) - 1 // child: action RemountReadOnly
	StepPropagation     Step = stepFirstAction + Step(actPropagation) - 1     // child: action Propagation
	StepUnmount         Step = stepFirstAction + Step(actUnmount) - 1         // child: action Unmount
	StepMkdir           Step = stepFirstAction + Step(actMkdir) - 1           // child: action Mkdir
	StepSymlink         Step = stepFirstAction + Step(actSymlink) - 1         // child: action Symlink
	StepWriteFile       Step = stepFirstAction + Step(actWriteFile) - 1       // child: action WriteFile
	StepPivotRoot       Step = stepFirstAction + Step(actPivotRoot) - 1       // child: action PivotRoot
	StepSetrlimit       Step = stepFirstAction + Step(actSetrlimit) - 1       // child: action Setrlimit
	StepSethostname     Step = stepFirstAction + Step(actSethostname) - 1     // child: action Sethostname
	StepActionSetns     Step = stepFirstAction + Step(actSetns) - 1           // child: action Setns (SysProcAttr.JoinNamespaces is StepSetns)
)

// stepFirstAction is the Step of the first action kind.
const stepFirstAction Step = 100

// The other steps (error.go's stepNames) must stay below StepParentHook:
// this fails to compile when they reach it.
const _ = uint(StepParentHook) - uint(len(stepNames))

var actionNames = [...]string{
	actOpenFile:        "open",
	actCloseFile:       "close",
	actDup2:            "dup2",
	actCloseFrom:       "close from",
	actChdir:           "chdir",
	actFchdir:          "fchdir",
	actTcsetpgrp:       "tcsetpgrp",
	actMount:           "mount",
	actRemountReadOnly: "remount read-only",
	actPropagation:     "set propagation",
	actUnmount:         "umount",
	actMkdir:           "mkdir",
	actSymlink:         "symlink",
	actWriteFile:       "write file",
	actPivotRoot:       "pivot_root",
	actSetrlimit:       "setrlimit",
	actSethostname:     "sethostname",
	actSetns:           "setns",
}

// IsAction reports whether s is the step of an Action, whose index in
// SysProcAttr.Actions an Error then has in its Action field.
func (s Step) IsAction() bool { return s >= stepFirstAction && s < stepFirstAction+Step(actLast) }

// actionStepName is the String of an action's step or StepParentHook, or
// "" for any other.
func actionStepName(s Step) string {
	switch {
	case s == StepParentHook:
		return "parent hook"
	case s == StepKeepPipe:
		return "move error pipe"
	case s.IsAction():
		return actionNames[s-stepFirstAction+1]
	}
	return ""
}

func (k actionKind) step() Step { return stepFirstAction + Step(k) - 1 }

// checkActions refuses, before anything is started, an action the child
// could not run as meant: a zero Action, a negative descriptor, a NUL byte
// in a path, a relative pivot_root target, an impossible limit.
func checkActions(actions []Action) *Error {
	for i := range actions {
		if err := actions[i].check(); err != "" {
			return &Error{Step: actions[i].kind.step(), Errno: syscall.EINVAL, Detail: err, Index: -1, Action: i}
		}
		if err := checkActionOS(&actions[i]); err != nil {
			err.Action = i
			return err
		}
	}
	return nil
}

// check returns what is wrong with a, or "".
func (a *Action) check() string {
	if a.kind == 0 || a.kind > actLast {
		return "not an Action made by this package (the zero Action?)"
	}
	switch a.kind {
	case actOpenFile, actCloseFile, actCloseFrom, actFchdir, actTcsetpgrp, actSetns:
		if a.fd < 0 {
			return "descriptor " + strconv.Itoa(a.fd) + " is negative"
		}
	case actDup2:
		if a.fd < 0 || a.fd2 < 0 {
			return "descriptor " + strconv.Itoa(min(a.fd, a.fd2)) + " is negative"
		}
	}
	for _, s := range []struct{ what, v string }{{"path", a.path}, {"source", a.path2}, {"file system type", a.fs}} {
		if strings.IndexByte(s.v, 0) >= 0 {
			return s.what + " " + strconv.Quote(s.v) + " contains a NUL byte"
		}
	}
	switch a.kind {
	case actOpenFile, actChdir, actMount, actRemountReadOnly, actPropagation, actUnmount, actMkdir, actWriteFile, actPivotRoot:
		if a.path == "" {
			return "empty path"
		}
	case actSymlink:
		if a.path == "" || a.path2 == "" {
			return "empty path"
		}
	}
	switch a.kind {
	case actMount:
		if strings.IndexByte(a.data, 0) >= 0 {
			return "data contains a NUL byte"
		}
	case actSethostname:
		if strings.IndexByte(a.data, 0) >= 0 {
			return "hostname " + strconv.Quote(a.data) + " contains a NUL byte"
		}
		if len(a.data) > 64 { // HOST_NAME_MAX
			return "hostname longer than 64 bytes"
		}
	case actPivotRoot:
		if a.path[0] != '/' {
			return "new root " + strconv.Quote(a.path) + " is not an absolute path"
		}
	case actPropagation:
		switch a.flags &^ msRec {
		case msPrivate, msSlave, msShared, msUnbindable:
		default:
			return "flags 0x" + strconv.FormatUint(uint64(a.flags), 16) + " are not one of MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE (with MS_REC)"
		}
	case actSetrlimit:
		if a.cur > a.max {
			return "soft limit " + strconv.FormatUint(a.cur, 10) + " above hard limit " + strconv.FormatUint(a.max, 10)
		}
	}
	return ""
}

// Linux's mount flags (syscall.MS_*), which the FreeBSD syscall package
// does not define; there, every action that takes them is refused.
const (
	msBind       = 0x1000
	msRec        = 0x4000
	msUnbindable = 0x20000
	msPrivate    = 0x40000
	msSlave      = 0x80000
	msShared     = 0x100000
)

// opFirstAction is the first operation of SysProcAttr.Actions and
// ParentHook (action_linux.go): a range of its own, far above each OS's
// operations, so that either list can grow without renumbering the other.
// execChild hands every operation from here up to runAction.
const opFirstAction op = 128
