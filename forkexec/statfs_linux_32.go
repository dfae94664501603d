//go:build linux && (386 || arm)

package forkexec

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawStatfs is statfs(2) for RemountReadOnly: on 386 and arm, statfs64,
// whose struct is unix.Statfs_t's layout (see statfs_linux.go).
//
//go:nosplit
//go:norace
//go:nocheckptr
func rawStatfs(path *byte, buf *unix.Statfs_t) (err syscall.Errno) {
	_, _, e := syscall.RawSyscall6(unix.SYS_STATFS64, uintptr(unsafe.Pointer(path)), unsafe.Sizeof(*buf), uintptr(unsafe.Pointer(buf)), 0, 0, 0)
	return e
}
