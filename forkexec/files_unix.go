//go:build linux || freebsd

package forkexec

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// asDup3Errno turns a failed F_DUPFD_CLOEXEC's errno into the one the
// syscall package's dup3 onto nextfd gives for the same failure: with
// nextfd at or above RLIMIT_NOFILE, fcntl says EINVAL and dup3 EBADF. The
// other failure, EMFILE (every number from nextfd up to the limit taken),
// is forkexec's own: the stdlib's dup3 would replace one of them.
//
//go:nosplit
//go:norace
//go:nocheckptr
func asDup3Errno(err syscall.Errno) syscall.Errno {
	if err == syscall.EINVAL {
		return syscall.EBADF
	}
	return err
}

// parkedSlot marks, in placeFiles' which, a failure to park a slot's
// descriptor rather than to dup it onto the slot.
const parkedSlot = 1 << 30

// placeFiles puts the descriptors of ProcAttr.Files into place in a child:
// descriptor fd[i] becomes i, without close-on-exec; -1 closes i; and 0, 1
// and 2 are closed when Files is shorter. fd is the program's copy of
// Files, which it rewrites; c.pipe is the error pipe's descriptor, or -1,
// and is moved out of the way; nextfd is above every descriptor in fd and
// every slot. On failure c.detail says which move failed: the slot i,
// parkedSlot|i for parking slot i's descriptor, -1 for the pipe.
//
// The move takes two passes because one could lose a descriptor: dup'ing
// fd[i] onto i closes whatever i was, which may be fd[j] for a later j. So
// pass 1 first parks every fd[i] < i, and the pipe, at nextfd or above,
// where no slot reaches; the copies are close-on-exec, so the program does
// not inherit them. Pass 2 then dups each fd[i] onto i; fd[i] == i only has
// its close-on-exec flag cleared, since dup3 refuses to copy a descriptor
// onto itself and dup2 would leave the flag.
//
// Parking takes the lowest free descriptor from nextfd up
// (F_DUPFD_CLOEXEC), so it never replaces one: a descriptor the child
// inherits without Files naming it is left alone, whatever its number.
// The syscall package parks onto nextfd itself with dup3, closing any
// descriptor there (go.dev/issue/61751).
//
//go:nosplit
//go:norace
//go:nocheckptr
func placeFiles(c *childArgs) (err syscall.Errno) {
	fd, nextfd := c.prog.fd, c.prog.nextfd
	if c.pipe >= 0 && c.pipe < nextfd {
		if c.pipe, err = rawFcntl(c.pipe, unix.F_DUPFD_CLOEXEC, nextfd); err != 0 {
			c.detail = -1
			return asDup3Errno(err)
		}
	}
	for i := 0; i < len(fd); i++ {
		if fd[i] >= 0 && fd[i] < i {
			// The lowest free descriptor from nextfd up: see below.
			if fd[i], err = rawFcntl(fd[i], unix.F_DUPFD_CLOEXEC, nextfd); err != 0 {
				c.detail = parkedSlot | int32(i)
				return asDup3Errno(err)
			}
		}
	}
	for i := 0; i < len(fd); i++ {
		switch {
		case fd[i] == -1:
			rawClose(i)
		case fd[i] == i:
			_, err = rawFcntl(i, syscall.F_SETFD, 0)
		default:
			err = dupOnto(fd[i], i)
		}
		if err != 0 {
			c.detail = int32(i)
			return err
		}
	}
	// By convention the program gets 0, 1 and 2 whatever Files says: those
	// Files does not give are closed rather than inherited. Descriptors from
	// 3 up that Files does not name are left alone unless CloseFDs is set,
	// since programs that inherit more know to ask.
	for i := len(fd); i < 3; i++ {
		rawClose(i)
	}
	return 0
}
