package exec

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"syscall"
	"testing"
)

// bothStreams writes n bytes of 'o' to stdout and n of 'e' to stderr in
// alternating chunks of 64 KiB, more than a pipe holds: a copy that
// waited on one stream to end before reading the other would deadlock.
func bothStreams(n int) *Cmd {
	script := `i=0; while [ $i -lt $1 ]; do head -c 65536 /dev/zero | tr '\0' o; head -c 65536 /dev/zero | tr '\0' e >&2; i=$((i+1)); done`
	return Command("/bin/sh", "-c", script, "sh", string(rune('0'+n)))
}

// TestOutputsTogether: Output and Run with two buffers copy stdout and
// stderr from the calling goroutine through one epoll instance
// (muxOutputs), all of both, interleaved beyond a pipe's capacity, and
// leave no descriptor or goroutine behind.
func TestOutputsTogether(t *testing.T) {
	checkLeaks(t)
	const chunks = 5
	c := bothStreams(chunks)
	c.IgnoreExitStatus = true
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		t.Fatal(err)
	}
	if !c.muxOutputs {
		t.Fatal("Output with a bytes.Buffer for Stderr did not copy through copyOutputs")
	}
	if want := strings.Repeat("o", chunks<<16); string(out) != want {
		t.Errorf("stdout: %d bytes, want %d of 'o'", len(out), len(want))
	}
	if want := strings.Repeat("e", chunks<<16); stderr.String() != want {
		t.Errorf("stderr: %d bytes, want %d of 'e'", stderr.Len(), len(want))
	}

	// Output's own stderr sample, from an unsuccessful command.
	c = Command("/bin/sh", "-c", "echo out; echo oops >&2; exit 3")
	out, err = c.Output()
	var ee *ExitError
	if !errors.As(err, &ee) || string(out) != "out\n" || string(ee.Stderr) != "oops\n" || !c.muxOutputs {
		t.Errorf("got %q, %v (muxOutputs %v)", out, err, c.muxOutputs)
	}

	// A failed start closes the pipes it made off the poller (checkLeaks).
	c = Command("/nonexistent/program")
	if _, err := c.Output(); !errors.Is(err, syscall.ENOENT) || !c.muxOutputs {
		t.Errorf("missing program: %v (muxOutputs %v)", err, c.muxOutputs)
	}
}

// limitedWriter accepts limit bytes, then fails.
type limitedWriter struct{ limit int }

var errWriterFull = errors.New("writer full")

func (w *limitedWriter) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		n := w.limit
		w.limit = 0
		return n, errWriterFull
	}
	w.limit -= len(p)
	return len(p), nil
}

// TestOutputsTogetherWriterFails: when one writer fails, its pipe is
// closed, so the child writing to it gets EPIPE instead of blocking; the
// other stream is still copied whole; Run returns the writer's error.
func TestOutputsTogetherWriterFails(t *testing.T) {
	checkLeaks(t)
	c := Command("/bin/sh", "-c", `head -c 1000000 /dev/zero >&2; echo "stderr status $?"`)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &limitedWriter{limit: 100}
	err := c.Run()
	if !errors.Is(err, errWriterFull) || !c.muxOutputs {
		t.Fatalf("Run: %v (muxOutputs %v), want the writer's error", err, c.muxOutputs)
	}
	if got := out.String(); got != "stderr status 141\n" && got != "stderr status 1\n" {
		// 141: head killed by SIGPIPE; 1: head told of EPIPE.
		t.Errorf("stdout %q, want head to have failed on the broken pipe", got)
	}
}

// TestOutputsTogetherFallback: without an epoll instance, the same copies
// go through the poller with a goroutine for stderr, from the descriptors
// Start left off the poller.
func TestOutputsTogetherFallback(t *testing.T) {
	checkLeaks(t)
	noEpollForTest = true
	defer func() { noEpollForTest = false }()
	c := bothStreams(3)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil || len(out) != 3<<16 || stderr.Len() != 3<<16 || !c.muxOutputs {
		t.Fatalf("stdout %d bytes, stderr %d, %v (muxOutputs %v)", len(out), stderr.Len(), err, c.muxOutputs)
	}
}

// Outputs to a writer that reads for itself, or an input to copy, keep
// the goroutine copies.
func TestOutputsTogetherNotTaken(t *testing.T) {
	for _, c := range []struct {
		name   string
		stdin  io.Reader
		stderr io.Writer
	}{
		{"stdin reader", strings.NewReader("x"), &bytes.Buffer{}},
		{"ReaderFrom writer", nil, readerFromWriter{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkLeaks(t)
			cmd := Command("/bin/cat")
			cmd.Stdin, cmd.Stderr = c.stdin, c.stderr
			if _, err := cmd.Output(); err != nil {
				t.Fatal(err)
			}
			if cmd.muxOutputs {
				t.Error("copied through copyOutputs")
			}
		})
	}
}

// readerFromWriter is an io.ReaderFrom, as a socket is.
type readerFromWriter struct{}

func (readerFromWriter) Write(p []byte) (int, error)         { return len(p), nil }
func (readerFromWriter) ReadFrom(r io.Reader) (int64, error) { return io.Copy(io.Discard, r) }
