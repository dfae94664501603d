package suite

import "testing"

// TestMaskText: per-run paths are masked where they occur in text, as a
// whole path or a directory prefix, and not inside a longer name.
func TestMaskText(t *testing.T) {
	c := &Ctx{}
	c.Replace("/tmp/fxconf-worker-1/run8", "$RUN")
	c.Replace("/tmp/fxconf-worker-1", "$BASE")
	c.Replace("run8", "$RUN")
	c.Replace("/dev/pts/3", "$PTY")
	for in, want := range map[string]string{
		"forkexec: exec /tmp/fxconf-worker-1/run8/nope: no such file": "forkexec: exec $RUN/nope: no such file",
		"chdir /tmp/fxconf-worker-1/run8":                             "chdir $RUN",
		"/tmp/fxconf-worker-1/run80/x and /tmp/fxconf-worker-1/run8":  "$BASE/run80/x and $RUN",
		"/tmp/fxconf-worker-12/run8":                                  "/tmp/fxconf-worker-12/run8",
		"open run8/x":                                                 "open run8/x", // relative: only as a whole value (path)
		"tty /dev/pts/3, not /dev/pts/30":                             "tty $PTY, not /dev/pts/30",
		"nothing to mask":                                             "nothing to mask",
	} {
		if got := c.maskText(in); got != want {
			t.Errorf("maskText(%q) = %q, want %q", in, got, want)
		}
	}
}
