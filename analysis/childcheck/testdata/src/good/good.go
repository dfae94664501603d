// Package good holds child code that childcheck must accept silently.
package good

import (
	"syscall"
	"unsafe"

	"helper"
)

//go:linkname runtimeBeforeFork syscall.runtime_BeforeFork
func runtimeBeforeFork() // want runtimeBeforeFork:`funcinfo\(nobody,linkname=syscall.runtime_BeforeFork\)`

//go:linkname runtimeAfterForkInChild syscall.runtime_AfterForkInChild
func runtimeAfterForkInChild() // want runtimeAfterForkInChild:`funcinfo\(nobody,linkname=syscall.runtime_AfterForkInChild\)`

// rawWrite is a nosplit helper that only calls syscall.RawSyscall.
//
//go:nosplit
func rawWrite(fd int, p *byte, n int) syscall.Errno { // want rawWrite:`funcinfo\(nosplit\)`
	_, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(p)), uintptr(n))
	return e
}

// asmHelper is implemented in assembly.
func asmHelper(x uintptr) uintptr // want asmHelper:`funcinfo\(nobody\)`

type attr struct {
	fds    []int
	status int
	buf    [8]byte
	dir    *byte
}

type pair struct{ a, b int }

const msg = "exec failed\n"

var pageSize = 4096 // read only in the child

// devNull is constant-like: never written, so passing its address to a
// system call that reads it is fine.
var devNull = [...]byte{'/', 'd', 'e', 'v', '/', 'n', 'u', 'l', 'l', 0}

//go:nosplit
func rawOpen(path *byte) (int, syscall.Errno) { // want rawOpen:`funcinfo\(nosplit\)`
	fd, _, e := syscall.RawSyscall(syscall.SYS_OPENAT, 0, uintptr(unsafe.Pointer(path)), 0)
	return int(fd), e
}

//forkexec:child
func child(a *attr, argv []*byte) (pid uintptr, err syscall.Errno) {
	runtimeBeforeFork()
	r1, _, e := syscall.RawSyscall6(syscall.SYS_CLONE, 0, 0, 0, 0, 0, 0)
	if e != 0 || r1 != 0 {
		return r1, e // parent (or failure): plain values, no boxing
	}
	runtimeAfterForkInChild()

	var local [16]byte
	p := unsafe.Pointer(&local[0]) // address of a local array
	_ = p
	n := len(local) + cap(argv) // integer arithmetic, builtins len/cap
	n = n*3 + pageSize%7 - int(unsafe.Sizeof(local))
	for i, fd := range a.fds { // loop over a slice
		if fd < i {
			a.fds[i] = n // write through a pointer parameter
		}
	}
	a.status = n // field write through a pointer parameter
	a.buf[0] = 'x'
	copy(local[:], a.buf[:])
	v := pair{a: 1, b: 2} // plain struct value literal
	v.a += v.b
	for i := 0; i < len(msg); i++ {
		local[i%len(local)] = msg[i] // constant string read
	}
	_ = asmHelper(uintptr(v.a))
	_ = helper.Asm(1) + helper.Nosplit(2)
	t := helper.T{N: 3}
	_ = t.Fast()
	_ = helper.Counter // reading another package's variable
	_, _ = rawOpen(&devNull[0])
	_ = devNull[:len(devNull)-1]
	if err := rawWrite(2, &local[0], len(local)); err != 0 {
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, uintptr(err), 0, 0)
	}
	syscall.RawSyscall(syscall.SYS_EXECVE, uintptr(unsafe.Pointer(argv[0])), uintptr(unsafe.Pointer(&argv[0])), 0)
	for {
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 127, 0, 0)
	}
}

// notChild is not marked: anything goes.
func notChild() []int {
	return append([]int{}, make([]int, 3)...)
}
