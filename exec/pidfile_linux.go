package exec

import (
	"os"

	"golang.org/x/sys/unix"
)

// lockFile takes a write lock on all of f: an open file description lock,
// which goes with the descriptor into the child and conflicts with the
// classic fcntl locks other programs (libvirt's virPidFileAcquire) take.
func lockFile(f *os.File) error {
	lk := unix.Flock_t{Type: unix.F_WRLCK}
	return unix.FcntlFlock(f.Fd(), unix.F_OFD_SETLK, &lk)
}

// fileLocked reports whether anyone holds a lock on f that a write lock
// would conflict with.
func fileLocked(f *os.File) (bool, error) {
	lk := unix.Flock_t{Type: unix.F_WRLCK}
	if err := unix.FcntlFlock(f.Fd(), unix.F_OFD_GETLK, &lk); err != nil {
		return false, err
	}
	return lk.Type != unix.F_UNLCK, nil
}
