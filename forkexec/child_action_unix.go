//go:build linux || freebsd

package forkexec

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// The child's functions for actions that both kernels run the same way.

// keepPipe moves the error pipe off descriptor arg0, which the next step
// (an action) closes or replaces: the report must still reach the parent.
// The copy is close-on-exec, as the pipe is; the old descriptor is left
// for the action.
//
//go:nosplit
//go:norace
//go:nocheckptr
func keepPipe(c *childArgs, s *childStep) syscall.Errno {
	if int(s.arg[0]) != c.pipe {
		return 0
	}
	moved, err := rawFcntl(c.pipe, unix.F_DUPFD_CLOEXEC, c.pipe+1)
	if err == 0 {
		c.pipe = moved
	}
	return err
}

// writeFile writes arg2 bytes at arg1 to the file at arg0, made with mode
// arg3 if need be, in one write.
//
//go:nosplit
//go:norace
//go:nocheckptr
func writeFile(c *childArgs, s *childStep) syscall.Errno {
	fd, err := rawOpenat(unix.AT_FDCWD, (*byte)(c.at(s.arg[0])), syscall.O_WRONLY|syscall.O_CREAT|syscall.O_TRUNC|syscall.O_CLOEXEC|syscall.O_NOCTTY, uint32(s.arg[3]))
	if err != 0 {
		return err
	}
	n, err := rawWrite(fd, c.at(s.arg[1]), s.arg[2])
	if err == 0 && uintptr(n) != s.arg[2] {
		err = syscall.EIO
		c.detail = callShortWrite
	} else if err != 0 {
		c.detail = callWrite
	}
	// Some files (cgroup's, /proc/sys) report a bad value only here.
	if e := rawClose(fd); err == 0 && e != 0 {
		err = e
		c.detail = callWrite
	}
	return err
}
