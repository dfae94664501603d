package exec

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ErrPidFileLocked is returned by Start when Cmd.PidFile is locked: the
// process that holds it is still running.
var ErrPidFileLocked = errors.New("exec: pidfile is locked by a running process")

// lockPidFile opens path and takes an exclusive lock on it without
// waiting. The lock belongs to the open file description, not to this
// process, so the child, which inherits the descriptor, keeps it after
// this process closes its copy, until the child exits.
func lockPidFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK) || errors.Is(err, syscall.EACCES) {
			return nil, fmt.Errorf("%w: %s", ErrPidFileLocked, path)
		}
		return nil, &os.PathError{Op: "lock", Path: path, Err: err}
	}
	return f, nil
}

// writePid replaces the pidfile's contents with pid and a newline.
func writePid(f *os.File, pid int) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(pid)+"\n"), 0)
	return err
}

// PidFileOwner reports the pid written in a pidfile of Cmd.PidFile and
// whether the process that holds its lock is still running. A pidfile
// whose lock nobody holds is stale: its pid may belong to anyone by now.
// Between the lock and the write in Start, a running owner's pid reads 0.
// Other programs can test the same lock: on Linux it is an open file
// description lock (F_OFD_SETLK), which fcntl(F_GETLK) and F_SETLK
// see; on FreeBSD, flock(2).
func PidFileOwner(path string) (pid int, running bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return 0, false, err
	}
	pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	running, err = fileLocked(f)
	if err != nil {
		return pid, false, &os.PathError{Op: "test lock", Path: path, Err: err}
	}
	return pid, running, nil
}
