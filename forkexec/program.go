//go:build linux || freebsd

package forkexec

import (
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// A spawn is compiled, then run. The parent turns ProcAttr and SysProcAttr
// into a program: a flat sequence of steps, each an operation and its
// arguments already converted (C strings, tables, numbers), and the
// decisions that depend on the machine (how to clone, how to report,
// how to close descriptors). The child only runs it: a loop over the steps
// (execChild) and one small nosplit function per operation. Everything the
// child reads is in the program, so nothing another goroutine changes
// after the compile (an attribute, the effective uid) can reach it, and
// nothing is decided twice. The same program, described rather than run,
// is the Plan that NewPlan returns.

// op is what one step of a child's program does.
type op uint8

// The operations both kernels have; each OS adds its own from opFirstOS.
// A step's arguments are listed as the compile writes them.
//
// Operations are grouped by how deep the child's calls go to run them, and
// execChild picks a dispatcher by group: direct ones are one raw system
// call, indirect ones a function that makes raw calls, and deep ones
// (each OS's opFirstOSDeep and up, and placeFiles) go through a dispatcher
// of very few cases, or none. The linker limits the chain of nosplit
// frames to a few hundred bytes, and an unoptimized build (a debugger's)
// gives every call site in a frame its own slots: the groups keep every
// chain within the limit there too. Keep a new operation in its group.
const (
	// Direct.
	opSetsid         op = iota + 1 // setsid()
	opSetpgid                      // setpgid(0, arg0)
	opRuntimeSignals               // the runtime's handlers to SIG_DFL, the saved mask back
	opChroot                       // chroot(C string at arg0)
	opSetgid                       // setgid(arg0)
	opSetuid                       // setuid(arg0)
	opChdir                        // chdir(C string at arg0)
	opNoctty                       // ioctl(0, TIOCNOTTY)
	opSetctty                      // ioctl(arg0, TIOCSCTTY, arg1)
	opExec                         // execve(argv0, argv, envv)
	opUmask                        // umask(arg0)
	opFchdir                       // fchdir(arg0)

	// Indirect.
	opForeground    // tcsetpgrp(arg0 (fd), arg1 or own pid)
	opSetgroups     // setgroups(arg0 (count), uint32s at arg1)
	opRestoreNofile // RLIMIT_NOFILE back to arg0-1 (soft), arg2-3 (hard), 64-bit halves
	opResetSignals  // every signal to SIG_DFL, empty mask
	opPtrace        // ptrace(TRACEME)
	opParkExecFD    // a close-on-exec copy of descriptor arg0 from nextfd up, for the exec

	// Deep, run by execChild itself.
	opPlaceFiles // move ProcAttr.Files into place (placeFiles)

	opFirstOS // first OS-specific operation
)

// The first operation of each group.
const (
	opFirstIndirect = opForeground
)

// childStep is one step of a child's program. Arguments that are strings or
// tables are byte offsets from the start of the program's memory (see
// childArgs.at), so that the program holds no pointers the collector would
// have to scan; the others are numbers.
type childStep struct {
	op uintptr
	// fault, if not zero, is an errno the step fails with instead of
	// running. Only tests set it (InjectFault in export_test.go); in every
	// other program it is zero.
	fault uintptr
	arg   [4]uintptr
}

// stepWords is a childStep's size in words.
const stepWords = int(unsafe.Sizeof(childStep{}) / wordSize)

const wordSize = unsafe.Sizeof(uintptr(0))

// program is a compiled spawn.
//
// All of it lives in one allocation, mem, of pointer-free words: the steps,
// then the tables (argv, envv, Files), then the bytes (strings, id maps,
// groups). So a spawn costs the garbage collector one object that it never
// scans. The argv and envv tables hold addresses inside mem as plain
// integers, for the kernel. That is sound because mem is a heap object the
// collector never moves, and it stays reachable through mem until the child
// has exec'd: callers keep the program alive across the clone with
// runtime.KeepAlive.
type program struct {
	mem   []uintptr
	steps []childStep
	argv0 *byte  // the program path, for Exec and for the exec step
	argv  **byte // argv table
	envv  **byte // environment table
	// fd is the child's scratch copy of ProcAttr.Files, as ints so that -1
	// reads as -1: placeFiles rewrites it. nextfd is above every
	// descriptor fd names and every slot it fills.
	fd     []int
	nextfd int
	// decided is what was decided for this machine and these attributes,
	// with the reasons (see decisions).
	decided decisions
	// nofile is the RLIMIT_NOFILE to restore in the child, if
	// restoreNofile: asked once per spawn, before both passes of the
	// compile, which must see the same answer.
	nofile        syscall.Rlimit
	restoreNofile bool
}

// builder writes a program in two passes over the same compile code: the
// first only counts, so that the second writes into one allocation of
// exactly the right size.
type builder struct {
	p      *program
	sizing bool
	// Counts in the sizing pass, cursors in the writing pass.
	nsteps, nwords, nbytes int
	// Where the areas start in mem, in the writing pass.
	wordsAt, bytesAt uintptr
}

// begin ends the sizing pass: it makes the one allocation and lays out the
// areas, and the writing pass starts.
func (b *builder) begin() {
	bytesWords := (b.nbytes + int(wordSize) - 1) / int(wordSize)
	b.p.mem = make([]uintptr, b.nsteps*stepWords+b.nwords+bytesWords)
	if b.nsteps > 0 { // Exec's program has none, and no room for one
		b.p.steps = unsafe.Slice((*childStep)(unsafe.Pointer(&b.p.mem[0])), b.nsteps)
	}
	b.wordsAt = uintptr(b.nsteps*stepWords) * wordSize
	b.bytesAt = b.wordsAt + uintptr(b.nwords)*wordSize
	b.sizing = false
	b.nsteps, b.nwords, b.nbytes = 0, 0, 0
}

// at returns the address of offset off in mem; nil while sizing.
func (b *builder) at(off uintptr) unsafe.Pointer {
	if b.sizing {
		return nil
	}
	return unsafe.Add(unsafe.Pointer(&b.p.mem[0]), off)
}

// add appends a step doing o with args.
func (b *builder) add(o op, args ...uintptr) {
	if !b.sizing {
		s := &b.p.steps[b.nsteps]
		s.op = uintptr(o)
		copy(s.arg[:], args)
	}
	b.nsteps++
}

// bytes reserves n bytes aligned to align, and returns their offset.
func (b *builder) bytes(n, align int) uintptr {
	b.nbytes = (b.nbytes + align - 1) &^ (align - 1)
	off := b.bytesAt + uintptr(b.nbytes)
	b.nbytes += n
	return off
}

// words reserves n words, and returns their offset.
func (b *builder) words(n int) uintptr {
	off := b.wordsAt + uintptr(b.nwords)*wordSize
	b.nwords += n
	return off
}

// cstring stores s NUL-terminated and returns its offset.
func (b *builder) cstring(s string) uintptr {
	off := b.bytes(len(s)+1, 1)
	if !b.sizing {
		copy(unsafe.Slice((*byte)(b.at(off)), len(s)), s) // the byte after is already 0
	}
	return off
}

// table stores ss as C strings and a NULL-terminated table of their
// addresses, as execve wants argv and envp, and returns the table.
func (b *builder) table(ss []string) **byte {
	t := b.words(len(ss) + 1)
	if b.sizing {
		for _, s := range ss {
			b.cstring(s)
		}
		return nil
	}
	tab := unsafe.Slice((*uintptr)(b.at(t)), len(ss)+1)
	for i, s := range ss {
		tab[i] = uintptr(b.at(b.cstring(s)))
	}
	return (**byte)(b.at(t))
}

// uint32s stores v and returns its offset.
func (b *builder) uint32s(v []uint32) uintptr {
	off := b.bytes(4*len(v), 4)
	if !b.sizing && len(v) > 0 {
		copy(unsafe.Slice((*uint32)(b.at(off)), len(v)), v)
	}
	return off
}

// compile checks argv0, argv and attr and compiles them into p. It allocates
// only when every check has passed, and then once.
func compile(p *program, argv0 string, argv []string, attr *ProcAttr, sys *SysProcAttr) *Error {
	if err := checkStrings(argv0, argv, attr, sys.Chroot); err != nil {
		return err
	}
	if err := checkTTY(attr, sys); err != nil {
		return err
	}
	if err := checkCommon(sys); err != nil {
		return err
	}
	if err := checkSysProcAttr(sys); err != nil {
		return err
	}
	if err := checkActions(sys.Actions); err != nil {
		return err
	}
	p.decided = decide(attr, sys)
	p.nofile, p.restoreNofile = nofileToRestore()
	b := builder{p: p, sizing: true}
	b.program(argv0, argv, attr, sys)
	b.begin()
	b.program(argv0, argv, attr, sys)
	if testFault.errno != 0 && testFault.index < len(p.steps) {
		p.steps[testFault.index].fault = uintptr(testFault.errno)
	}
	return nil
}

// testFault is the step that tests make fail, and how (see InjectFault in
// export_unix_test.go); zero in every other program.
var testFault struct {
	index int
	errno syscall.Errno
}

// program writes the whole program: the exec arguments, the Files table,
// then the steps in the order the child runs them (compileSteps, one per
// OS, is that order).
func (b *builder) program(argv0 string, argv []string, attr *ProcAttr, sys *SysProcAttr) {
	p := b.p
	b.execArgs(argv0, argv, attr.Env)
	// (Not with UseExecFD, where argv0 names nothing the child runs.)
	if freebsdArgv0Quirk && !sys.UseExecFD && len(argv) > 0 && len(argv[0]) > len(argv0) && !b.sizing {
		*p.argv = p.argv0
	}
	fdAt := b.words(len(attr.Files))
	if !b.sizing {
		p.fd = unsafe.Slice((*int)(b.at(fdAt)), len(attr.Files))
		p.nextfd = len(attr.Files)
		for i, f := range attr.Files {
			p.fd[i] = int(f)
			p.nextfd = max(p.nextfd, p.fd[i])
		}
		p.nextfd++
	}
	b.compileSteps(attr, sys)
}

// execArgs writes execve's arguments.
func (b *builder) execArgs(argv0 string, argv, envv []string) {
	b.p.argv0 = (*byte)(b.at(b.cstring(argv0)))
	b.p.argv = b.table(argv)
	b.p.envv = b.table(envv)
}

// compileExec compiles only execve's arguments, for Exec.
func compileExec(p *program, argv0 string, argv, envv []string) *Error {
	if err := checkStrings(argv0, argv, &ProcAttr{Env: envv}, ""); err != nil {
		return err
	}
	b := builder{p: p, sizing: true}
	b.execArgs(argv0, argv, envv)
	b.begin()
	b.execArgs(argv0, argv, envv)
	return nil
}

// Steps both kernels compile the same way.

func (b *builder) addChroot(chroot string) {
	if chroot != "" {
		b.add(opChroot, b.cstring(chroot))
	}
}

// addChdir adds fchdir(DirFD), if asked, then chdir(dir), which is then
// relative to it.
func (b *builder) addChdir(useDirFD bool, dirFD int, dir string) {
	if useDirFD {
		b.add(opFchdir, uintptr(dirFD))
	}
	if dir != "" {
		b.add(opChdir, b.cstring(dir))
	}
}

// addUmask adds umask(mask), if asked.
func (b *builder) addUmask(use bool, mask int) {
	if use {
		b.add(opUmask, uintptr(mask))
	}
}

// addCredential adds setgroups (unless setGroups is false), setgid and
// setuid, in that order: once the uid is dropped the process may no longer
// change the others.
func (b *builder) addCredential(cred *Credential, setGroups bool) {
	if cred == nil {
		return
	}
	if setGroups {
		b.add(opSetgroups, uintptr(len(cred.Groups)), b.uint32s(cred.Groups))
	}
	b.add(opSetgid, uintptr(cred.Gid))
	b.add(opSetuid, uintptr(cred.Uid))
}

// addRestoreNofile adds the step giving the child the RLIMIT_NOFILE the
// program started with, where the syscall package raised it (see
// nofileToRestore).
func (b *builder) addRestoreNofile(rlimits []Rlimit) {
	for _, r := range rlimits {
		if r.Resource == syscall.RLIMIT_NOFILE {
			return // the caller's own limit wins
		}
	}
	if lim := b.p.nofile; b.p.restoreNofile {
		curLo, curHi := split64(uint64(lim.Cur))
		maxLo, maxHi := split64(uint64(lim.Max))
		b.add(opRestoreNofile, curLo, curHi, maxLo, maxHi)
	}
}

// checkTTY checks the terminal fields as the syscall package does, with its
// messages.
func checkTTY(attr *ProcAttr, sys *SysProcAttr) *Error {
	// Both Setctty and Foreground use Ctty, with different meanings.
	if sys.Setctty && sys.Foreground {
		return &Error{Step: StepAttr, Errno: syscall.EINVAL, Detail: "both Setctty and Foreground set in SysProcAttr", Index: -1}
	}
	if sys.Setctty && sys.Ctty >= len(attr.Files) {
		return &Error{Step: StepAttr, Errno: syscall.EINVAL, Detail: "Setctty set but Ctty not valid in child", Index: -1}
	}
	return nil
}

// split64 splits v into two words of 32 bits, low first, so that a 64-bit
// argument fits a step on every architecture; join64 puts it back.
func split64(v uint64) (lo, hi uintptr) { return uintptr(uint32(v)), uintptr(v >> 32) }

//go:nosplit
//go:norace
//go:nocheckptr
func join64(lo, hi uintptr) uint64 { return uint64(uint32(lo)) | uint64(uint32(hi))<<32 }

// addFiles adds the descriptor steps both kernels take in this order: the
// descriptor to exec moved out of the way of Files (whose moves could
// close it), Files moved into place, then CloseFDs by closeFDs, the way
// this kernel closes from n up.
func (b *builder) addFiles(sys *SysProcAttr, n int, closeFDs op) {
	if sys.UseExecFD {
		b.add(opParkExecFD, uintptr(sys.ExecFD))
	}
	b.add(opPlaceFiles)
	if sys.CloseFDs {
		b.add(closeFDs, uintptr(n))
	}
}

// addTerminalToPtrace adds the steps both kernels have between the Files
// shuffle and the last ones, in their order: Noctty and Setctty (after the
// shuffle: here Ctty is an index into Files), RLIMIT_NOFILE restored,
// ResetSignals then SignalMask (late, so that no step can install a
// handler or block a signal after them), and Ptrace as late as possible,
// so that the tracer does not see the child's setup, only the exec
// (go.dev/issue/21428).
//
// Both kernels' SysProcAttr have the fields it reads.
func (b *builder) addTerminalToPtrace(sys *SysProcAttr, cttyArg uintptr) {
	if sys.Noctty {
		b.add(opNoctty)
	}
	if sys.Setctty {
		b.add(opSetctty, uintptr(sys.Ctty), cttyArg)
	}
	b.addRestoreNofile(sys.Rlimits)
	if sys.ResetSignals {
		b.add(opResetSignals)
	}
	b.addSignalMask(opSignalMask, sys.UseSignalMask, sys.SignalMask)
	if sys.Ptrace {
		b.add(opPtrace)
	}
}

// addRuntimeSignals adds the runtime's reset of its own handlers, which
// unblocks signals for the rest of the child's steps, unless ResetSignals
// is set. The signals a step can receive then stay blocked, with the
// parent's handlers still installed, until opResetSignals: that step sets
// every handler to SIG_DFL, the runtime's among them, before it empties
// the mask, so the runtime's reset would only repeat about 64 system
// calls (BenchmarkSetting/setting=resetsignals measures what is left). No
// Go handler can run in the child either way: a signal is unblocked only
// once its handler is SIG_DFL. TestSignalDuringSetup holds both orders to
// that.
func (b *builder) addRuntimeSignals(resetSignals bool) {
	if !resetSignals {
		b.add(opRuntimeSignals)
	}
}

// addExec adds the exec: of argv0 or of the parked descriptor, retrying
// ETXTBSY for retry if positive.
func (b *builder) addExec(byFD bool, fd int, retry time.Duration) {
	switch {
	case retry > 0:
		lo, hi := split64(uint64(retry))
		var useFD uintptr
		if byFD {
			useFD = 1
		}
		b.add(opExecRetry, lo, hi, useFD, uintptr(fd))
	case byFD:
		b.add(opExecFD, uintptr(fd))
	default:
		b.add(opExec)
	}
}

// addRlimits adds a step per resource limit: op with the resource and the
// limit, as the kernel's struct rlimit64 (two 64-bit words), in memory.
func (b *builder) addRlimits(o op, rlimits []Rlimit) {
	for _, r := range rlimits {
		off := b.bytes(16, 8)
		if !b.sizing {
			lim := (*[2]uint64)(b.at(off))
			lim[0], lim[1] = r.Cur, r.Max
		}
		b.add(o, uintptr(r.Resource), off)
	}
}

// addSignalMask adds op with the mask of sigs in memory, as a kernel
// sigset of sigsetBytes: signal n is bit n-1.
func (b *builder) addSignalMask(o op, use bool, sigs []syscall.Signal) {
	if !use {
		return
	}
	off := b.bytes(sigsetBytes, 8)
	if !b.sizing {
		set := unsafe.Slice((*uint64)(b.at(off)), sigsetBytes/8)
		for _, sig := range sigs {
			set[(sig-1)/64] |= 1 << ((sig - 1) % 64)
		}
	}
	b.add(o, off)
}

// checkCommon checks the fields both kernels have beyond the syscall
// package's, so that bad input never reaches a child.
func checkCommon(sys *SysProcAttr) *Error {
	bad := func(step Step, errno syscall.Errno, detail string) *Error {
		return &Error{Step: step, Errno: errno, Detail: detail, Index: -1}
	}
	if sys.UseUmask && (sys.Umask < 0 || sys.Umask > 0o777) {
		return bad(StepUmask, syscall.EINVAL, "Umask "+strconv.FormatInt(int64(sys.Umask), 8)+" outside 0 to 0777")
	}
	for _, r := range sys.Rlimits {
		if r.Resource < 0 || r.Resource >= rlimNLimits {
			return bad(StepRlimit, syscall.EINVAL, "unknown resource "+strconv.Itoa(r.Resource))
		}
		if r.Cur > r.Max {
			return bad(StepRlimit, syscall.EINVAL, rlimitName(r.Resource)+": soft limit "+strconv.FormatUint(r.Cur, 10)+" above hard limit "+strconv.FormatUint(r.Max, 10))
		}
	}
	if sys.UseSignalMask {
		for _, sig := range sys.SignalMask {
			if sig < 1 || sig > lastSignal {
				return bad(StepSignalMask, syscall.EINVAL, "signal "+strconv.Itoa(int(sig)))
			}
		}
	}
	if sys.UseExecFD && sys.ExecFD < 0 {
		return bad(StepExec, syscall.EBADF, "ExecFD "+strconv.Itoa(sys.ExecFD))
	}
	if sys.UseDirFD && sys.DirFD < 0 {
		return bad(StepFchdir, syscall.EBADF, "DirFD "+strconv.Itoa(sys.DirFD))
	}
	return nil
}

// rlimitName names a resource for messages.
func rlimitName(res int) string {
	if res >= 0 && res < len(rlimitNames) && rlimitNames[res] != "" {
		return rlimitNames[res]
	}
	return "resource " + strconv.Itoa(res)
}

// checkStrings checks every string for a NUL byte, which cannot be passed
// to the kernel.
func checkStrings(argv0 string, argv []string, attr *ProcAttr, chroot string) *Error {
	if strings.IndexByte(argv0, 0) >= 0 {
		return nulError("argv0")
	}
	for i, s := range argv {
		if strings.IndexByte(s, 0) >= 0 {
			return nulError("argv[" + strconv.Itoa(i) + "]")
		}
	}
	for i, s := range attr.Env {
		if strings.IndexByte(s, 0) >= 0 {
			return nulError("Env[" + strconv.Itoa(i) + "]")
		}
	}
	// The stdlib converts Chroot before Dir; so do we, so that a NUL in
	// both is reported against the same one.
	if strings.IndexByte(chroot, 0) >= 0 {
		return nulError("Chroot")
	}
	if strings.IndexByte(attr.Dir, 0) >= 0 {
		return nulError("Dir")
	}
	return nil
}

func nulError(what string) *Error {
	return &Error{Step: StepArgs, Errno: syscall.EINVAL, Detail: what + " contains a NUL byte", Index: -1}
}

// cstringAt returns the C string at offset off of p's memory, as a Go
// string: how the parent reads a step's argument back to describe it.
func (p *program) cstringAt(off uintptr) string {
	return goString((*byte)(unsafe.Add(unsafe.Pointer(&p.mem[0]), off)))
}

// goString copies the NUL-terminated string at s.
func goString(s *byte) string {
	n := 0
	for *(*byte)(unsafe.Add(unsafe.Pointer(s), n)) != 0 {
		n++
	}
	return string(unsafe.Slice(s, n))
}

// uint32sAt returns n uint32s at offset off of p's memory, copied.
func (p *program) uint32sAt(off uintptr, n int) []uint32 {
	if n == 0 {
		return nil
	}
	return append([]uint32(nil), unsafe.Slice((*uint32)(unsafe.Add(unsafe.Pointer(&p.mem[0]), off)), n)...)
}

// freebsdArgv0Quirk: on FreeBSD the syscall package replaces an argv[0]
// longer than the program path with the path; kept for drop-in equality.
const freebsdArgv0Quirk = runtime.GOOS == "freebsd"
