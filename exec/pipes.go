package exec

import (
	"errors"
	"io"
	"os"
	"slices"
	"strconv"
	"sync"
)

// StdinPipe returns a pipe connected to the command's standard input once
// it starts. Wait closes it after the command exits; the caller may close
// it sooner, to signal the end of input. It must be called before Start.
func (c *Cmd) StdinPipe() (io.WriteCloser, error) {
	if c.Stdin != nil {
		return nil, errStdinSet
	}
	if c.Process != nil {
		return nil, errors.New("exec: StdinPipe after process started")
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	c.Stdin = r
	c.childFiles = append(c.childFiles, r)
	wc := &closeOnce{File: w}
	c.parentPipes = append(c.parentPipes, wc)
	return wc, nil
}

// StdoutPipe returns a pipe connected to the command's standard output
// once it starts. Wait closes it after the command exits, so read all of
// it before calling Wait (and so Run cannot be used with it). It must be
// called before Start.
func (c *Cmd) StdoutPipe() (io.ReadCloser, error) {
	return c.outputPipe(&c.Stdout, "Stdout")
}

// StderrPipe is StdoutPipe for standard error.
func (c *Cmd) StderrPipe() (io.ReadCloser, error) {
	return c.outputPipe(&c.Stderr, "Stderr")
}

// outputPipe makes a pipe the child writes to as *stream, for StdoutPipe
// or StderrPipe, with their errors worded as os/exec's.
func (c *Cmd) outputPipe(stream *io.Writer, name string) (io.ReadCloser, error) {
	if *stream != nil {
		return nil, errors.New("exec: " + name + " already set")
	}
	if c.Process != nil {
		return nil, errors.New("exec: " + name + "Pipe after process started")
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	*stream = w
	c.childFiles = append(c.childFiles, w)
	c.parentPipes = append(c.parentPipes, r)
	return r, nil
}

// closeOnce is a pipe end that both its user and Wait may close: the
// second Close returns the first one's result instead of failing.
type closeOnce struct {
	*os.File
	once sync.Once
	err  error
}

func (c *closeOnce) Close() error {
	c.once.Do(func() { c.err = c.File.Close() })
	return c.err
}

// Output runs the command and returns its standard output. If Stderr is
// nil, an *ExitError from it carries the start and end of the standard
// error in its Stderr field.
func (c *Cmd) Output() ([]byte, error) {
	if c.Stdout != nil {
		return nil, errStdoutSet
	}
	// One allocation for both buffers.
	bufs := &struct {
		out    collector
		stderr headTail
	}{stderr: headTail{max: 32 << 10}}
	c.Stdout = &bufs.out
	sampling := c.Stderr == nil
	if sampling {
		c.Stderr = &bufs.stderr
	}
	err := c.Run()
	if ee, ok := err.(*ExitError); ok && sampling {
		ee.Stderr = bufs.stderr.Bytes()
	}
	return bufs.out.Bytes(), err
}

// CombinedOutput runs the command and returns its standard output and
// standard error, interleaved as written.
func (c *Cmd) CombinedOutput() ([]byte, error) {
	if c.Stdout != nil {
		return nil, errStdoutSet
	}
	if c.Stderr != nil {
		return nil, errStderrSet
	}
	var out collector
	c.Stdout, c.Stderr = &out, &out
	err := c.Run()
	return out.Bytes(), err
}

// collector gathers a command's output, as a bytes.Buffer would, but
// reads the first bytes into an array of its own: most commands write
// little, and the buffer a bytes.Buffer allocates before its first read
// would be one more allocation for each of them.
type collector struct {
	buf   []byte
	first [512]byte
}

func (c *collector) Write(p []byte) (int, error) {
	if c.buf == nil {
		c.buf = c.first[:0]
	}
	c.buf = append(c.buf, p...)
	return len(p), nil
}

func (c *collector) ReadFrom(r io.Reader) (int64, error) {
	if c.buf == nil {
		c.buf = c.first[:0]
	}
	var total int64
	for {
		if len(c.buf) == cap(c.buf) {
			c.buf = slices.Grow(c.buf, cap(c.buf))
		}
		n, err := r.Read(c.buf[len(c.buf):cap(c.buf)])
		c.buf = c.buf[:len(c.buf)+n]
		total += int64(n)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// Bytes returns what was written, never nil.
func (c *collector) Bytes() []byte {
	if c.buf == nil {
		return c.first[:0]
	}
	return c.buf
}

// headTail keeps the first and last max/2 bytes written to it, for error
// messages: a program's diagnosis is usually at one end of its output.
type headTail struct {
	max     int
	head    []byte
	tail    []byte // the last bytes after head filled, at most max/2
	dropped int64
}

func (h *headTail) Write(p []byte) (int, error) {
	n := len(p)
	half := h.max / 2
	if room := half - len(h.head); room > 0 {
		k := min(room, len(p))
		h.head = append(h.head, p[:k]...)
		p = p[k:]
	}
	if len(p) >= half {
		h.dropped += int64(len(h.tail) + len(p) - half)
		h.tail = append(h.tail[:0], p[len(p)-half:]...)
		return n, nil
	}
	if over := len(h.tail) + len(p) - half; over > 0 {
		h.dropped += int64(over)
		h.tail = append(h.tail[:0], h.tail[over:]...)
	}
	h.tail = append(h.tail, p...)
	return n, nil
}

func (h *headTail) Bytes() []byte {
	if h.dropped == 0 {
		return append(h.head, h.tail...)
	}
	out := append([]byte(nil), h.head...)
	out = append(out, "\n... omitting "...)
	out = strconv.AppendInt(out, h.dropped, 10)
	out = append(out, " bytes ...\n"...)
	return append(out, h.tail...)
}
