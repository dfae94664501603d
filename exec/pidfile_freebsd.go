package exec

import (
	"os"

	"golang.org/x/sys/unix"
)

// lockFile takes an exclusive flock(2) lock on f, which belongs to the
// open file description and so goes with the descriptor into the child.
// FreeBSD has no open file description fcntl locks.
func lockFile(f *os.File) error {
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
}

// fileLocked reports whether someone else holds f's flock lock, by trying
// to take it (and giving it back).
func fileLocked(f *os.File) (bool, error) {
	err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if err == unix.EWOULDBLOCK {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return false, unix.Flock(int(f.Fd()), unix.LOCK_UN)
}
