// Package bad holds child code in which every childcheck rule fires.
package bad

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"helper"
)

//go:linkname runtimeAfterForkInChild syscall.runtime_AfterForkInChild
func runtimeAfterForkInChild() // want runtimeAfterForkInChild:`funcinfo\(nobody,linkname=syscall.runtime_AfterForkInChild\)`

//go:linkname rawVfork syscall.rawVforkSyscall
func rawVfork(trap, a1, a2, a3 uintptr) (uintptr, syscall.Errno) // want rawVfork:`funcinfo\(nobody,linkname=syscall.rawVforkSyscall\)`

type attr struct {
	word uint32
	fds  []int
	err  error
	m    map[int]int
	ch   chan int
}

type stringer interface{ String() string }

type val int

func (v val) String() string { return "v" }

func (a *attr) bump() { a.fds[0]++ }

var (
	mu      sync.Mutex
	counter int
	table   [4]int
	state   attr
	hook    func()
	last    error
)

// report is reached from forkChild: findings inside carry the chain.
func report(n int) string {
	return fmt.Sprintf("%d", n) // want `childcheck: call to fmt.Sprintf in child path \(forkChild → report\): may allocate; after fork the child must not touch the heap \(the allocator's locks may be held by threads that do not exist in the child\)`
}

//go:nosplit
func nosplitButAllocates(n int) []int { // want nosplitButAllocates:`funcinfo\(nosplit,unsafe\)`
	return make([]int, n) // want `call to builtin make in child path \(forkChild → nosplitButAllocates\): may allocate`
}

func deeper() {
	counter++ // want `write to package-level variable counter in child path \(forkChild → middle → deeper\): the parent may hold it locked`
}

func middle() {
	deeper() // want `call to deeper \(not //go:nosplit\) in child path \(forkChild → middle\): may grow the stack`
}

//forkexec:child
func forkChild(a *attr, s string, b []byte, i interface{}, f func()) error {
	runtimeAfterForkInChild()
	_ = report(1)                  // want `call to report \(not //go:nosplit\) in child path \(forkChild\): may grow the stack; runtime_BeforeFork poisoned the stack guard`
	_ = nosplitButAllocates(2)     // silent at the call: nosplit, but its body is walked
	middle()                       // want `call to middle \(not //go:nosplit\)`
	rawVfork(0, 0, 0, 0)           // want `call to rawVfork \(//go:linkname to syscall.rawVforkSyscall, not on the allowlist\) in child path \(forkChild\): a bodyless //go:linkname declaration`
	helper.Plain(1)                // want `call to helper.Plain \(neither //go:nosplit, assembly nor allowlisted`
	helper.NosplitBad(1)           // want `call to helper.NosplitBad \(//go:nosplit, but it contains: call to builtin make in NosplitBad → grow\) in child path \(forkChild\): may allocate`
	helper.Linked()                // want `call to helper.Linked \(//go:linkname to runtime.someInternal, not on the allowlist\)`
	_ = (&helper.T{}).Get()        // want `address of composite literal &helper.T{...}` `call to \(\*helper.T\).Get \(neither`
	_ = strconv.Itoa(3)            // want `call to strconv.Itoa in child path \(forkChild\): may allocate`
	_ = errors.New("x")            // want `call to errors.New`
	_ = atomic.LoadUint32(&a.word) // want `call to .*LoadUint32 in child path \(forkChild\): may .*`
	mu.Lock()                      // want `call to \(\*sync.Mutex\).Lock in child path \(forkChild\): may take a lock` `pointer method Lock on package-level variable mu takes its address`
	f()                            // want `dynamic call through function value f in child path \(forkChild\): the callee is not known statically`
	hook()                         // want `dynamic call through function value hook`
	_ = i.(stringer).String()      // want `type assertion to interface stringer in child path \(forkChild\): asserting to an interface type may take the itab table lock` `dynamic call of interface method stringer.String`
	sm := val(1).String            // want `method value String \(closure over the receiver\)`
	_ = sm
	g := func() {} // want `func literal \(closure\)`
	_ = g
	defer syscall.RawSyscall(0, 0, 0, 0) // want `defer statement in child path \(forkChild\): defer may allocate a defer record`
	go syscall.RawSyscall(0, 0, 0, 0)    // want `go statement in child path \(forkChild\): starting a goroutine allocates`
	p := new(int)                        // want `call to builtin new`
	a.fds = append(a.fds, *p)            // want `call to builtin append`
	sl := []int{1, 2}                    // want `slice literal \[\]int`
	mp := map[int]int{1: 2}              // want `map literal map\[int\]int`
	_, _ = sl, mp
	bs := []byte(s)            // want `conversion string → \[\]byte`
	s2 := string(b)            // want `conversion \[\]byte → string`
	rs := []rune(s)            // want `conversion string → \[\]rune`
	s3 := string(rune(len(b))) // want `conversion of integer rune to string`
	s4 := s + s2               // want `string concatenation`
	s4 += s3                   // want `string concatenation`
	_, _, _ = bs, rs, s4
	select {} // want `select statement in child path \(forkChild\): channel operations take the channel's lock`
}

//forkexec:child
func forkChild2(a *attr, v val, n int) (error, stringer) {
	a.ch <- 1        // want `channel send`
	<-a.ch           // want `channel receive`
	close(a.ch)      // want `call to builtin close`
	for range a.ch { // want `range over channel`
	}
	a.m[1] = 2           // want `map index`
	_ = a.m[2]           // want `map index`
	delete(a.m, 1)       // want `call to builtin delete in child path \(forkChild2\): map operations hash`
	clear(a.m)           // want `call to builtin clear on a map`
	for k := range a.m { // want `range over map`
		_ = k
	}
	var s stringer = v // want `conversion of val to interface stringer \(initial value\)`
	s = v              // want `conversion of val to interface stringer \(assigned value\)`
	_ = s
	a.err = syscall.Errno(n)      // want `conversion of syscall.Errno to interface error \(assigned value\)`
	takesIface(v)                 // want `conversion of val to interface stringer \(argument\)` `call to takesIface \(not //go:nosplit\)`
	_ = attr{err: syscall.EINVAL} // want `conversion of syscall.Errno to interface error \(field err\)`
	_ = interface{}(n)            // want `conversion of int to interface interface{} \(conversion\)`
	counter = 1                   // want `write to package-level variable counter`
	table[1] = 2                  // want `write to package-level variable table`
	state.fds = nil               // want `write to package-level variable state`
	last = nil                    // want `write to package-level variable last`
	helper.Counter = 3            // want `write to package-level variable Counter`
	_ = &counter                  // want `address of package-level variable counter taken \(it is written elsewhere`
	_ = table[:]                  // want `slicing package-level array table takes its address`
	for counter = range 3 {       // want `write to package-level variable counter`
	}
	state.bump()                 // want `pointer method bump on package-level variable state` `call to \(\*attr\).bump \(not //go:nosplit\)`
	_ = unsafe.Pointer(&counter) // want `address of package-level variable counter converted to unsafe.Pointer`
	println("x")                 // want `call to builtin println \(runtime print lock\)`
	if n > 0 {
		panic("boom") // want `call to builtin panic in child path \(forkChild2\): panic allocates`
	}
	return syscall.Errno(n), v // want `conversion of syscall.Errno to interface error \(returned value\)` `conversion of val to interface stringer \(returned value\)`
}

func takesIface(s stringer) {}

var (
	readBuf [8]byte // never assigned, but the child reads into it
	lazy    [4]byte // assigned by the parent: not constant-like
)

func initLazy() { lazy[0] = 1 }

//go:nosplit
func rawRead(fd int, p unsafe.Pointer, n int) {} // want rawRead:`funcinfo\(nosplit\)`

//go:nosplit
func usePath(p *byte) {} // want usePath:`funcinfo\(nosplit\)`

//forkexec:child
func forkChild5() {
	rawRead(0, unsafe.Pointer(&readBuf[0]), len(readBuf)) // want `address of package-level variable readBuf converted to unsafe.Pointer \(it may be written through\) in child path \(forkChild5\)`
	usePath(&lazy[0])                                     // want `address of package-level variable lazy taken \(it is written elsewhere, or may be written through\)`
	_ = lazy[:]                                           // want `slicing package-level array lazy takes its address`
}

//forkexec:child
func forkChild6(i interface{}) int {
	switch i.(type) {
	case int: // a concrete type: a plain comparison, silent
		return 1
	case stringer: // want `type switch case on interface stringer in child path \(forkChild6\): asserting to an interface type may take the itab table lock`
		return 2
	}
	return 0
}

func pair() (int, val) { return 0, 0 }

//forkexec:child
func forkChild3() (int, stringer) {
	return pair() // want `call to pair \(not //go:nosplit\)` `conversion of val to interface stringer \(returned value 2\)`
}

//forkexec:child
func forkChild4(xs ...int) {
	forkChild4(1, 2)  // want `call to forkChild4 \(not //go:nosplit\)` `variadic call of forkChild4 builds an implicit slice`
	forkChild4(xs...) // want `call to forkChild4 \(not //go:nosplit\)`
	middle()          // want `call to middle \(not //go:nosplit\) in child path \(forkChild4\)`
}
