package exec

import (
	"bytes"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// copyOutputs copies a command's stdout and stderr pipes to their writers
// from the calling goroutine, through an epoll instance of its own that
// sits on the runtime's poller as one descriptor: the goroutine parks until
// one of the pipes has data or is at its end, then reads what is ready.
// Output() thus copies both streams without a second goroutine, whose start
// and wake-ups were most of what its stderr cost (about 3% of an Output of
// a no-op program, bench/exec.sh). It reports done only if it copied:
// without an epoll instance it does nothing, and the caller copies as
// before.
//
// Like copier.run, it closes each pipe once its copy ends, and the result
// is the first copier's error, else the first of the others'.
//
// Preconditions: Start found the streams muxable, so cps are the two
// output copiers, with descriptors off the runtime's poller; nothing else
// reads or closes them while it runs (see copyInline).
func copyOutputs(cps []copier) (done bool, err error) {
	if noEpollForTest {
		return false, nil
	}
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return false, nil
	}
	for i, cp := range cps {
		ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(i)}
		if unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, cp.fd, &ev) != nil {
			unix.Close(ep)
			return false, nil
		}
	}
	// An epoll instance is readable while it has events, so the poller
	// can wait on it like on a pipe (nested epoll).
	setNonblock(ep)
	watch := os.NewFile(uintptr(ep), "epoll")
	defer watch.Close()
	conn, err := watch.SyscallConn()
	if err != nil {
		return false, nil
	}

	buf := copyBuffers.Get().(*[32 << 10]byte)
	defer copyBuffers.Put(buf)
	var (
		ended   [maxOutputs]bool
		open    = len(cps)
		events  [maxOutputs]unix.EpollEvent
		waitErr error
	)
	end := func(i int) {
		ended[i] = true
		open--
		cps[i].close() // as copier.run: a writer's failure breaks the pipe
	}
	readErr := conn.Read(func(uintptr) bool {
		for open > 0 {
			n, err := unix.EpollWait(ep, events[:], 0)
			switch {
			case err == syscall.EINTR:
				continue
			case err != nil:
				waitErr = os.NewSyscallError("epoll_wait", err)
				return true
			case n == 0:
				return false // nothing ready: park until something is
			}
			for _, ev := range events[:n] {
				if i := int(ev.Fd); copyReady(&cps[i], buf[:]) {
					unix.EpollCtl(ep, unix.EPOLL_CTL_DEL, cps[i].fd, nil)
					end(i)
				}
			}
		}
		return true
	})
	if waitErr == nil {
		waitErr = readErr
	}
	for i := range cps {
		if !ended[i] { // only after a failure of the wait itself
			end(i)
		}
		if err == nil {
			err = cps[i].err
		}
	}
	if err == nil {
		err = waitErr
	}
	return true, err
}

// muxable reports whether Wait's inline copy can take a command's outputs
// together through copyOutputs: Stdin needs no copy, and Stdout and
// Stderr are two different writers that both do (neither nil nor an
// *os.File) and writesOnly. Start decides this before making the pipes,
// which then stay off the runtime's poller.
func muxable(stdin io.Reader, stdout, stderr io.Writer) bool {
	if _, isFile := stdin.(*os.File); stdin != nil && !isFile {
		return false
	}
	for _, w := range []io.Writer{stdout, stderr} {
		if _, isFile := w.(*os.File); w == nil || isFile || !writesOnly(w) {
			return false
		}
	}
	return !sameWriter(stdout, stderr)
}

// noEpollForTest makes copyOutputs fail as without an epoll instance, for
// the test of the fallback.
var noEpollForTest = false

// maxOutputs is the most output copiers a command has: stdout and stderr.
const maxOutputs = 2

// copyReady reads once from cp's pipe, which epoll said is ready, and
// writes what it read to cp.to. It reports whether cp's copy has ended: at
// the pipe's end, or on an error, left in cp.err as io.Copy would report
// it.
func copyReady(cp *copier, buf []byte) (ended bool) {
	n, err := syscall.Read(cp.fd, buf)
	switch {
	case n > 0:
		w, werr := cp.to.Write(buf[:n])
		if werr == nil && w != n {
			werr = io.ErrShortWrite
		}
		cp.err = werr
		return werr != nil
	case err == syscall.EAGAIN || err == syscall.EINTR:
		return false
	case err != nil:
		cp.err = &os.PathError{Op: "read", Path: "|1", Err: err}
	}
	return true // n == 0: the child's end is closed
}

// writesOnly reports whether w is content to be written to: not an
// io.ReaderFrom, or one whose ReadFrom is only a Write loop of its own
// (this package's buffers, bytes.Buffer).
func writesOnly(w io.Writer) bool {
	switch w.(type) {
	case *collector, *bytes.Buffer:
		return true
	}
	_, readsItself := w.(io.ReaderFrom)
	return !readsItself
}
