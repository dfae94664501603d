//go:build linux && !386 && !arm

package forkexec

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawStatfs is statfs(2), for RemountReadOnly (child_action_linux.go). It is
// written by hand rather than declared for mksysnb because the call differs
// in its arguments, not only its number, across targets: 386 and arm fill
// unix.Statfs_t only through statfs64, which takes the struct's size too
// (statfs_linux_32.go).
//
//go:nosplit
//go:norace
//go:nocheckptr
func rawStatfs(path *byte, buf *unix.Statfs_t) (err syscall.Errno) {
	_, _, e := syscall.RawSyscall6(unix.SYS_STATFS, uintptr(unsafe.Pointer(path)), uintptr(unsafe.Pointer(buf)), 0, 0, 0, 0)
	return e
}
