package exec

// LimitedBuffer is an io.Writer for Stdout or Stderr that keeps the first
// Limit bytes written to it and counts, then discards, the rest, so that a
// child's output costs bounded memory whatever it writes, and the child
// never blocks on a full pipe (libvirt's output buffers, with a bound).
// The zero value keeps nothing; like bytes.Buffer it is not safe for
// concurrent use, which Cmd never needs (one goroutine feeds each writer).
type LimitedBuffer struct {
	Limit   int // the most bytes kept
	buf     []byte
	dropped int64
}

// Write keeps what fits under Limit and reports all of p written.
func (b *LimitedBuffer) Write(p []byte) (int, error) {
	keep := min(len(p), max(b.Limit-len(b.buf), 0))
	b.buf = append(b.buf, p[:keep]...)
	b.dropped += int64(len(p) - keep)
	return len(p), nil
}

// Bytes returns the bytes kept.
func (b *LimitedBuffer) Bytes() []byte { return b.buf }

// String returns the bytes kept as a string.
func (b *LimitedBuffer) String() string { return string(b.buf) }

// Dropped returns how many bytes were written beyond Limit and discarded.
func (b *LimitedBuffer) Dropped() int64 { return b.dropped }
