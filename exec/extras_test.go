//go:build linux

package exec

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestStringPastesIntoShell(t *testing.T) {
	checkLeaks(t)
	t.Setenv("EXEC_TEST_KEEP", "same")
	args := []string{"%s|\n", "plain", "two words", "it's", "$HOME", "`x`", "", "*", "a\nb"}
	c := Command("printf", args...)
	c.Env = append(os.Environ(), "EXEC_TEST_NEW=a b", "EXEC_TEST_KEEP=same")
	s := c.String()
	want := "EXEC_TEST_NEW='a b' " + c.Path + ` '%s|` + "\n" + `' plain 'two words' 'it'\''s' '$HOME' '` + "`x`' '' '*' 'a\nb'"
	if s != want {
		t.Errorf("String:\n got %q\nwant %q", s, want)
	}
	direct, err := c.Output()
	if err != nil {
		t.Fatal(err)
	}
	viaShell, err := Command("/bin/sh", "-c", s).Output()
	if err != nil || !bytes.Equal(direct, viaShell) {
		t.Errorf("through the shell: %q (%v), direct %q", viaShell, err, direct)
	}
	// An environment that drops variables is rendered with env -i.
	c = Command("/bin/echo", "hi")
	c.Env = []string{"PATH=/bin"}
	if got := c.String(); got != "env -i PATH=/bin /bin/echo hi" {
		t.Errorf("clean env: %q", got)
	}
	// As os/exec's for plain arguments and no Env.
	if got, std := Command("/bin/echo", "a", "b").String(), "/bin/echo a b"; got != std {
		t.Errorf("%q, want %q", got, std)
	}
	if got := Command("no-such-program-anywhere", "x").String(); got != "no-such-program-anywhere x" {
		t.Errorf("failed lookup: %q", got)
	}
}

func TestLimitedBuffer(t *testing.T) {
	checkLeaks(t)
	out := &LimitedBuffer{Limit: 100}
	c := Command("/bin/sh", "-c", "head -c 1000000 /dev/zero")
	c.Stdout = out
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	if len(out.Bytes()) != 100 || out.Dropped() != 1000000-100 {
		t.Errorf("kept %d, dropped %d", len(out.Bytes()), out.Dropped())
	}
}

// 100 MB of output through a pipe the caller reads, and through a bounded
// buffer: no deadlock, and memory bounded by the buffer, not the output.
func TestHundredMegabytes(t *testing.T) {
	if testing.Short() {
		t.Skip("100 MB through a pipe")
	}
	checkLeaks(t)
	const size = 100 << 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)

	c := Command("/bin/sh", "-c", "head -c "+strconv.Itoa(size)+" /dev/zero")
	out, _ := c.StdoutPipe()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, out)
	if err != nil || n != size {
		t.Fatalf("read %d: %v", n, err)
	}
	if err := c.Wait(); err != nil {
		t.Fatal(err)
	}

	lb := &LimitedBuffer{Limit: 1 << 20}
	c = Command("/bin/sh", "-c", "head -c "+strconv.Itoa(size)+" /dev/zero")
	c.Stdout = lb
	if err := c.Run(); err != nil || int64(len(lb.Bytes()))+lb.Dropped() != size {
		t.Fatalf("buffer: %v, kept %d dropped %d", err, len(lb.Bytes()), lb.Dropped())
	}
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	if alloc > 16<<20 {
		t.Errorf("allocated %d bytes for 200 MB of output", alloc)
	}
	t.Logf("allocated %d bytes for 100 MB through a pipe and 100 MB through a 1 MB LimitedBuffer", alloc)
}

func TestIgnoreExitStatus(t *testing.T) {
	checkLeaks(t)
	c := Command("/bin/sh", "-c", "exit 7")
	c.IgnoreExitStatus = true
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	if ws := c.WaitStatus(); !ws.Exited() || ws.ExitStatus() != 7 {
		t.Errorf("status %v", ws)
	}
	c = Command("/bin/sh", "-c", "kill -KILL $$")
	c.IgnoreExitStatus = true
	if _, err := c.Output(); err != nil {
		t.Fatal(err)
	}
	if ws := c.WaitStatus(); ws.Signal() != syscall.SIGKILL {
		t.Errorf("status %v", ws)
	}
}

func TestAbort(t *testing.T) {
	checkLeaks(t)
	c := Command("/bin/sleep", "100")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	var ee *ExitError
	if err := c.Abort(time.Minute); !errors.As(err, &ee) || c.WaitStatus().Signal() != syscall.SIGTERM {
		t.Fatalf("sleep: %v", err)
	}
	// A child that ignores SIGTERM gets SIGKILL after the grace period.
	c = Command("/bin/sh", "-c", "trap '' TERM; echo ready; exec sleep 100")
	out, _ := c.StdoutPipe()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	out.Read(make([]byte, 6))
	if err := c.Abort(50 * time.Millisecond); !errors.As(err, &ee) || c.WaitStatus().Signal() != syscall.SIGKILL {
		t.Fatalf("TERM ignored: %v", err)
	}
	if err := c.Abort(0); err == nil {
		t.Error("Abort after Wait succeeded")
	}
}

func TestPidFile(t *testing.T) {
	checkLeaks(t)
	path := filepath.Join(t.TempDir(), "daemon.pid")
	first := Command("/bin/sleep", "100")
	first.PidFile = path
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Abort(0)
	pid, running, err := PidFileOwner(path)
	if err != nil || !running || pid != first.Process.Pid {
		t.Fatalf("PidFileOwner: %d %v %v (child %d)", pid, running, err, first.Process.Pid)
	}
	// The lock is the child's: this process holds no descriptor of it.
	for _, fd := range openFDs() {
		if strings.HasSuffix(fd, "daemon.pid") {
			t.Errorf("parent still holds the pidfile: %s", fd)
		}
	}
	// An independent reader sees it locked with plain fcntl(F_GETLK), as
	// libvirt's virPidFileReadIfAlive-style checks do.
	if !fcntlLocked(t, path) {
		t.Error("fcntl(F_GETLK) does not see the lock")
	}

	second := Command("/bin/true")
	second.PidFile = path
	if err := second.Run(); !errors.Is(err, ErrPidFileLocked) {
		t.Fatalf("second start with the same pidfile: %v", err)
	}
	if b, _ := os.ReadFile(path); strings.TrimSpace(string(b)) != strconv.Itoa(first.Process.Pid) {
		t.Errorf("pidfile overwritten: %q", b)
	}

	first.Abort(0)
	if _, running, err := PidFileOwner(path); err != nil || running {
		t.Fatalf("after exit: running %v, %v", running, err)
	}
	third := Command("/bin/true")
	third.PidFile = path
	if err := third.Run(); err != nil {
		t.Fatalf("start after the first exited: %v", err)
	}
}

func TestProcessSignal(t *testing.T) {
	checkLeaks(t)
	c := Command("/bin/sleep", "100")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if err := c.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	if c.WaitStatus().Signal() != syscall.SIGUSR1 {
		t.Errorf("status %v", c.ProcessState)
	}
	if err := c.Process.Kill(); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("Kill after Wait: %v", err)
	}
}
