// Package child is vetted by the command's test through go vet -vettool.
package child

import (
	"sync/atomic"
	"syscall"
)

var n int32

//forkexec:child
func child(x int32) {
	atomic.AddInt32(&x, 1)                          // reported: in a race build it calls the race runtime
	syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0) // allowlisted, silent
	syscall.Getpid()                                // reported: not nosplit
}
