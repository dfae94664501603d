package exec

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"

	"github.com/forkexec/forkexec/forkexec"
)

// Start starts the command without waiting for it. On success Process is
// set, and Wait must be called to release what the command holds. A
// failure of the child before exec is an *os.PathError (Op "fork/exec")
// wrapping the *forkexec.Error that names the step.
//
// Start may be called only once, whether or not the first call succeeded.
func (c *Cmd) Start() error {
	if c.started.Swap(true) {
		// Before any cleanup below: the first Start's pipes are in use.
		return errStarted
	}
	c.childFDs = c.childFDsArr[:0]
	if c.parentPipes == nil {
		c.parentPipes = c.parentPipesArr[:0]
	}
	c.copiers = c.copiersArr[:0]
	ok := false
	defer func() {
		for _, fd := range c.childFDs {
			syscall.Close(fd)
		}
		c.childFDs = nil
		closeAll(c.childFiles)
		c.childFiles = nil
		for _, pf := range c.PassFiles {
			if pf.CloseAfterStart && pf.File != nil {
				pf.File.Close()
			}
		}
		c.attr = forkexec.ProcAttr{} // nothing of the caller's kept alive
		if !ok {
			closeAll(c.parentPipes)
			c.closeCopyPipes()
			c.parentPipes, c.copiers = nil, nil
		}
	}()

	if c.Path == "" && c.Err == nil {
		c.Err = errNoCommand
	}
	if c.Err != nil {
		return c.Err
	}
	if c.Cancel != nil && c.ctx == nil {
		return errCancelNoCtx
	}
	if c.ctx != nil {
		if err := c.ctx.Err(); err != nil {
			return err
		}
	}

	if c.Daemonize {
		if err := c.checkDaemonizable(); err != nil {
			return err
		}
	}
	files, err := c.childDescriptors()
	if err != nil {
		return err
	}
	env, err := c.environ()
	if err != nil {
		return err
	}
	var pidFile *os.File
	pidFileFD := -1
	if c.PidFile != "" {
		if pidFile, err = lockPidFile(c.PidFile); err != nil {
			return err
		}
		defer pidFile.Close() // the child holds the lock through its copy
		pidFileFD = len(files)
		files = append(files, pidFile.Fd())
	}

	c.applyDefaults()
	if c.Daemonize {
		if err := c.startDaemon(files, env, pidFileFD); err != nil {
			return &os.PathError{Op: "fork/exec", Path: c.Path, Err: err}
		}
		ok = true
		return nil
	}
	c.attr = forkexec.ProcAttr{Dir: c.Dir, Env: env, Files: files, Sys: &c.sys}
	if err := c.startProcess(); err != nil {
		return &os.PathError{Op: "fork/exec", Path: c.Path, Err: err}
	}
	ok = true

	if pidFile != nil {
		if err := writePid(pidFile, c.Process.Pid); err != nil {
			// The child runs, and Wait is still owed; say what went wrong
			// without pretending it did not start.
			c.startBackground()
			return fmt.Errorf("exec: writing pidfile %s: %w", c.PidFile, err)
		}
	}
	c.startBackground()
	return nil
}

// checkDaemonizable refuses what Daemonize cannot do.
func (c *Cmd) checkDaemonizable() error {
	for _, s := range []any{c.Stdin, c.Stdout, c.Stderr} {
		if _, isFile := s.(*os.File); s != nil && !isFile {
			return errors.New("exec: Daemonize needs Stdin, Stdout and Stderr to be nil or *os.File")
		}
	}
	if c.SysProcAttr != nil && c.SysProcAttr.Chroot != "" {
		return errors.New("exec: Daemonize with Chroot is not supported")
	}
	return nil
}

// startBackground starts the copying goroutines (unless Run lets Wait do
// the copying) and the Context watcher.
func (c *Cmd) startBackground() {
	if len(c.copiers) > 0 && !c.runInline {
		c.copying = startCopies(c.copiers)
	}
	// A Cmd from CommandContext whose Cancel was set back to nil and which
	// has no WaitDelay has nothing to do when the Context is done.
	if c.ctx != nil && c.ctx.Done() != nil && (c.Cancel != nil || c.WaitDelay != 0) {
		c.watcher = make(chan watchResult)
		go c.watchContext(c.watcher)
	}
}

func (c *Cmd) argv() []string {
	if len(c.Args) > 0 {
		return c.Args
	}
	return []string{c.Path}
}

// applyDefaults sets c.sys to a copy of SysProcAttr with this package's
// defaults: the caller's value is never modified.
func (c *Cmd) applyDefaults() {
	c.sys = forkexec.SysProcAttr{}
	if c.SysProcAttr != nil {
		c.sys = *c.SysProcAttr
	}
	c.sys.CloseFDs = c.sys.CloseFDs || !c.InheritFDs
	c.sys.ResetSignals = c.sys.ResetSignals || !c.InheritSignals
}

// noFile marks a descriptor number the child should not have open, as
// the syscall package's -1 does.
const noFile = ^uintptr(0)

// childDescriptors returns the child's descriptors, index = number:
// stdin, stdout, stderr, ExtraFiles, then PassFiles at their numbers.
func (c *Cmd) childDescriptors() ([]uintptr, error) {
	taken := 3 + len(c.ExtraFiles)
	n := taken
	for _, pf := range c.PassFiles {
		if pf.FD < taken || pf.File == nil {
			return nil, fmt.Errorf("exec: PassFile at %d: the number is taken by stdio or ExtraFiles, or File is nil", pf.FD)
		}
		n = max(n, pf.FD+1)
	}
	var files []uintptr
	if n < len(c.files) { // < leaves room for the pidfile
		files = c.files[:n]
	} else {
		files = make([]uintptr, n, n+1)
	}
	for i := range files {
		files[i] = noFile
	}
	c.muxOutputs = c.runInline && muxable(c.Stdin, c.Stdout, c.Stderr)
	var err error
	if files[0], err = c.stdinDescriptor(); err != nil {
		return nil, err
	}
	if files[1], err = c.outputDescriptor(c.Stdout); err != nil {
		return nil, err
	}
	if c.Stderr != nil && sameWriter(c.Stderr, c.Stdout) {
		files[2] = files[1]
	} else if files[2], err = c.outputDescriptor(c.Stderr); err != nil {
		return nil, err
	}
	for i, f := range c.ExtraFiles {
		if f != nil {
			files[3+i] = f.Fd()
		}
	}
	for _, pf := range c.PassFiles {
		if files[pf.FD] != noFile {
			return nil, fmt.Errorf("exec: PassFile at %d: number given twice", pf.FD)
		}
		files[pf.FD] = pf.File.Fd()
	}
	return files, nil
}

// stdinDescriptor returns the child's descriptor 0 for Stdin.
func (c *Cmd) stdinDescriptor() (uintptr, error) {
	switch in := c.Stdin.(type) {
	case nil:
		return devNull(syscall.O_RDONLY)
	case *os.File:
		return in.Fd(), nil
	}
	child, ours, fd, err := c.copyPipe(false)
	if err != nil {
		return 0, err
	}
	c.copiers = append(c.copiers, copier{pipe: ours, fd: fd, from: c.Stdin})
	return child, nil
}

// outputDescriptor returns the child's descriptor for an output stream.
func (c *Cmd) outputDescriptor(dst io.Writer) (uintptr, error) {
	switch out := dst.(type) {
	case nil:
		return devNull(syscall.O_WRONLY)
	case *os.File:
		return out.Fd(), nil
	}
	child, ours, fd, err := c.copyPipe(true)
	if err != nil {
		return 0, err
	}
	c.copiers = append(c.copiers, copier{pipe: ours, fd: fd, to: dst})
	return child, nil
}

// copyPipe makes a pipe for a copying goroutine. The child's end stays a
// bare descriptor, in blocking mode, closed once the child has it; ours is
// non-blocking, and fd is its descriptor. Ours is also an *os.File on the
// runtime's poller, so that copying holds no thread, unless Wait will copy
// every output through copyOutputs (c.muxOutputs): that watches the
// descriptors itself, and a registration with the poller would only add
// system calls and wake-ups nobody waits for.
func (c *Cmd) copyPipe(childWrites bool) (child uintptr, ours *os.File, fd int, err error) {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		return 0, nil, -1, os.NewSyscallError("pipe2", err)
	}
	childEnd, ourEnd, name := p[0], p[1], "|0"
	if childWrites {
		childEnd, ourEnd, name = p[1], p[0], "|1"
	}
	c.childFDs = append(c.childFDs, childEnd)
	setNonblock(ourEnd) // os.NewFile polls only non-blocking descriptors
	if childWrites && c.muxOutputs {
		return uintptr(childEnd), nil, ourEnd, nil
	}
	ours = os.NewFile(uintptr(ourEnd), name)
	return uintptr(childEnd), ours, ourEnd, nil
}

// sameWriter reports whether a and b are the same writer, as os/exec
// compares them: with ==, where a type that cannot be compared is never
// the same.
func sameWriter(a, b io.Writer) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}

// devNullFDs are /dev/null opened read-only and write-only, once, for
// every child's missing streams: opening it per stream per child costs
// a system call and allocations each time for the same result.
var devNullFDs = sync.OnceValues(func() ([2]int, error) {
	var fds [2]int
	for i, mode := range [2]int{syscall.O_RDONLY, syscall.O_WRONLY} {
		fd, err := syscall.Open(os.DevNull, mode|syscall.O_CLOEXEC, 0)
		if err != nil {
			return fds, &os.PathError{Op: "open", Path: os.DevNull, Err: err}
		}
		fds[i] = fd
	}
	return fds, nil
})

func devNull(mode int) (uintptr, error) {
	fds, err := devNullFDs()
	if err != nil {
		return 0, err
	}
	if mode == syscall.O_WRONLY {
		return uintptr(fds[1]), nil
	}
	return uintptr(fds[0]), nil
}

func closeAll[F io.Closer](files []F) {
	for _, f := range files {
		f.Close()
	}
}

// setNonblock makes a descriptor this package just made (a pipe end, a
// pidfd) non-blocking with one fcntl: it has no other status flag to keep,
// so there is none to read first as syscall.SetNonblock does. F_SETFL
// never blocks, so the call need not tell the scheduler (RawSyscall).
func setNonblock(fd int) {
	syscall.RawSyscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFL, syscall.O_NONBLOCK)
}
