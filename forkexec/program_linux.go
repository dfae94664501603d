//go:build linux

package forkexec

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The operations only Linux has, in the groups of op.
const (
	// Direct.
	opKeepCaps      op = opFirstOS + iota // prctl(PR_SET_KEEPCAPS, 1)
	opUnshare                             // unshare(arg0)
	opMountPrivate                        // mount("none", "/", MS_REC|MS_PRIVATE)
	opRaiseAmbient                        // raise ambient capability arg0
	opCloseFDsRange                       // close_range(arg0, ~0, CLOSE_RANGE_CLOEXEC)
	opSetns                               // setns(arg0, arg1)
	opSethostname                         // sethostname(bytes at arg0, arg1)
	opSetdomainname                       // setdomainname(bytes at arg0, arg1)
	opRlimit                              // prlimit64(0, arg0, rlimit64 at arg1, nil)
	opSecureBits                          // prctl(PR_SET_SECUREBITS, arg0)
	opNoNewPrivs                          // prctl(PR_SET_NO_NEW_PRIVS, 1)
	opLandlock                            // landlock_restrict_self(arg0, arg1)
	opSignalMask                          // rt_sigprocmask(SIG_SETMASK, sigset at arg0)
	opSeccomp                             // seccomp(SECCOMP_SET_MODE_FILTER, arg0, sock_fprog at arg1)
	opExecFD                              // execveat(the moved exec fd, "", argv, envv, AT_EMPTY_PATH); arg0: the parent's fd

	// Indirect.
	opWaitIDMapPipe  // wait on the map pipe for the parent's word that the maps are written
	opWaitIDMapFutex // wait on the futex word mapsWritten for the same, while the parent is arg0
	opAmbientPrep    // capabilities arg0 (bits 0-31), arg1 (32-63) permitted and inheritable
	opPdeathsig      // prctl(PR_SET_PDEATHSIG, arg0); signal self if the parent is no longer arg1
	opDropBounding   // PR_CAPBSET_DROP every capability in arg0 (0-31), arg1 (32-63)
	opCapset         // the sets at arg0 ([2]CapUserData) where arg1 says (capsPermitted...), the rest as they are
	opExecRetry      // exec (by the parked fd if arg2) retrying ETXTBSY for arg0-arg1 ns

	// Deep.
	opWriteIDMap     // write arg2 bytes at arg1 to the file named at arg0; arg3: ENOENT is fine
	opWriteOOM       // the same, to /proc/self/oom_score_adj
	opCloseFDsByProc // close-on-exec every descriptor from arg0 up, listing /proc/self/fd
)

// Which sets opCapset sets, in its arg1.
const (
	capsPermitted = 1 << iota
	capsEffective
	capsInheritable
)

// rlimNLimits is RLIM_NLIMITS: resources are numbered 0 to 15.
const rlimNLimits = 16

// rlimitNames names the resources, for messages.
var rlimitNames = [...]string{"RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
	"RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING",
	"RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME"}

// The first Linux operation of each group.
const (
	opFirstOSDirect2  = opRlimit
	opFirstOSIndirect = opWaitIDMapPipe
	opFirstOSDeep     = opWriteIDMap
)

// decisions is what a Linux spawn decided before the clone, once, and
// why: the child reads none of it but through its program.
type decisions struct {
	maps       idMapWriter
	path       childPath
	reportPipe bool    // the child reports through a pipe, not memory
	clone3     bool    // clone3 rather than clone
	flags      uintptr // the clone flags, without the exit signal
	// closeByProc: CloseFDs lists /proc/self/fd rather than calling
	// close_range.
	closeByProc bool
	ppid        int // the parent's pid, when Pdeathsig is set or the child waits for the parent

	// The reasons, for NewPlan.
	pathWhy, reportWhy, clone3Why, closeWhy string

	// The formatted uid and gid maps, in the program's memory, for a
	// parent that writes them.
	uidMap, gidMap []byte

	hook hookState // a child waiting for ParentHook (hook_linux.go)
}

// decide makes every decision of a spawn that depends on the machine, on
// the process's state or on more than one field, once.
func decide(attr *ProcAttr, sys *SysProcAttr) (d decisions) {
	d.maps = idMapWriterOf(sys)
	d.path, d.pathWhy = pathOf(d.maps)
	d.withParentHook(sys)
	switch {
	case d.path == forkPath:
		d.reportPipe, d.reportWhy = true, "the child has a copy of the parent's memory, not the memory itself"
	case !memoryShared():
		d.reportPipe, d.reportWhy = true, "CLONE_VM does not share memory here (an emulator runs vfork as fork)"
	default:
		d.reportWhy = "the child runs in the parent's memory while the parent waits"
	}
	d.flags = cloneFlags(sys, d.path)
	switch {
	case d.path == ownStackPath || d.path == hookPath:
		d.clone3, d.clone3Why = true, "only clone3 takes a stack with CLONE_CHILD_CLEARTID and a pidfd"
	case sys.UseCgroupFD:
		d.clone3, d.clone3Why = true, "only clone3 can place the child in a cgroup (UseCgroupFD)"
	case d.flags&cloneNewTime != 0:
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
	if sys.Pdeathsig != 0 || d.path == ownStackPath || d.path == hookPath {
		// The child compares its parent's pid with this one to find out
		// whether the parent died before Pdeathsig was armed, or while
		// it waited for the maps or the hook.
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
	// Ambient capabilities, and the permitted set Capabilities sets after
	// setuid, survive setuid only with keepcaps set before it.
	if len(sys.AmbientCaps) > 0 || sys.Credential != nil && setsCaps(sys.Capabilities) {
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
			b.add(opWaitIDMapFutex, uintptr(d.ppid))
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
	b.addRuntimeSignals(sys.ResetSignals)
	// The runtime's hook above, if any, was the child's last use of the
	// parent's runtime: a parent with a ParentHook may now leave the fork
	// hooks.
	b.addReleaseParent(sys)
	// Existing namespaces before new ones, which are then made inside
	// them, and before the credentials change (see JoinNamespaces).
	b.addJoinNamespaces(sys.JoinNamespaces)
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
	// In the new UTS namespace, made by the clone or the unshare above.
	if sys.Hostname != "" {
		b.add(opSethostname, b.data([]byte(sys.Hostname)), uintptr(len(sys.Hostname)))
	}
	if sys.Domainname != "" {
		b.add(opSetdomainname, b.data([]byte(sys.Domainname)), uintptr(len(sys.Domainname)))
	}
	// Through /proc, before a chroot may hide it, and with the privilege
	// that lowering it needs, before setuid.
	if sys.UseOOMScoreAdj {
		v := strconv.AppendInt(make([]byte, 0, 8), int64(sys.OOMScoreAdj), 10)
		b.add(opWriteOOM, b.cstring("/proc/self/oom_score_adj"), b.data(v), uintptr(len(v)), 0)
	}
	// Raising a hard limit needs CAP_SYS_RESOURCE: before setuid.
	b.addRlimits(opRlimit, sys.Rlimits)
	// The caller's own steps: ParentHook's wait, then Actions. Here, so
	// that they act inside the new namespaces with the ids mapped, and
	// before chroot and the credentials change (see doc.go).
	b.addHookAndActions(sys)
	// chroot before the credentials change: it needs CAP_SYS_CHROOT.
	b.addChroot(sys.Chroot)
	// Securebits and the bounding set need CAP_SETPCAP: before setuid.
	if caps := sys.Capabilities; caps != nil {
		if caps.SecureBits != 0 {
			b.add(opSecureBits, uintptr(caps.SecureBits))
		}
		if caps.Bounding != nil {
			drop := ^capMask(caps.Bounding) & allCaps()
			b.add(opDropBounding, uintptr(uint32(drop)), uintptr(drop>>32))
		}
	}
	if cred := sys.Credential; cred != nil {
		// A user namespace with setgroups denied refuses setgroups, even
		// of an empty list, so an empty list is not set there.
		denied := sys.GidMappings != nil && !sys.GidMappingsEnableSetgroups && len(cred.Groups) == 0
		b.addCredential(cred, !denied && !cred.NoSetGroups)
	}
	// After setuid, which clears the effective set.
	b.addCapset(sys.Capabilities)
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
	b.addChdir(sys.UseDirFD, sys.DirFD, attr.Dir)
	b.addUmask(sys.UseUmask, sys.Umask)
	// The parent-death signal is cleared by setuid, so it is armed after.
	if sys.Pdeathsig != 0 {
		b.add(opPdeathsig, uintptr(sys.Pdeathsig), uintptr(d.ppid))
	}
	// Where Go 1.28 puts them: after Pdeathsig, and before Files are
	// moved, so that LandlockFD is still the parent's number.
	if sys.NoNewPrivs {
		b.add(opNoNewPrivs)
	}
	if sys.UseLandlock {
		b.add(opLandlock, uintptr(sys.LandlockFD), uintptr(sys.LandlockFlags))
	}
	closeFDs := opCloseFDsRange
	if d.closeByProc {
		closeFDs = opCloseFDsByProc
	}
	b.addFiles(sys, len(attr.Files), closeFDs)
	// TIOCSCTTY's argument: 1, steal the terminal if root.
	b.addTerminalToPtrace(sys, 1)
	// The filter judges the program's calls, not the setup's.
	b.addSeccomp(sys.SeccompFilter, sys.SeccompFlags)
	b.addExec(sys.UseExecFD, sys.ExecFD, sys.RetryTextBusy)
}

// addJoinNamespaces adds a setns step per namespace: a user namespace
// first, a mount namespace last, the others in the order given.
func (b *builder) addJoinNamespaces(ns []Namespace) {
	for pass := 0; pass < 3; pass++ {
		for _, n := range ns {
			user, mount := n.Type == syscall.CLONE_NEWUSER, n.Type == syscall.CLONE_NEWNS
			if pass == 0 && user || pass == 1 && !user && !mount || pass == 2 && mount {
				b.add(opSetns, uintptr(n.FD), uintptr(n.Type))
			}
		}
	}
}

// addCapset adds the capset of the sets caps gives, if any.
func (b *builder) addCapset(caps *Capabilities) {
	if !setsCaps(caps) {
		return
	}
	var which uintptr
	var data [2]unix.CapUserData
	set := func(list []uintptr, bit uintptr, field func(*unix.CapUserData) *uint32) {
		if list == nil {
			return
		}
		which |= bit
		m := capMask(list)
		*field(&data[0]), *field(&data[1]) = uint32(m), uint32(m>>32)
	}
	set(caps.Permitted, capsPermitted, func(d *unix.CapUserData) *uint32 { return &d.Permitted })
	set(caps.Effective, capsEffective, func(d *unix.CapUserData) *uint32 { return &d.Effective })
	set(caps.Inheritable, capsInheritable, func(d *unix.CapUserData) *uint32 { return &d.Inheritable })
	off := b.bytes(int(unsafe.Sizeof(data)), 4)
	if !b.sizing {
		*(*[2]unix.CapUserData)(b.at(off)) = data
	}
	b.add(opCapset, off, which)
}

// addSeccomp adds the filter's installation: the instructions and a
// struct sock_fprog pointing at them, in memory.
func (b *builder) addSeccomp(filter []unix.SockFilter, flags uintptr) {
	if filter == nil {
		return
	}
	n := len(filter) * int(unsafe.Sizeof(unix.SockFilter{}))
	insns := b.bytes(n, 8)
	prog := b.bytes(int(unsafe.Sizeof(unix.SockFprog{})), 8)
	if !b.sizing {
		copy(unsafe.Slice((*unix.SockFilter)(b.at(insns)), len(filter)), filter)
		// Written field by field, as numbers: the program's memory holds
		// no Go pointers (the address is inside it).
		*(*uint16)(b.at(prog)) = uint16(len(filter))
		*(*uintptr)(b.at(prog + unsafe.Offsetof(unix.SockFprog{}.Filter))) = uintptr(b.at(insns))
	}
	b.add(opSeccomp, flags, prog)
}

// data stores s as it is and returns its offset.
func (b *builder) data(s []byte) uintptr {
	off := b.bytes(len(s), 1)
	if !b.sizing {
		copy(unsafe.Slice((*byte)(b.at(off)), len(s)), s)
	}
	return off
}

// setsCaps reports whether caps sets any of the sets capset sets.
func setsCaps(caps *Capabilities) bool {
	return caps != nil && (caps.Permitted != nil || caps.Effective != nil || caps.Inheritable != nil)
}

// capMask is the set of caps as a bit mask; each is below 64, checked
// before.
func capMask(caps []uintptr) uint64 {
	var m uint64
	for _, c := range caps {
		m |= 1 << c
	}
	return m
}

// allCaps is the mask of every capability this kernel has.
func allCaps() uint64 {
	last := capLastCap()
	if last >= 63 {
		return ^uint64(0)
	}
	return 1<<(last+1) - 1
}

// capLastCap is the highest capability this kernel knows, from
// /proc/sys/kernel/cap_last_cap (40 on Linux 5.9 and later), read once.
var capLastCap = sync.OnceValue(func() uint {
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err != nil {
		return unix.CAP_LAST_CAP
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n < 0 || n > 63 {
		return unix.CAP_LAST_CAP
	}
	return uint(n)
})

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
	case opCloseFDsByProc:
		return StepCloseFDs

	case opSetns:
		return StepSetns
	case opSethostname:
		return StepHostname
	case opSetdomainname:
		return StepDomainname
	case opWriteOOM:
		return StepOOMScoreAdj
	case opSecureBits:
		return StepSecureBits
	case opDropBounding:
		return StepCapBound
	case opCapset:
		return StepCapabilities
	case opLandlock:
		return StepLandlock
	case opSeccomp:
		return StepSeccomp
	}
	return 0
}

// osArgs describes the arguments of an operation only Linux has.
func (p *program) osArgs(s *childStep) string {
	switch op(s.op) {
	case opWriteIDMap:
		return p.cstringAt(s.arg[0])
	case opWaitIDMapPipe:
		return "by the parent; the child waits on a pipe"
	case opWaitIDMapFutex:
		return "by the parent; the child waits on a futex"
	case opUnshare:
		return "0x" + strconv.FormatUint(uint64(s.arg[0]), 16)
	case opAmbientPrep:
		return "permitted and inheritable 0x" + strconv.FormatUint(join64(s.arg[0], s.arg[1]), 16)
	case opRaiseAmbient:
		return strconv.FormatUint(uint64(s.arg[0]), 10)
	case opSetns:
		return "fd " + strconv.Itoa(int(s.arg[0])) + nsTypeName(int(s.arg[1]))
	case opSethostname, opSetdomainname:
		return string(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(&p.mem[0]), s.arg[0])), s.arg[1]))
	case opWriteOOM:
		return string(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(&p.mem[0]), s.arg[1])), s.arg[2]))
	case opSecureBits:
		return "0x" + strconv.FormatUint(uint64(s.arg[0]), 16)
	case opDropBounding:
		return "all but " + formatCaps(^join64(s.arg[0], s.arg[1])&allCaps())
	case opCapset:
		data := (*[2]unix.CapUserData)(unsafe.Add(unsafe.Pointer(&p.mem[0]), s.arg[0]))
		var parts []string
		for _, f := range []struct {
			bit  uintptr
			name string
			lo   uint32
			hi   uint32
		}{{capsPermitted, "permitted", data[0].Permitted, data[1].Permitted}, {capsEffective, "effective", data[0].Effective, data[1].Effective}, {capsInheritable, "inheritable", data[0].Inheritable, data[1].Inheritable}} {
			if s.arg[1]&f.bit != 0 {
				parts = append(parts, f.name+" "+formatCaps(uint64(f.lo)|uint64(f.hi)<<32))
			}
		}
		return strings.Join(parts, ", ")
	case opLandlock:
		return "fd " + strconv.Itoa(int(s.arg[0])) + " flags 0x" + strconv.FormatUint(uint64(s.arg[1]), 16)
	case opSeccomp:
		n := *(*uint16)(unsafe.Add(unsafe.Pointer(&p.mem[0]), s.arg[1]))
		return strconv.Itoa(int(n)) + " instructions, flags 0x" + strconv.FormatUint(uint64(s.arg[0]), 16)
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
func (p *program) osDetail(s *childStep, detail int) string {
	switch op(s.op) {
	case opWriteIDMap:
		return p.cstringAt(s.arg[0])
	case opRaiseAmbient:
		return strconv.FormatUint(uint64(s.arg[0]), 10)
	case opSetns:
		return "fd " + strconv.Itoa(int(s.arg[0])) + nsTypeName(int(s.arg[1]))
	case opLandlock:
		return "fd " + strconv.Itoa(int(s.arg[0]))
	case opSethostname, opSetdomainname, opWriteOOM, opSecureBits, opCapset, opSeccomp:
		return p.osArgs(s)
	case opDropBounding:
		return "capability " + strconv.Itoa(detail)
	}
	return ""
}

// nsTypeName names a namespace type for a plan, after a space.
func nsTypeName(t int) string {
	for _, n := range []struct {
		flag int
		name string
	}{{syscall.CLONE_NEWUSER, "user"}, {syscall.CLONE_NEWNS, "mnt"}, {syscall.CLONE_NEWPID, "pid"}, {syscall.CLONE_NEWNET, "net"},
		{syscall.CLONE_NEWUTS, "uts"}, {syscall.CLONE_NEWIPC, "ipc"}, {unix.CLONE_NEWCGROUP, "cgroup"}, {cloneNewTime, "time"}} {
		if t == n.flag {
			return " (" + n.name + ")"
		}
	}
	return ""
}

// formatCaps lists the capabilities in mask by number.
func formatCaps(mask uint64) string {
	var s []string
	for c := 0; c < 64; c++ {
		if mask&(1<<c) != 0 {
			s = append(s, strconv.Itoa(c))
		}
	}
	return "[" + strings.Join(s, " ") + "]"
}
