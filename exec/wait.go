package exec

import (
	"errors"
	"io"
	"os"
	"sync"
	"syscall"
	"time"
)

// Wait waits for the started command to exit and for the copying to its
// stdin and from its stdout and stderr to end, then releases what the
// command held (pipes, the pidfd). It sets ProcessState.
//
// The error is nil if the command exited 0 and its I/O went well; an
// *ExitError for an unsuccessful exit (unless IgnoreExitStatus); the
// Context's error, a wrapped Cancel error or ErrWaitDelay as CommandContext
// and WaitDelay describe; or an I/O error. Wait may be called only once.
//
// On Linux with pidfds, the waiting goroutine is parked on the runtime's
// poller, not in a system call: it holds no OS thread while the child runs.
func (c *Cmd) Wait() error {
	if c.Process == nil {
		return errNotStarted
	}
	if c.waited {
		return errWaited
	}
	c.waited = true
	if c.Daemonize {
		c.ProcessState = c.middleState
		c.Process.Release() // its pidfd; the daemon is not ours to wait for
		return nil
	}

	var inlineErr error
	if c.runInline && len(c.copiers) > 0 {
		inlineErr = c.copyInline()
	}

	c.exit.wait()
	state, err := c.Process.Wait() // after exit.wait, this reaps at once
	c.exit.close()
	if err != nil {
		// Reaped by someone else (SIGCHLD ignored, say): the os package
		// would keep its pidfd until the Process is collected.
		c.Process.Release()
	}
	if err == nil && !state.Success() && !c.IgnoreExitStatus {
		err = &ExitError{ProcessState: state}
	}
	c.ProcessState = state

	var delay *time.Timer
	if c.watcher != nil {
		r := <-c.watcher
		delay = r.delay
		if err == nil {
			err = r.err
		}
	}
	copyErr := c.awaitCopies(delay)
	if inlineErr != nil {
		copyErr = inlineErr
	}
	if err == nil {
		// A copy error after an abnormal exit is likely its consequence,
		// so only a clean exit reports it.
		err = copyErr
	}
	closeAll(c.parentPipes)
	c.parentPipes, c.copiers = nil, nil
	return err
}

// copyInline does the copies Run left to Wait, in this goroutine: every
// output together where copyOutputs can, else the first here and the
// others in goroutines of their own. It returns the first copier's error,
// else the first of the others'.
//
// Precondition: Run set runInline, so WaitDelay is 0 and nothing else
// closes the pipes while the copies run (neither the Context watcher nor
// awaitCopies does without a WaitDelay).
func (c *Cmd) copyInline() error {
	if c.muxOutputs {
		if done, err := copyOutputs(c.copiers); done {
			return err
		}
		// No epoll instance after all: the goroutines' copies below
		// read through the poller.
		for i := range c.copiers {
			cp := &c.copiers[i]
			cp.pipe = os.NewFile(uintptr(cp.fd), "|1") // copyPipe's name for an output
		}
	}
	for i := range c.copiers[1:] {
		cp := &c.copiers[1+i]
		c.inlineCopies.Go(func() { cp.err = cp.run() })
	}
	err := c.copiers[0].run()
	c.inlineCopies.Wait()
	for _, cp := range c.copiers[1:] {
		if err == nil {
			err = cp.err
		}
	}
	return err
}

// closeCopyPipes closes our ends of the copying pipes, which makes the
// copies stop, for a failed Start and when WaitDelay runs out.
func (c *Cmd) closeCopyPipes() {
	for _, cp := range c.copiers {
		cp.close()
	}
}

// watchResult is what the Context watcher hands to Wait: the error the
// cancellation caused, and the WaitDelay timer if it is running.
type watchResult struct {
	err   error
	delay *time.Timer
}

// watchContext runs from Start to Wait for a Cmd with a Context. If the
// Context is done first, it calls Cancel and, after WaitDelay, kills the
// process and cuts the copying short. Wait receives exactly one result.
func (c *Cmd) watchContext(results chan<- watchResult) {
	select {
	case results <- watchResult{}:
		return // the process exited before the Context was done
	case <-c.ctx.Done():
	}

	var err error
	if c.Cancel != nil {
		switch cerr := c.Cancel(); {
		case cerr == nil:
			// From here on the outcome may be the cancellation's doing,
			// even a zero exit status.
			err = c.ctx.Err()
		case errors.Is(cerr, os.ErrProcessDone):
			// It had exited; Wait just had not seen it yet.
		default:
			err = prefixedError{"exec: canceling Cmd", cerr}
		}
	}
	if c.WaitDelay == 0 {
		results <- watchResult{err: err}
		return
	}

	delay := time.NewTimer(c.WaitDelay)
	select {
	case results <- watchResult{err: err, delay: delay}:
		return // exited in time; Wait bounds the copying with the rest of the delay
	case <-delay.C:
	}

	killed := false
	if kerr := c.Process.Kill(); kerr == nil {
		killed = true
	} else if !errors.Is(kerr, os.ErrProcessDone) {
		err = prefixedError{"exec: killing Cmd", kerr}
	}
	if g := c.copying; g != nil {
		c.copying = nil // Wait must not wait for it again
		select {
		case copyErr := <-g.done:
			// Finished by itself: its error counts unless the signals
			// above may have caused it.
			if err == nil && !killed {
				err = copyErr
			}
		default:
			// Something (a grandchild, say) holds the pipes open. Close
			// our ends only now, after the signals, so that the child
			// dies of the signal rather than of a broken pipe.
			closeAll(c.parentPipes)
			c.closeCopyPipes()
			<-g.done
			if err == nil {
				err = ErrWaitDelay
			}
		}
	}
	results <- watchResult{err: err}
}

// awaitCopies waits for the copying goroutines, for at most WaitDelay (or
// what is left of it on delay, if the watcher started it), and then
// closes their pipes and returns ErrWaitDelay.
func (c *Cmd) awaitCopies(delay *time.Timer) error {
	if delay != nil {
		defer delay.Stop()
	}
	g := c.copying
	c.copying = nil
	if g == nil {
		return nil
	}
	if delay == nil {
		if c.WaitDelay == 0 {
			return <-g.done
		}
		select {
		case err := <-g.done:
			return err // already done: no timer needed
		default:
		}
		delay = time.NewTimer(c.WaitDelay)
		defer delay.Stop()
	}
	select {
	case err := <-g.done:
		return err
	case <-delay.C:
		closeAll(c.parentPipes)
		c.closeCopyPipes()
		<-g.done // its error is most likely the closing's
		return ErrWaitDelay
	}
}

// copier copies between one of the command's streams and our end of its
// pipe: from the reader into the pipe, or from the pipe into the writer.
type copier struct {
	pipe *os.File  // our end, nil if only fd (see copyPipe)
	fd   int       // our end's descriptor
	from io.Reader // Stdin's copier
	to   io.Writer // Stdout's or Stderr's
	err  error     // the result, for Wait's inline copies
}

// close closes our end of the pipe.
func (cp *copier) close() error {
	if cp.pipe == nil {
		return syscall.Close(cp.fd)
	}
	return cp.pipe.Close()
}

func (cp *copier) run() error {
	buf := copyBuffers.Get().(*[32 << 10]byte)
	defer copyBuffers.Put(buf)
	if cp.to != nil {
		var err error
		if _, ok := cp.to.(io.ReaderFrom); ok {
			// It reads for itself, without a buffer of ours (and a socket
			// takes the pipe's data by splice, through os.File.WriteTo).
			_, err = io.Copy(cp.to, cp.pipe)
		} else {
			_, err = io.CopyBuffer(cp.to, pipeReader{cp.pipe}, buf[:])
		}
		cp.pipe.Close() // if the writer failed, the child sees a broken pipe, not a full one
		return err
	}
	_, err := io.CopyBuffer(pipeWriter{cp.pipe}, cp.from, buf[:])
	// A child need not read all its input: a pipe it closed early is not a
	// failure of the copy.
	if errors.Is(err, syscall.EPIPE) {
		err = nil
	}
	if cerr := cp.pipe.Close(); err == nil {
		err = cerr
	}
	return err
}

// copyBuffers are the copies' buffers, reused: most copies of a
// short-lived command move a few bytes, and a fresh 32 KiB each time
// would be most of what running it allocates.
var copyBuffers = sync.Pool{New: func() any { return new([32 << 10]byte) }}

// pipeReader and pipeWriter hide *os.File's WriteTo and ReadFrom from
// io.CopyBuffer, which would otherwise use them, and they, for a writer or
// reader they cannot splice, fall back to a copy with a buffer of their
// own.
type pipeReader struct{ f *os.File }

func (r pipeReader) Read(p []byte) (int, error) { return r.f.Read(p) }

type pipeWriter struct{ f *os.File }

func (w pipeWriter) Write(p []byte) (int, error) { return w.f.Write(p) }

// copyGroup runs the goroutines copying to and from the child's pipes and
// delivers the first error on done once all have returned.
type copyGroup struct {
	mu      sync.Mutex
	running int
	first   error
	done    chan error
}

func startCopies(copiers []copier) *copyGroup {
	g := &copyGroup{running: len(copiers), done: make(chan error, 1)}
	for i := range copiers {
		go g.run(&copiers[i])
	}
	return g
}

func (g *copyGroup) run(cp *copier) {
	err := cp.run()
	g.mu.Lock()
	if g.first == nil {
		g.first = err
	}
	g.running--
	last, first := g.running == 0, g.first
	g.mu.Unlock()
	if last {
		g.done <- first
	}
}
