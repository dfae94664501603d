//go:build freebsd

package forkexec

import "syscall"

// stdlibChildNofile would return the RLIMIT_NOFILE of a child of
// syscall.ForkExec. On FreeBSD the syscall package's child restores the
// original limit unconditionally, and the child's limit could be read with
// the kern.proc.rlimit sysctl from a child stopped at its exec by
// PT_TRACE_ME; with no FreeBSD host to run it on (see the README) that is
// not done, and FreeBSD children keep the raised limit, the documented
// difference.
func stdlibChildNofile() (lim syscall.Rlimit, err error) { return lim, syscall.ENOSYS }

// currentNofile reads this process's RLIMIT_NOFILE.
func currentNofile(lim *syscall.Rlimit) bool {
	return syscall.Getrlimit(syscall.RLIMIT_NOFILE, lim) == nil
}
