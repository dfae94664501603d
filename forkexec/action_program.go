//go:build linux || freebsd

package forkexec

import (
	"strconv"
	"unsafe"
)

// How Actions are compiled into a program and described from it, the same
// for both kernels; a FreeBSD program has only the kinds FreeBSD has
// (checkActionOS refuses the others before the compile).

// The operations of SysProcAttr.Actions and ParentHook, grouped like op's,
// each group with its own dispatcher in execChild: runActionDirect for
// those that are one raw call (or one of two), runActionIndirect for those
// that are a function of raw calls. Keep a new one in its group, and each
// function's calls few: a debug build gives every call site its own slots.
const (
	// Direct.
	opActChdir       op = opFirstAction + iota // chdir(C string at arg0)
	opActFchdir                                // fchdir(arg0)
	opActCloseFile                             // close(arg0)
	opActDup2                                  // dup3(arg0, arg1, 0), or clear arg0's close-on-exec if equal
	opActPropagation                           // mount(NULL, arg0, NULL, arg1, NULL)
	opActUnmount                               // umount2(arg0, arg1)
	opActMkdir                                 // mkdirat(AT_FDCWD, arg0, arg1)
	opActSymlink                               // symlinkat(arg1, AT_FDCWD, arg0)
	opActSetrlimit                             // prlimit64(0, arg0, rlimit at arg1, NULL)
	opActSethostname                           // sethostname(arg0, arg1)
	opActSetns                                 // setns(arg0, arg1)

	// Indirect.
	opReleaseParent // tell the parent it may leave the fork hooks (running = 2)
	opWaitHookFutex // tell the parent the child waits for the hook (running = 3), wait on hookDone
	opWaitHookPipe  // wait for the parent's word on the hook pipe
	opKeepPipe      // move the error pipe off arg0, which the next step closes or replaces
	opActOpenFile   // openat(arg0, arg1 (flags), arg2 (mode)) moved onto arg3
	opActMount      // mount(5 words at arg0: source, target, fstype offsets (0: NULL), flags, data offset)
	opActCloseFrom  // close_range(arg0, ~0, 0) around the error pipe
	opActTcsetpgrp  // tcsetpgrp(arg0, getpgrp()), SIGTTOU blocked
	opActRemountRO  // statfs(arg0), then a read-only bind remount keeping its flags
	opActWriteFile  // open arg0 (mode arg3), write arg2 bytes at arg1, close
	opActPivotRoot  // chdir(arg0), pivot_root(".", "."), umount2(".", MNT_DETACH), chdir("/")
)

// The first indirect operation of the range.
const opFirstActionIndirect = opReleaseParent

// actionOps is the operation of each action kind.
var actionOps = [...]op{
	actOpenFile: opActOpenFile, actCloseFile: opActCloseFile, actDup2: opActDup2, actCloseFrom: opActCloseFrom,
	actChdir: opActChdir, actFchdir: opActFchdir, actTcsetpgrp: opActTcsetpgrp, actMount: opActMount,
	actRemountReadOnly: opActRemountRO, actPropagation: opActPropagation, actUnmount: opActUnmount,
	actMkdir: opActMkdir, actSymlink: opActSymlink, actWriteFile: opActWriteFile, actPivotRoot: opActPivotRoot,
	actSetrlimit: opActSetrlimit, actSethostname: opActSethostname, actSetns: opActSetns,
}

// kind returns the action kind an operation runs, or 0 for the hook's
// waits.
func (o op) kind() actionKind {
	for k, ko := range actionOps {
		if ko == o && k != 0 {
			return actionKind(k)
		}
	}
	return 0
}

// addAction converts a, checked already, into its step, after a step
// moving the error pipe out of the way of an action that closes or replaces
// a descriptor, when the child reports through a pipe.
func (b *builder) addAction(a *Action) {
	o := actionOps[a.kind]
	if b.p.decided.reportPipe {
		switch a.kind {
		case actOpenFile, actCloseFile:
			b.add(opKeepPipe, uintptr(a.fd))
		case actDup2:
			b.add(opKeepPipe, uintptr(a.fd2))
		}
	}
	str := func(s string) uintptr { // "" is NULL, offset 0
		if s == "" {
			return 0
		}
		return b.cstring(s)
	}
	raw := func(s string) uintptr { // bytes as they are, for a length-counted argument
		off := b.bytes(len(s), 1)
		if !b.sizing {
			copy(unsafe.Slice((*byte)(b.at(off)), len(s)), s)
		}
		return off
	}
	switch a.kind {
	case actOpenFile:
		b.add(o, b.cstring(a.path), a.flags, uintptr(a.mode), uintptr(a.fd))
	case actCloseFile, actCloseFrom, actFchdir, actTcsetpgrp:
		b.add(o, uintptr(a.fd))
	case actDup2:
		b.add(o, uintptr(a.fd), uintptr(a.fd2))
	case actChdir, actRemountReadOnly, actPivotRoot:
		b.add(o, b.cstring(a.path))
	case actMount:
		at := b.words(5)
		w := [5]uintptr{str(a.path2), b.cstring(a.path), str(a.fs), a.flags, str(a.data)}
		if !b.sizing {
			copy(unsafe.Slice((*uintptr)(b.at(at)), 5), w[:])
		}
		b.add(o, at)
	case actPropagation, actUnmount:
		b.add(o, b.cstring(a.path), a.flags)
	case actMkdir:
		b.add(o, b.cstring(a.path), uintptr(a.mode))
	case actSymlink:
		b.add(o, b.cstring(a.path), b.cstring(a.path2))
	case actWriteFile:
		b.add(o, b.cstring(a.path), raw(a.data), uintptr(len(a.data)), uintptr(a.mode))
	case actSetrlimit:
		at := b.bytes(16, 8)
		if !b.sizing {
			// struct rlimit of two 64-bit words (Linux's rlimit64,
			// FreeBSD's), whatever Go's field types.
			*(*[2]uint64)(b.at(at)) = [2]uint64{a.cur, a.max}
		}
		b.add(o, a.flags, at)
	case actSethostname:
		b.add(o, raw(a.data), uintptr(len(a.data)))
	case actSetns:
		b.add(o, uintptr(a.fd), a.flags)
	}
}

// action rebuilds, from step s of the program, the Action it runs: so that
// a Plan and an Error describe the program as compiled.
func (p *program) action(s *childStep) Action {
	a := Action{kind: op(s.op).kind()}
	str := func(off uintptr) string {
		if off == 0 {
			return ""
		}
		return p.cstringAt(off)
	}
	bytesAt := func(off, n uintptr) string {
		if n == 0 {
			return ""
		}
		return string(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(&p.mem[0]), off)), n))
	}
	arg := s.arg
	switch a.kind {
	case actOpenFile:
		a.path, a.flags, a.mode, a.fd = str(arg[0]), arg[1], uint32(arg[2]), int(arg[3])
	case actCloseFile, actCloseFrom, actFchdir, actTcsetpgrp:
		a.fd = int(arg[0])
	case actDup2:
		a.fd, a.fd2 = int(arg[0]), int(arg[1])
	case actChdir, actRemountReadOnly, actPivotRoot:
		a.path = str(arg[0])
	case actMount:
		w := unsafe.Slice((*uintptr)(unsafe.Add(unsafe.Pointer(&p.mem[0]), arg[0])), 5)
		a.path2, a.path, a.fs, a.flags, a.data = str(w[0]), str(w[1]), str(w[2]), w[3], str(w[4])
	case actPropagation, actUnmount:
		a.path, a.flags = str(arg[0]), arg[1]
	case actMkdir:
		a.path, a.mode = str(arg[0]), uint32(arg[1])
	case actSymlink:
		a.path, a.path2 = str(arg[0]), str(arg[1])
	case actWriteFile:
		a.path, a.data, a.mode = str(arg[0]), bytesAt(arg[1], arg[2]), uint32(arg[3])
	case actSetrlimit:
		lim := (*[2]uint64)(unsafe.Add(unsafe.Pointer(&p.mem[0]), arg[1]))
		a.flags, a.cur, a.max = arg[0], lim[0], lim[1]
	case actSethostname:
		a.data = bytesAt(arg[0], arg[1])
	case actSetns:
		a.fd, a.flags = int(arg[0]), arg[1]
	}
	return a
}

// actionStep is the Step an operation of this range reports as.
func (o op) actionStep() Step {
	if k := o.kind(); k != 0 {
		return k.step()
	}
	if o == opKeepPipe {
		return StepKeepPipe
	}
	return StepParentHook
}

// actionIndex is the index in SysProcAttr.Actions of the action step i
// runs: each action has one step of its kind, in order.
func (p *program) actionIndex(i int) int {
	n := 0
	for j := 0; j < i; j++ {
		if op(p.steps[j].op).kind() != 0 {
			n++
		}
	}
	return n
}

// actionArgs describes a step of this range for a Plan.
func (p *program) actionArgs(s *childStep) string {
	switch op(s.op) {
	case opReleaseParent:
		return "let the parent leave the fork hooks"
	case opWaitHookFutex:
		return "wait on a futex (the child on a stack of its own)"
	case opWaitHookPipe:
		return "wait on a pipe (the child on the fork path)"
	case opKeepPipe:
		return "off fd " + strconv.Itoa(int(s.arg[0]))
	}
	a := p.action(s)
	return a.describe()
}

// actionFailure fills in e, whose step i of this range failed with the
// child's detail d.
func (p *program) actionFailure(e *Error, i int, d int) {
	s := &p.steps[i]
	switch op(s.op) {
	case opKeepPipe:
		e.Detail = "off fd " + strconv.Itoa(int(s.arg[0])) + " for action " + strconv.Itoa(p.actionIndex(i))
		return
	case opReleaseParent, opWaitHookFutex, opWaitHookPipe:
		e.Detail = "wait"
		return
	}
	a := p.action(s)
	e.Action = p.actionIndex(i)
	e.Detail = a.subject()
	if d > 0 && d < len(actionCalls) && actionCalls[d] != "" {
		e.Detail += " (" + actionCalls[d] + ")"
	}
}

// The calls of a multi-call action, for an Error's Detail: a step sets
// childArgs.detail to one of these when that call, not its main one, fails.
const (
	callDup3 = iota + 1
	callStatfs
	callRemount
	callWrite
	callShortWrite
	callPivotRoot
	callUnmountOld
	callChdirRoot
	callBlockTTOU
)

var actionCalls = [...]string{
	callDup3:       "moving it onto the descriptor",
	callStatfs:     "statfs",
	callRemount:    "remount",
	callWrite:      "write",
	callShortWrite: "short write",
	callPivotRoot:  "pivot_root",
	callUnmountOld: "detaching the old root",
	callChdirRoot:  "chdir /",
	callBlockTTOU:  "blocking SIGTTOU",
}

// describe is the action's arguments, for a Plan.
func (a *Action) describe() string {
	fd := func(n int) string { return "fd " + strconv.Itoa(n) }
	hex := func(v uintptr) string { return "0x" + strconv.FormatUint(uint64(v), 16) }
	oct := func(v uint32) string { return "0" + strconv.FormatUint(uint64(v), 8) }
	switch a.kind {
	case actOpenFile:
		return a.path + " onto " + fd(a.fd) + " flags " + hex(a.flags) + " mode " + oct(a.mode)
	case actCloseFile, actFchdir, actTcsetpgrp:
		return fd(a.fd)
	case actDup2:
		return fd(a.fd) + " onto " + strconv.Itoa(a.fd2)
	case actCloseFrom:
		return fd(a.fd) + " up"
	case actChdir, actRemountReadOnly, actPivotRoot:
		return a.path
	case actMount:
		s := strconv.Quote(a.path2) + " on " + a.path
		if a.fs != "" {
			s += " type " + a.fs
		}
		s += " flags " + hex(a.flags)
		if a.data != "" {
			s += " data " + strconv.Quote(a.data)
		}
		return s
	case actPropagation, actUnmount:
		return a.path + " flags " + hex(a.flags)
	case actMkdir:
		return a.path + " mode " + oct(a.mode)
	case actSymlink:
		return a.path + " -> " + a.path2
	case actWriteFile:
		return a.path + " (" + strconv.Itoa(len(a.data)) + " bytes)"
	case actSetrlimit:
		return rlimitName(int(a.flags)) + " soft " + strconv.FormatUint(a.cur, 10) + " hard " + strconv.FormatUint(a.max, 10)
	case actSethostname:
		return strconv.Quote(a.data)
	case actSetns:
		return fd(a.fd) + " type " + hex(a.flags)
	}
	return ""
}

// subject is what an action works on, for an Error's Detail: its path, or
// its descriptor.
func (a *Action) subject() string {
	switch a.kind {
	case actCloseFile, actCloseFrom, actFchdir, actTcsetpgrp, actSetns:
		return "fd " + strconv.Itoa(a.fd)
	case actDup2:
		return "fd " + strconv.Itoa(a.fd) + " onto " + strconv.Itoa(a.fd2)
	case actSethostname:
		return strconv.Quote(a.data)
	case actSetrlimit:
		return rlimitName(int(a.flags))
	}
	return a.path
}

// addActions adds one step per action, in order, at the actions' place in
// the child's sequence (see the package documentation). The steps of the
// actions are one per action and in order, so that the n-th of them is
// action n (actionIndex).
func (b *builder) addActions(actions []Action) {
	for i := range actions {
		b.addAction(&actions[i])
	}
}
