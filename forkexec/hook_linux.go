//go:build linux

package forkexec

import (
	"errors"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// SysProcAttr.ParentHook, and the path that keeps its child vfork-class.
//
// A parent hook runs ordinary Go code while the child waits: it allocates,
// lets the collector run, blocks, moves its goroutine's stack and its
// goroutine to other threads. A vfork child, on the parent's stack, or an
// own-stack child whose stack and arguments are in a Go frame, would have
// them moved or overwritten under it; the syscall package would fork, and
// pay for copying the parent's page tables. Here the child gets memory the
// Go runtime does not own: one anonymous mapping, as glibc's posix_spawn
// maps its child's stack, holding the child's arguments (childArgs, a
// copy of the program's header, the report) and, above a guard page, its
// stack. The child runs in the parent's memory (clone3 with CLONE_VM) on
// that stack, and touches only
//
//   - the mapping, which nothing but this file maps or unmaps, and which
//     is unmapped or handed to another spawn only once the child has
//     exec'd or died;
//   - the program's memory (program.mem), a heap object the collector
//     never moves, kept alive by the spawn (runtime.KeepAlive) until then,
//     and without pointers, so the collector never reads what the child
//     writes there;
//   - read-only data: its code, constant paths, and, once, through the
//     runtime's fork hook, the runtime's signal table and its M's saved
//     signal mask.
//
// That last read is why the parent stays inside the fork hooks (signals
// blocked, its goroutine on its thread, its stack fixed) until the child
// has restored its signals, its first few steps: the runtime's hook reads
// the M through the goroutine the clone happened on, which must still be
// running where it was. The child then says so (running = 2, the step
// "let the parent leave the fork hooks"), and the parent leaves them, free,
// and waits as ordinary Go code, in a blocking futex wait, for the child
// to reach its wait for the hook with its namespaces made (running = 3).
// Then it runs the hook, sets hookDone and waits the same way until the
// kernel zeroes running at the child's exec or exit (CLONE_CHILD_CLEARTID),
// reads the report from the mapping and unmaps it, or keeps it for a later
// spawn (hookAreas). If the hook fails or panics, the parent kills and
// reaps the child first: once reaped it holds no reference to the memory.

// hookState is a spawn's child waiting for ParentHook, from the clone
// (cloneForHook, or forkAndExecInChild on the fork path) to afterClone.
type hookState struct {
	hook func(pid int) error // ParentHook as read at the clone
	area *hookArea           // hook path: the child's mapping
	size uintptr             // its length
	pipe [2]int              // fork path: the hook pipe
}

// hookArea is the start of the child's mapping on the hook path; its stack
// is at the mapping's end.
type hookArea struct {
	c      childArgs
	prog   program // a copy of the spawn's program header: the child reads it
	report childReport
}

// hookStackSize is the child's stack on the hook path; as childStack, ample
// for a nosplit chain and a C signal handler.
const hookStackSize = 32 << 10

// Test hooks, set only by tests before any spawn.
var forceHookFork = false // take the fork path for ParentHook, as architectures without an own stack do

// withParentHook chooses the path of a child with ParentHook.
func (d *decisions) withParentHook(sys *SysProcAttr) {
	d.hook.pipe = [2]int{-1, -1}
	if sys.ParentHook == nil {
		return
	}
	switch {
	case forceHookFork:
		d.path, d.pathWhy = forkPath, "ParentHook runs while the child waits; the fork path forced by a test"
	case !canCloneOnOwnStack:
		d.path, d.pathWhy = forkPath, "ParentHook runs while the child waits, and this architecture has no own-stack clone"
	case !memoryShared():
		d.path, d.pathWhy = forkPath, "ParentHook runs while the child waits, and CLONE_VM does not share memory here"
	case !clone3Available():
		d.path, d.pathWhy = forkPath, "ParentHook runs while the child waits, and clone3 is refused here"
	default:
		d.path, d.pathWhy = hookPath, "ParentHook runs as ordinary Go code while the child waits in the parent's memory on a stack mapped outside the Go heap"
	}
}

// openPipe makes the hook pipe for a child of sys on the fork path with a
// ParentHook, and gives the child its ends.
func (h *hookState) openPipe(c *childArgs, sys *SysProcAttr, path childPath) syscall.Errno {
	c.os.act.hookPipe = [2]int{-1, -1}
	if sys.ParentHook == nil || path != forkPath {
		return 0
	}
	if e := syscall.Pipe2(h.pipe[:], syscall.O_CLOEXEC); e != nil {
		return e.(syscall.Errno)
	}
	h.hook = sys.ParentHook
	c.os.act.hookPipe = h.pipe
	return 0
}

// closePipe closes the hook pipe, if open.
func (h *hookState) closePipe() {
	for i, fd := range h.pipe {
		if fd >= 0 {
			syscall.Close(fd)
			h.pipe[i] = -1
		}
	}
}

// cloneForHook is forkAndExecInChild on the hook path: map the child's
// memory, clone the child onto it, and return once the child waits for the
// hook (or has failed before), outside the fork hooks.
func cloneForHook(p *program, sys *SysProcAttr, report *childReport) (pid int, step Step, err syscall.Errno) {
	h := &p.decided.hook
	area, size, err := getHookArea()
	if err != 0 {
		return 0, StepClone, err
	}
	*area = hookArea{}
	area.prog = *p
	c := &area.c
	c.prog, c.base, c.report, c.pipe, c.execFD = &area.prog, unsafe.Pointer(&p.mem[0]), &area.report, -1, -1
	c.os.mapPipe = [2]int{-1, -1}
	c.os.act.hookPipe = [2]int{-1, -1}
	c.os.act.ppid = p.decided.ppid
	c.os.act.waitTimeout = unix.Timespec{Sec: 1}
	c.os.running.Store(1)
	args := newCloneArgs(&p.decided, sys)
	// The area is not the goroutine's stack: its addresses can be numbers
	// at once.
	args.stack = uint64(uintptr(unsafe.Pointer(area)) + size - hookStackSize)
	args.stackSize = hookStackSize
	args.childTID = uint64(uintptr(unsafe.Pointer(futexWord(&c.os.running))))
	upid, pidfd, err := cloneForHook1(c, sys, &args)
	runtimeAfterFork()
	if err != 0 {
		putHookArea(area, size)
		return 0, StepClone, err
	}
	h.hook, h.area, h.size = sys.ParentHook, area, size
	if sys.PidFD != nil {
		*sys.PidFD = int(pidfd)
	}
	return int(upid), 0, 0
}

// cloneForHook1 clones the child onto its own stack and waits, inside the
// fork hooks, for it to reach its wait for the hook (see the comment at
// the top of this file). It returns in the parent only.
//
//forkexec:child
//go:noinline
//go:norace
//go:nocheckptr
func cloneForHook1(c *childArgs, sys *SysProcAttr, args *cloneArgs) (pid uintptr, pidfd int32, err syscall.Errno) {
	pidfd = -1
	if sys.PidFD != nil {
		args.pidFD = uint64(uintptr(unsafe.Pointer(&pidfd)))
	}
	runtimeBeforeFork()
	pid, err = rawClone3OnStack(args, unsafe.Sizeof(*args), c)
	if err != 0 {
		return
	}
	hookParentPinned(c, sys, int(pid))
	return
}

// hookParentPinned is the parent's part inside the fork hooks: write the id
// maps if the parent writes them, then sleep until the child has restored
// its signals (running 2 or 3) or died (0).
//
//go:nosplit
//go:norace
//go:nocheckptr
func hookParentPinned(c *childArgs, sys *SysProcAttr, pid int) {
	// Plain accesses, as childOSArgs explains: still inside the hooks.
	if c.prog.decided.maps == parentWritesMap {
		written := futexWord(&c.os.mapsWritten)
		*written = 1 + uint32(writeIDMaps(pid, &c.prog.decided, sys))
		rawFutex(written, futexWake, 1, nil)
	}
	running := futexWord(&c.os.running)
	for *running == 1 {
		rawFutex(running, futexWait, 1, nil)
	}
}

// afterClone runs ParentHook for a child that waits for it, then lets the
// child go on; on the hook path it also waits for the child to exec or
// fail and copies its report to report. If the hook fails (or panics), the
// child is killed and reaped first, and the error says so.
func afterClone(p *program, sys *SysProcAttr, pid int, report *childReport) (e *Error) {
	h := &p.decided.hook
	if h.hook == nil {
		return nil
	}
	if h.area == nil {
		return h.releaseByPipe(pid)
	}
	defer func() {
		putHookArea(h.area, h.size)
		h.area = nil
	}()
	c := &h.area.c
	running := futexWord(&c.os.running)
	// Wait, out of the fork hooks now, for the child to reach its wait
	// for the hook (3), its namespaces made, or to fail before (0).
	for v := atomic.LoadUint32(running); v == 2; v = atomic.LoadUint32(running) {
		futex(running, futexWait, v)
	}
	if atomic.LoadUint32(running) == 3 {
		if e := runHook(h.hook, pid); e != nil {
			return e
		}
		done := futexWord(&c.os.act.hookDone)
		atomic.StoreUint32(done, 1)
		futex(done, futexWake, 1)
		// An ordinary blocking wait: the goroutine and its thread are
		// free, and the kernel zeroes running and wakes it at the
		// child's exec or exit.
		for {
			v := atomic.LoadUint32(running)
			if v == 0 {
				break
			}
			futex(running, futexWait, v)
		}
	}
	*report = h.area.report
	return nil
}

// releaseByPipe is afterClone on the fork path: run the hook, then send the
// child the word to go on.
func (h *hookState) releaseByPipe(pid int) *Error {
	defer h.closePipe()
	syscall.Close(h.pipe[0])
	h.pipe[0] = -1
	if e := runHook(h.hook, pid); e != nil {
		return e
	}
	var status syscall.Errno
	// A child that failed before its wait has closed its end: EPIPE, and
	// its report is on the error pipe.
	syscall.Write(h.pipe[1], unsafe.Slice((*byte)(unsafe.Pointer(&status)), unsafe.Sizeof(status)))
	return nil
}

// runHook runs hook(pid); if it fails or panics, it kills and reaps the
// child, which never runs its program.
func runHook(hook func(pid int) error, pid int) (e *Error) {
	ok := false
	defer func() {
		if !ok {
			killAndReap(pid)
		}
	}()
	err := hook(pid)
	if err == nil {
		ok = true
		return nil
	}
	errno := syscall.ECANCELED
	errors.As(err, &errno)
	return &Error{Step: StepParentHook, Errno: errno, Err: err, Index: -1,
		Detail: "for pid " + strconv.Itoa(pid) + " failed; the child was killed and reaped"}
}

// killAndReap kills a child that has not exec'd and waits for it.
func killAndReap(pid int) {
	syscall.Kill(pid, syscall.SIGKILL)
	var ws syscall.WaitStatus
	for {
		if _, e := syscall.Wait4(pid, &ws, 0, nil); e != syscall.EINTR {
			return
		}
	}
}

// futex makes a blocking futex call on w, as the parent's ordinary Go code
// may: the goroutine's thread blocks in the system call, others run on.
func futex(w *uint32, op int, val uint32) {
	syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(w)), uintptr(op), uintptr(val), 0, 0, 0)
}

// hookAreas keeps the mappings of a few children that are done with them,
// for the next spawns: a new mapping costs mmap, mprotect, page faults at
// first touch (dear in a VM) and at munmap a TLB shootdown across the
// parent's threads, together more than the rest of the hook path.
var hookAreas struct {
	sync.Mutex
	free [4]*hookArea
	n    int
}

// getHookArea returns a mapping for a child on the hook path, kept or new.
func getHookArea() (*hookArea, uintptr, syscall.Errno) {
	hookAreas.Lock()
	if hookAreas.n > 0 {
		hookAreas.n--
		area := hookAreas.free[hookAreas.n]
		hookAreas.free[hookAreas.n] = nil
		hookAreas.Unlock()
		return area, hookAreaSize(), 0
	}
	hookAreas.Unlock()
	return mapHookArea()
}

// putHookArea keeps or unmaps the mapping of a child that is done with it:
// that has exec'd or died (running zeroed), or been reaped.
func putHookArea(area *hookArea, size uintptr) {
	hookAreas.Lock()
	if hookAreas.n < len(hookAreas.free) {
		hookAreas.free[hookAreas.n] = area
		hookAreas.n++
		hookAreas.Unlock()
		return
	}
	hookAreas.Unlock()
	unmapHookArea(area, size)
}

// hookAreaSize is the length of a mapping: the hookArea, rounded up to
// pages, a guard page, the stack.
func hookAreaSize() uintptr {
	page := uintptr(syscall.Getpagesize())
	return (unsafe.Sizeof(hookArea{})+page-1)&^(page-1) + page + hookStackSize
}

// mapHookArea maps a child's memory on the hook path: the hookArea at the
// bottom, then a guard page, then the stack at the top.
func mapHookArea() (*hookArea, uintptr, syscall.Errno) {
	page := uintptr(syscall.Getpagesize())
	head := (unsafe.Sizeof(hookArea{}) + page - 1) &^ (page - 1)
	size := head + page + hookStackSize
	mem, err := unix.MmapPtr(-1, 0, nil, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS|unix.MAP_STACK|syscall.MAP_NORESERVE)
	if err != nil {
		return nil, 0, err.(syscall.Errno)
	}
	if err := unix.Mprotect(unsafe.Slice((*byte)(unsafe.Add(mem, head)), page), syscall.PROT_NONE); err != nil {
		unix.MunmapPtr(mem, size)
		return nil, 0, err.(syscall.Errno)
	}
	return (*hookArea)(mem), size, 0
}

// unmapHookArea unmaps a child's memory once the child is done with it.
func unmapHookArea(area *hookArea, size uintptr) {
	runtime.KeepAlive(area)
	unix.MunmapPtr(unsafe.Pointer(area), size)
}
