//go:build linux

package forkexec

import (
	"strconv"
	"syscall"
	"unsafe"
)

// The operations only Linux has, in the groups of op.
const (
	// Direct.
	opKeepCaps      op = opFirstOS + iota // prctl(PR_SET_KEEPCAPS, 1)
	opUnshare                             // unshare(arg0)
	opMountPrivate                        // mount("none", "/", MS_REC|MS_PRIVATE)
	opRaiseAmbient                        // raise ambient capability arg0
	opCloseFDsRange                       // close_range(arg0, ~0, CLOSE_RANGE_CLOEXEC)

	// Indirect.
	opWaitIDMapPipe  // wait on the map pipe for the parent's word that the maps are written
	opWaitIDMapFutex // wait on the futex word mapsWritten for the same
	opAmbientPrep    // capabilities arg0 (bits 0-31), arg1 (32-63) permitted and inheritable
	opPdeathsig      // prctl(PR_SET_PDEATHSIG, arg0); signal self if the parent is no longer arg1

	// Deep.
	opWriteIDMap     // write arg2 bytes at arg1 to the file named at arg0; arg3: ENOENT is fine
	opCloseFDsByProc // close-on-exec every descriptor from arg0 up, listing /proc/self/fd
)

// The first Linux operation of each group.
const (
	opFirstOSIndirect = opWaitIDMapPipe
	opFirstOSDeep     = opWriteIDMap
)

// decisions is what a Linux spawn decided before the clone, once, and
// why: the child reads none of it but through its program.
type decisions struct {
	maps       idMapWriter
	path       childPath
	reportPipe bool // the child reports through a pipe, not memory
	clone3     bool // clone3 rather than clone
	// closeByProc: CloseFDs lists /proc/self/fd rather than calling
	// close_range.
	closeByProc bool
	ppid        int // the parent's pid, when Pdeathsig is set

	// The reasons, for NewPlan.
	pathWhy, reportWhy, clone3Why, closeWhy string

	// The formatted uid and gid maps, in the program's memory, for a
	// parent that writes them.
	uidMap, gidMap []byte
}

// decide makes every decision of a spawn that depends on the machine, on
// the process's state or on more than one field, once.
func decide(attr *ProcAttr, sys *SysProcAttr) (d decisions) {
	d.maps = idMapWriterOf(sys)
	d.path, d.pathWhy = pathOf(d.maps)
	switch {
	case d.path == forkPath:
		d.reportPipe, d.reportWhy = true, "the child has a copy of the parent's memory, not the memory itself"
	case !memoryShared():
		d.reportPipe, d.reportWhy = true, "CLONE_VM does not share memory here (an emulator runs vfork as fork)"
	default:
		d.reportWhy = "the child runs in the parent's memory while the parent waits"
	}
	flags := cloneFlags(sys, d.path)
	switch {
	case d.path == ownStackPath:
		d.clone3, d.clone3Why = true, "only clone3 takes a stack with CLONE_CHILD_CLEARTID and a pidfd"
	case sys.UseCgroupFD:
		d.clone3, d.clone3Why = true, "only clone3 can place the child in a cgroup (UseCgroupFD)"
	case flags&cloneNewTime != 0:
		d.clone3, d.clone3Why = true, "CLONE_NEWTIME shares its bit with CSIGNAL in clone"
	case forceClone3:
		d.clone3, d.clone3Why = true, "forced by a test"
	default:
		d.clone3Why = "clone does all that is asked"
	}
	if sys.CloseFDs {
		d.closeByProc = forceCloseFDsByProc || !closeRangeCloexecAvailable()
		if d.closeByProc {
			d.closeWhy = "close_range(CLOSE_RANGE_CLOEXEC) is refused here (Linux before 5.11, or a seccomp policy)"
		} else {
			d.closeWhy = "close_range(CLOSE_RANGE_CLOEXEC) answers"
		}
	}
	if sys.Pdeathsig != 0 {
		// The child compares its parent's pid with this one to find out
		// whether the parent died before Pdeathsig was armed.
		d.ppid = syscall.Getpid()
	}
	return d
}

// cloneNewTime is CLONE_NEWTIME, which x/sys/unix names but syscall does
// not.
const cloneNewTime = 0x80

// compileSteps writes the child's steps in the order they run: the
// syscall package's order, with the extensions at their documented places.
// The package documentation explains each place; keep the two in step.
func (b *builder) compileSteps(attr *ProcAttr, sys *SysProcAttr) {
	d := &b.p.decided
	// Ambient capabilities survive setuid only with keepcaps set before it.
	if len(sys.AmbientCaps) > 0 {
		b.add(opKeepCaps)
	}
	// The maps first: every step below may depend on the ids they define.
	switch {
	case d.maps == childWritesMap:
		b.addIDMapWrites(sys)
	case d.maps == parentWritesMap:
		b.addParentIDMaps(sys)
		if d.path == forkPath {
			b.add(opWaitIDMapPipe)
		} else {
			b.add(opWaitIDMapFutex)
		}
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
	// From here a signal can arrive, and finds no Go handler.
	b.add(opRuntimeSignals)
	if sys.Unshareflags != 0 {
		b.add(opUnshare, sys.Unshareflags)
		if d.maps == childUnshares {
			b.addIDMapWrites(sys)
		}
		// unshare(CLONE_NEWNS) copies the mount tree with its propagation,
		// and a / mounted shared (as systemd mounts it) would carry the
		// child's mounts back to the parent's namespace. Go's model is
		// Plan 9's, a namespace really of one's own, so make / private, as
		// unshare(1) does.
		if sys.Unshareflags&syscall.CLONE_NEWNS == syscall.CLONE_NEWNS {
			b.add(opMountPrivate)
		}
	}
	// chroot before the credentials change: it needs CAP_SYS_CHROOT.
	b.addChroot(sys.Chroot)
	if cred := sys.Credential; cred != nil {
		// A user namespace with setgroups denied refuses setgroups, even
		// of an empty list, so an empty list is not set there.
		denied := sys.GidMappings != nil && !sys.GidMappingsEnableSetgroups && len(cred.Groups) == 0
		b.addCredential(cred, !denied && !cred.NoSetGroups)
	}
	// Ambient capabilities must be permitted and inheritable before they
	// can be raised, and raised after setuid, which clears them.
	if len(sys.AmbientCaps) > 0 {
		var set [2]uintptr
		for _, c := range sys.AmbientCaps {
			set[c>>5] |= 1 << (c & 31) // c < 64, checked before
		}
		b.add(opAmbientPrep, set[0], set[1])
		for _, c := range sys.AmbientCaps {
			b.add(opRaiseAmbient, c)
		}
	}
	// chdir after chroot, so that Dir is inside the new root, and after
	// setuid, so that it is checked with the child's own permissions.
	b.addChdir(attr.Dir)
	// The parent-death signal is cleared by setuid, so it is armed after.
	if sys.Pdeathsig != 0 {
		b.add(opPdeathsig, uintptr(sys.Pdeathsig), uintptr(d.ppid))
	}
	b.add(opPlaceFiles)
	if sys.CloseFDs {
		if d.closeByProc {
			b.add(opCloseFDsByProc, uintptr(len(attr.Files)))
		} else {
			b.add(opCloseFDsRange, uintptr(len(attr.Files)))
		}
	}
	if sys.Noctty {
		b.add(opNoctty)
	}
	// After the shuffle: here Ctty is an index into Files.
	if sys.Setctty {
		b.add(opSetctty, uintptr(sys.Ctty), 1)
	}
	b.addRestoreNofile()
	// Last before ptrace and exec, so no step above can install a handler
	// or block a signal after the reset.
	if sys.ResetSignals {
		b.add(opResetSignals)
	}
	// Tracing starts as late as possible so that the tracer does not see
	// the child's setup, only the exec (go.dev/issue/21428).
	if sys.Ptrace {
		b.add(opPtrace)
	}
	b.add(opExec)
}

// addIDMapWrites adds the steps by which a child writes its own maps, to
// /proc/self, in the stdlib's order: uid_map, then setgroups, which since
// Linux 3.19 must say "deny" before an unprivileged write of gid_map
// succeeds (and before that does not exist, which is fine), then gid_map.
func (b *builder) addIDMapWrites(sys *SysProcAttr) {
	var buf [idMapBuf]byte
	if sys.UidMappings != nil {
		m := appendIDMappings(buf[:0], sys.UidMappings)
		b.add(opWriteIDMap, b.cstring("/proc/self/uid_map"), b.data(m), uintptr(len(m)), 0)
	}
	if sys.GidMappings != nil {
		sg := setgroupsWord(sys)
		b.add(opWriteIDMap, b.cstring("/proc/self/setgroups"), b.cstring(sg), uintptr(len(sg)), 1)
		m := appendIDMappings(buf[:0], sys.GidMappings)
		b.add(opWriteIDMap, b.cstring("/proc/self/gid_map"), b.data(m), uintptr(len(m)), 0)
	}
}

// addParentIDMaps stores the maps for a parent that writes them.
func (b *builder) addParentIDMaps(sys *SysProcAttr) {
	var buf [idMapBuf]byte
	uid := appendIDMappings(buf[:0], sys.UidMappings)
	uidAt, nuid := b.data(uid), len(uid)
	gid := appendIDMappings(buf[:0], sys.GidMappings)
	gidAt, ngid := b.data(gid), len(gid)
	if !b.sizing {
		b.p.decided.uidMap = unsafe.Slice((*byte)(b.at(uidAt)), nuid)
		b.p.decided.gidMap = unsafe.Slice((*byte)(b.at(gidAt)), ngid)
	}
}

// idMapBuf is the size of the stack buffer maps are formatted in before
// they are copied into the program: room for a few lines, so that the
// usual maps cost no allocation of their own.
const idMapBuf = 128

// setgroupsWord is what a child's /proc/PID/setgroups gets.
func setgroupsWord(sys *SysProcAttr) string {
	if sys.GidMappingsEnableSetgroups {
		return "allow"
	}
	return "deny"
}

// osStep is the Step that an operation only Linux has reports as.
func (o op) osStep() Step {
	switch o {
	case opKeepCaps:
		return StepKeepCaps
	case opWriteIDMap, opWaitIDMapPipe, opWaitIDMapFutex:
		return StepIDMap
	case opUnshare:
		return StepUnshare
	case opMountPrivate:
		return StepMountPrivate
	case opAmbientPrep:
		return StepCapabilities
	case opRaiseAmbient:
		return StepAmbientCaps
	case opPdeathsig:
		return StepPdeathsig
	case opCloseFDsRange, opCloseFDsByProc:
		return StepCloseFDs
	}
	return 0
}

// osArgs describes the arguments of an operation only Linux has.
func (p *program) osArgs(s *childStep) string {
	switch op(s.op) {
	case opWriteIDMap:
		return p.cstringAt(s.arg[0])
	case opWaitIDMapPipe:
		return "written by the parent; wait on a pipe"
	case opWaitIDMapFutex:
		return "written by the parent; wait on a futex"
	case opUnshare:
		return "0x" + strconv.FormatUint(uint64(s.arg[0]), 16)
	case opAmbientPrep:
		return "permitted and inheritable 0x" + strconv.FormatUint(join64(s.arg[0], s.arg[1]), 16)
	case opRaiseAmbient:
		return strconv.FormatUint(uint64(s.arg[0]), 10)
	case opPdeathsig:
		return "signal " + strconv.Itoa(int(s.arg[0]))
	case opCloseFDsRange:
		return "from " + strconv.Itoa(int(s.arg[0])) + " by close_range"
	case opCloseFDsByProc:
		return "from " + strconv.Itoa(int(s.arg[0])) + " by /proc/self/fd"
	}
	return ""
}

// decisionList lists what a Linux spawn decided, for NewPlan.
func (d *decisions) list() []Decision {
	l := []Decision{
		{What: "path", Choice: d.path.String(), Why: d.pathWhy},
		{What: "clone", Choice: map[bool]string{false: "clone", true: "clone3"}[d.clone3], Why: d.clone3Why},
		{What: "report", Choice: map[bool]string{false: "memory", true: "pipe"}[d.reportPipe], Why: d.reportWhy},
	}
	if d.maps != noIDMaps {
		l = append(l, Decision{What: "id maps", Choice: d.maps.String(), Why: d.maps.why()})
	}
	if d.closeWhy != "" {
		l = append(l, Decision{What: "close fds", Choice: map[bool]string{false: "close_range", true: "/proc/self/fd"}[d.closeByProc], Why: d.closeWhy})
	}
	return l
}

// osDetail is Error.Detail for a failed operation only Linux has.
func (p *program) osDetail(s *childStep) string {
	switch op(s.op) {
	case opWriteIDMap:
		return p.cstringAt(s.arg[0])
	case opPdeathsig:
		return "signal " + strconv.Itoa(int(s.arg[0]))
	case opRaiseAmbient:
		return strconv.FormatUint(uint64(s.arg[0]), 10)
	}
	return ""
}
