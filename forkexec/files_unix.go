//go:build linux || freebsd

package forkexec

import "syscall"

// placeFiles puts the descriptors of ProcAttr.Files into place in a child:
// descriptor fd[i] becomes i, without close-on-exec; -1 closes i; and 0, 1
// and 2 are closed when Files is shorter. pipe is the error pipe's
// descriptor, or -1; nextfd is above every descriptor in fd and above pipe.
// fd is rewritten. It returns where the pipe now is, and, on failure, the
// slot whose descriptor could not be moved (-1 for the pipe) and the errno.
//
// The move takes two passes because one could lose a descriptor: dup'ing
// fd[i] onto i closes whatever i was, which may be fd[j] for a later j. So
// pass 1 first moves every fd[i] < i, and the pipe, up to nextfd and above,
// where no slot reaches; the copies are close-on-exec, so the program does
// not inherit them. Pass 2 then dups each fd[i] onto i; fd[i] == i only has
// its close-on-exec flag cleared, since dup3 refuses to copy a descriptor
// onto itself and dup2 would leave the flag.
//
//go:nosplit
//go:norace
//go:nocheckptr
func placeFiles(fd []int, nextfd, pipe int) (newPipe, slot int, err syscall.Errno) {
	if pipe >= 0 && pipe < nextfd {
		if err = dupCloexec(pipe, nextfd); err != 0 {
			return pipe, -1, err
		}
		pipe = nextfd
		nextfd++
	}
	for i := 0; i < len(fd); i++ {
		if fd[i] >= 0 && fd[i] < i {
			if nextfd == pipe {
				nextfd++
			}
			if err = dupCloexec(fd[i], nextfd); err != 0 {
				return pipe, i, err
			}
			fd[i] = nextfd
			nextfd++
		}
	}
	for i := 0; i < len(fd); i++ {
		switch {
		case fd[i] == -1:
			rawClose(i)
		case fd[i] == i:
			if _, err = rawFcntl(i, syscall.F_SETFD, 0); err != 0 {
				return pipe, i, err
			}
		default:
			if err = dupOnto(fd[i], i); err != 0 {
				return pipe, i, err
			}
		}
	}
	// By convention the program gets 0, 1 and 2 whatever Files says: those
	// Files does not give are closed rather than inherited. Descriptors from
	// 3 up that Files does not name are left alone unless CloseFDs is set,
	// since programs that inherit more know to ask.
	for i := len(fd); i < 3; i++ {
		rawClose(i)
	}
	return pipe, 0, 0
}
