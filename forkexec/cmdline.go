//go:build linux || freebsd

package forkexec

import (
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// cmdline is a command in the form execve and the child read: NUL-terminated
// strings, NULL-terminated tables of their addresses, and a scratch copy of
// ProcAttr.Files that the child's descriptor shuffle rewrites.
//
// All of it lives in one allocation, mem, of pointer-free words, so a spawn
// costs the garbage collector one object that it never scans. The tables
// hold addresses inside mem as plain integers. That is sound because mem is
// a heap object the collector never moves, and it stays reachable through
// mem until the child has exec'd: callers keep the cmdline alive across the
// fork with runtime.KeepAlive.
type cmdline struct {
	mem    []uintptr
	argv0  *byte  // the program path
	argv   **byte // argv table
	envv   **byte // environment table
	dir    *byte  // nil when ProcAttr.Dir is empty
	chroot *byte  // nil when SysProcAttr.Chroot is empty
	fd     []int  // copy of ProcAttr.Files, as ints so -1 reads as -1
	// nextfd is above every descriptor fd names and every slot it fills:
	// where the child parks descriptors it must not lose while it moves
	// Files into place.
	nextfd int
}

const wordSize = unsafe.Sizeof(uintptr(0))

// newCmdline checks every string for a NUL byte, which cannot be passed to
// the kernel, and converts them; it allocates only when every check passed.
func newCmdline(argv0 string, argv []string, attr *ProcAttr, chroot string) (c cmdline, err *Error) {
	if strings.IndexByte(argv0, 0) >= 0 {
		return c, nulError("argv0")
	}
	n := len(argv0) + 1
	for i, s := range argv {
		if strings.IndexByte(s, 0) >= 0 {
			return c, nulError("argv[" + strconv.Itoa(i) + "]")
		}
		n += len(s) + 1
	}
	for i, s := range attr.Env {
		if strings.IndexByte(s, 0) >= 0 {
			return c, nulError("Env[" + strconv.Itoa(i) + "]")
		}
		n += len(s) + 1
	}
	// The stdlib converts chroot before Dir; so do we, so that a NUL in both
	// is reported against the same one.
	if strings.IndexByte(chroot, 0) >= 0 {
		return c, nulError("Chroot")
	}
	if chroot != "" {
		n += len(chroot) + 1
	}
	if strings.IndexByte(attr.Dir, 0) >= 0 {
		return c, nulError("Dir")
	}
	if attr.Dir != "" {
		n += len(attr.Dir) + 1
	}

	tables := len(argv) + 1 + len(attr.Env) + 1 + len(attr.Files)
	c.mem = make([]uintptr, tables+(n+int(wordSize)-1)/int(wordSize))
	base := unsafe.Pointer(&c.mem[0])
	strs := unsafe.Slice((*byte)(unsafe.Add(base, uintptr(tables)*wordSize)), n)
	at := 0
	put := func(s string) *byte {
		p := &strs[at]
		at += copy(strs[at:], s) + 1 // the byte after is already 0
		return p
	}
	table := func(start int, ss []string) **byte {
		for i, s := range ss {
			c.mem[start+i] = uintptr(unsafe.Pointer(put(s)))
		}
		return (**byte)(unsafe.Pointer(&c.mem[start]))
	}
	c.argv0 = put(argv0)
	c.argv = table(0, argv)
	c.envv = table(len(argv)+1, attr.Env)
	if chroot != "" {
		c.chroot = put(chroot)
	}
	if attr.Dir != "" {
		c.dir = put(attr.Dir)
	}
	fdStart := len(argv) + 1 + len(attr.Env) + 1
	c.fd = unsafe.Slice((*int)(unsafe.Pointer(&c.mem[fdStart])), len(attr.Files))
	c.nextfd = len(attr.Files)
	for i, f := range attr.Files {
		c.fd[i] = int(f)
		c.nextfd = max(c.nextfd, c.fd[i])
	}
	c.nextfd++
	return c, nil
}

// pathAsArgv0 makes argv[0] point at the program path; the caller makes sure
// argv is not empty.
func (c *cmdline) pathAsArgv0() {
	c.mem[0] = uintptr(unsafe.Pointer(c.argv0))
}

func nulError(what string) *Error {
	return &Error{Step: StepArgs, Errno: syscall.EINVAL, Detail: what + " contains a NUL byte"}
}
