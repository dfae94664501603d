//go:build linux || freebsd

package forkexec

import "syscall"

// InjectFault makes step index of every spawn's program fail with errno
// instead of running, until it is called with errno 0. The spawn is real:
// the child runs every step before index, then reports the fault as that
// step's failure. Not safe for concurrent spawns.
func InjectFault(index int, errno syscall.Errno) {
	testFault.index, testFault.errno = index, errno
}
