//go:build linux

package exec

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	stdexec "os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/forkexec/forkexec/forkexec"
)

func TestRunExitCodes(t *testing.T) {
	checkLeaks(t)
	if err := Command("/bin/true").Run(); err != nil {
		t.Fatalf("true: %v", err)
	}
	c := Command("/bin/sh", "-c", "exit 3")
	err := c.Run()
	var ee *ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("exit 3: got %v", err)
	}
	// The alias makes os/exec's type match too.
	var stdee *stdexec.ExitError
	if !errors.As(err, &stdee) {
		t.Errorf("errors.As(*os/exec.ExitError) failed for %T", err)
	}
	if c.ProcessState == nil || c.ProcessState.ExitCode() != 3 || c.ProcessState.Pid() != c.Process.Pid {
		t.Errorf("ProcessState %v, pid %d", c.ProcessState, c.Process.Pid)
	}
	if err.Error() != "exit status 3" {
		t.Errorf("message %q", err)
	}
}

func TestSignalInProcessState(t *testing.T) {
	checkLeaks(t)
	err := Command("/bin/sh", "-c", "kill -TERM $$").Run()
	var ee *ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("got %v", err)
	}
	ws := ee.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGTERM || ee.ExitCode() != -1 {
		t.Fatalf("status %v", ee.ProcessState)
	}
	if err.Error() != "signal: terminated" {
		t.Errorf("message %q", err)
	}
}

func TestOutput(t *testing.T) {
	checkLeaks(t)
	out, err := Command("/bin/sh", "-c", "echo out; echo err >&2").Output()
	if err != nil || string(out) != "out\n" {
		t.Fatalf("Output: %q, %v", out, err)
	}
	out, err = Command("/bin/sh", "-c", "echo out; echo err >&2").CombinedOutput()
	if err != nil || string(out) != "out\nerr\n" {
		t.Fatalf("CombinedOutput: %q, %v", out, err)
	}
	_, err = Command("/bin/sh", "-c", "echo why >&2; exit 1").Output()
	var ee *ExitError
	if !errors.As(err, &ee) || string(ee.Stderr) != "why\n" {
		t.Fatalf("Output's ExitError.Stderr: %v %q", err, ee.Stderr)
	}
	c := Command("/bin/echo")
	c.Stdout = io.Discard
	if _, err := c.Output(); err == nil || err.Error() != "exec: Stdout already set" {
		t.Errorf("Output with Stdout set: %v", err)
	}
}

func TestOutputStderrHeadAndTail(t *testing.T) {
	checkLeaks(t)
	// 100,000 lines on stderr: ExitError.Stderr keeps both ends.
	_, err := Command("/bin/sh", "-c", "echo first >&2; i=0; while [ $i -lt 20000 ]; do echo middle; i=$((i+1)); done >&2; echo last >&2; exit 1").Output()
	var ee *ExitError
	if !errors.As(err, &ee) {
		t.Fatal(err)
	}
	s := string(ee.Stderr)
	if !strings.HasPrefix(s, "first\n") || !strings.HasSuffix(s, "middle\nlast\n") || !strings.Contains(s, "omitting") || len(s) > 33<<10 {
		t.Errorf("Stderr: %d bytes, %q...%q", len(s), s[:min(len(s), 20)], s[max(0, len(s)-20):])
	}
}

func TestStdinReader(t *testing.T) {
	checkLeaks(t)
	c := Command("/bin/cat")
	c.Stdin = strings.NewReader("hello")
	out, err := c.Output()
	if err != nil || string(out) != "hello" {
		t.Fatalf("%q, %v", out, err)
	}
	// A child that reads none of a large input is not an error.
	c = Command("/bin/true")
	c.Stdin = bytes.NewReader(make([]byte, 1<<20))
	if err := c.Run(); err != nil {
		t.Fatalf("unread stdin: %v", err)
	}
}

func TestPipes(t *testing.T) {
	checkLeaks(t)
	c := Command("/bin/sh", "-c", "cat; echo err >&2")
	in, err := c.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, _ := c.StdoutPipe()
	errp, _ := c.StderrPipe()
	if _, err := c.StdoutPipe(); err == nil {
		t.Error("second StdoutPipe succeeded")
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.StdinPipe(); err == nil {
		t.Error("StdinPipe after Start succeeded")
	}
	io.WriteString(in, "piped")
	in.Close()
	got, _ := io.ReadAll(out)
	gotErr, _ := io.ReadAll(errp)
	if err := c.Wait(); err != nil {
		t.Fatal(err)
	}
	if string(got) != "piped" || string(gotErr) != "err\n" {
		t.Errorf("stdout %q stderr %q", got, gotErr)
	}
	// Wait closed the pipes.
	if _, err := out.Read(make([]byte, 1)); !errors.Is(err, os.ErrClosed) {
		t.Errorf("read after Wait: %v", err)
	}
	if err := in.Close(); err != nil {
		t.Errorf("second Close of StdinPipe: %v", err)
	}
}

func TestStartWaitMisuse(t *testing.T) {
	checkLeaks(t)
	c := Command("/bin/true")
	if err := c.Wait(); err == nil || err.Error() != "exec: not started" {
		t.Errorf("Wait before Start: %v", err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err == nil || err.Error() != "exec: already started" {
		t.Errorf("second Start: %v", err)
	}
	if err := c.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(); err == nil || err.Error() != "exec: Wait was already called" {
		t.Errorf("second Wait: %v", err)
	}
	if err := (&Cmd{}).Start(); err == nil || err.Error() != "exec: no command" {
		t.Errorf("empty Cmd: %v", err)
	}
	c = Command("/bin/true")
	c.Cancel = func() error { return nil }
	if err := c.Start(); err == nil || !strings.Contains(err.Error(), "CommandContext") {
		t.Errorf("Cancel without Context: %v", err)
	}
}

func TestStartFailureNamesStep(t *testing.T) {
	checkLeaks(t)
	err := Command("/no/such/program").Run()
	var pe *os.PathError
	var fe *forkexec.Error
	if !errors.As(err, &pe) || pe.Op != "fork/exec" || !errors.As(err, &fe) || fe.Step != forkexec.StepExec || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("got %#v", err)
	}
	c := Command("/bin/true")
	c.Dir = "/no/such/dir"
	err = c.Run()
	if !errors.As(err, &fe) || fe.Step != forkexec.StepChdir || !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("bad Dir: %v", err)
	}
	if !strings.Contains(err.Error(), "chdir /no/such/dir") {
		t.Errorf("message %q", err)
	}
}

func TestLookPath(t *testing.T) {
	checkLeaks(t)
	c := Command("no-such-program-anywhere")
	if !errors.Is(c.Err, ErrNotFound) || !errors.Is(c.Run(), stdexec.ErrNotFound) {
		t.Fatalf("Err %v", c.Err)
	}
	var e *Error
	if !errors.As(c.Err, &e) || e.Name != "no-such-program-anywhere" {
		t.Errorf("not an *Error: %#v", c.Err)
	}
	if c := Command("sh"); c.Err != nil || !filepath.IsAbs(c.Path) {
		t.Errorf("sh: %q %v", c.Path, c.Err)
	}
}

func TestErrDot(t *testing.T) {
	checkLeaks(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "prog"), []byte("#!/bin/sh\necho ran\n"), 0o755)
	t.Chdir(dir)
	t.Setenv("PATH", ".")
	c := Command("prog")
	if !errors.Is(c.Err, ErrDot) || c.Path != "prog" && c.Path != "./prog" {
		t.Fatalf("Path %q Err %v", c.Path, c.Err)
	}
	if err := c.Run(); !errors.Is(err, ErrDot) {
		t.Fatalf("Run: %v", err)
	}
	// Clearing Err is how a program opts in, as with os/exec.
	c = Command("prog")
	c.Err = nil
	if out, err := c.Output(); err != nil || string(out) != "ran\n" {
		t.Fatalf("Err cleared: %q %v", out, err)
	}
}

func TestDirRelativePath(t *testing.T) {
	checkLeaks(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "script"), []byte("#!/bin/sh\npwd\n"), 0o755)
	c := Command("./script")
	c.Dir = dir
	out, err := c.Output()
	real, _ := filepath.EvalSymlinks(dir)
	if err != nil || strings.TrimSpace(string(out)) != real {
		t.Fatalf("%q %v", out, err)
	}
}

func TestEnv(t *testing.T) {
	checkLeaks(t)
	c := &Cmd{Env: []string{"A=1", "B=x", "A=2", "=C:=weird"}}
	r := runProbe(t, c)
	if !slices.Equal(r.Env, []string{"B=x", "A=2", "=C:=weird"}) {
		t.Errorf("Env dedup: %q", r.Env)
	}
	if !slices.Equal(c.Environ(), r.Env) {
		t.Errorf("Environ %q, child %q", c.Environ(), r.Env)
	}
	// Nil Env: ours, with PWD following Dir.
	t.Setenv("EXEC_TEST_VAR", "inherited")
	dir := t.TempDir()
	c = &Cmd{Dir: dir}
	r = runProbe(t, c)
	if !slices.Contains(r.Env, "EXEC_TEST_VAR=inherited") || !slices.Contains(r.Env, "PWD="+dir) {
		t.Errorf("inherited env: %q", r.Env)
	}
	// Empty Env: empty.
	r = runProbe(t, &Cmd{Env: []string{}})
	if len(r.Env) != 0 {
		t.Errorf("empty Env: %q", r.Env)
	}
	if err := Command("/bin/true").Run(); err != nil {
		t.Fatal(err)
	}
	c = Command("/bin/true")
	c.Env = []string{"A=\x00"}
	if err := c.Run(); err == nil || !strings.Contains(err.Error(), "NUL") {
		t.Errorf("NUL in Env: %v", err)
	}
}

func TestEnvCommonAndPass(t *testing.T) {
	checkLeaks(t)
	t.Setenv("LC_TIME", "C")
	t.Setenv("HOME", "/home/test")
	t.Setenv("SECRET_TOKEN", "x")
	c := &Cmd{Env: append(EnvCommon(), EnvPass("SECRET_TOKEN_NOT_SET", "LANGUAGE")...)}
	r := runProbe(t, c)
	if !slices.Contains(r.Env, "LC_TIME=C") || !slices.Contains(r.Env, "HOME=/home/test") {
		t.Errorf("common variables missing: %q", r.Env)
	}
	for _, kv := range r.Env {
		if strings.HasPrefix(kv, "SECRET_TOKEN") {
			t.Errorf("passed %q", kv)
		}
	}
	if got := EnvPass("SECRET_TOKEN", "NOT_SET_ANYWHERE"); !slices.Equal(got, []string{"SECRET_TOKEN=x"}) {
		t.Errorf("EnvPass: %q", got)
	}
}

func TestExtraFilesNumbering(t *testing.T) {
	checkLeaks(t)
	a, _ := os.Open("/dev/zero")
	defer a.Close()
	b, _ := os.Open("/etc/passwd")
	defer b.Close()
	r := runProbe(t, &Cmd{ExtraFiles: []*os.File{a, nil, b}})
	if r.FDs[3].Target != "/dev/zero" || r.FDs[5].Target != "/etc/passwd" {
		t.Errorf("fds: %v", r.FDs)
	}
	if _, ok := r.FDs[4]; ok && !r.FDs[4].Cloexec {
		t.Errorf("nil ExtraFiles entry is open: %v", r.FDs[4])
	}
	if inherited(r) != 5 {
		t.Errorf("child has more descriptors than given: %v", r.FDs)
	}
}

func TestPassFiles(t *testing.T) {
	checkLeaks(t)
	keep, _ := os.Open("/dev/zero")
	defer keep.Close()
	drop, _ := os.Open("/etc/passwd")
	r := runProbe(t, &Cmd{PassFiles: []PassFile{{File: drop, FD: 9, CloseAfterStart: true}, {File: keep, FD: 7}}})
	if r.FDs[7].Target != "/dev/zero" || r.FDs[9].Target != "/etc/passwd" || inherited(r) != 5 {
		t.Errorf("fds: %v", r.FDs)
	}
	if err := drop.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("CloseAfterStart left the parent's copy open")
	}
	if keep.Fd() == ^uintptr(0) {
		t.Errorf("file without CloseAfterStart was closed")
	}
	c := Command("/bin/true")
	c.PassFiles = []PassFile{{File: keep, FD: 2}}
	if err := c.Run(); err == nil {
		t.Errorf("PassFile over stderr accepted")
	}
}

// Descriptors not marked close-on-exec stay out of the child by default;
// InheritFDs lets them in, as os/exec does.
func TestCloseFDsDefault(t *testing.T) {
	checkLeaks(t)
	fd, err := syscall.Open("/dev/zero", syscall.O_RDONLY, 0) // no O_CLOEXEC
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	r := runProbe(t, &Cmd{})
	if _, ok := r.FDs[fd]; ok {
		t.Errorf("inheritable fd %d reached the child by default", fd)
	}
	r = runProbe(t, &Cmd{InheritFDs: true})
	if r.FDs[fd].Target != "/dev/zero" {
		t.Errorf("InheritFDs: fd %d missing: %v", fd, r.FDs)
	}
}

// Ignored signals are reset by default; InheritSignals keeps them ignored,
// as os/exec does. The child reads its own /proc/self/status.
func TestResetSignalsDefault(t *testing.T) {
	checkLeaks(t)
	sigIgn := func(c *Cmd) uint64 {
		c.Path, c.Args = "/bin/sh", []string{"sh", "-c", "grep SigIgn /proc/self/status"}
		out, err := c.Output()
		if err != nil {
			t.Fatal(err)
		}
		v, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(string(out), "SigIgn:")), 16, 64)
		return v
	}
	signal.Ignore(syscall.SIGHUP)
	defer signal.Reset(syscall.SIGHUP)
	hup := uint64(1) << (syscall.SIGHUP - 1)
	if got := sigIgn(&Cmd{}); got&hup != 0 {
		t.Errorf("SIGHUP ignored in child by default: %x", got)
	}
	if got := sigIgn(&Cmd{InheritSignals: true}); got&hup == 0 {
		t.Errorf("InheritSignals: SIGHUP not ignored: %x", got)
	}
}

func TestSysProcAttrPassedAndNotModified(t *testing.T) {
	checkLeaks(t)
	var pidfd int
	attr := &forkexec.SysProcAttr{Setsid: true, PidFD: &pidfd}
	c := &Cmd{SysProcAttr: attr}
	r := runProbe(t, c)
	if r.Sid != r.Pid {
		t.Errorf("Setsid: sid %d pid %d", r.Sid, r.Pid)
	}
	if attr.CloseFDs || attr.ResetSignals {
		t.Errorf("caller's SysProcAttr modified: %+v", attr)
	}
	if pidfd <= 2 {
		t.Fatalf("caller's PidFD: %d", pidfd)
	}
	syscall.Close(pidfd)
}

func TestContextKills(t *testing.T) {
	checkLeaks(t)
	ctx, cancel := context.WithCancel(context.Background())
	c := CommandContext(ctx, "/bin/sleep", "100")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	cancel()
	err := c.Wait()
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("got %v", err)
	}
	// A Context done before Start: nothing starts.
	c = CommandContext(ctx, "/bin/true")
	if err := c.Run(); !errors.Is(err, context.Canceled) || c.Process != nil {
		t.Fatalf("Start with a done Context: %v", err)
	}
}

func TestContextCancelThenWaitDelay(t *testing.T) {
	checkLeaks(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The child ignores SIGTERM: Cancel sends it, WaitDelay's kill ends it.
	c := CommandContext(ctx, "/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.01; done")
	c.Cancel = func() error { return c.Process.Signal(syscall.SIGTERM) }
	c.WaitDelay = 50 * time.Millisecond
	out, _ := c.StdoutPipe()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	io.ReadFull(out, make([]byte, 6))
	cancel()
	err := c.Wait()
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("got %v", err)
	}
}

func TestCancelError(t *testing.T) {
	checkLeaks(t)
	ctx, cancel := context.WithCancel(context.Background())
	c := CommandContext(ctx, "/bin/sh", "-c", "read x; true")
	in, _ := c.StdinPipe()
	boom := errors.New("boom")
	c.Cancel = func() error { in.Close(); return boom }
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	cancel()
	err := c.Wait()
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "exec: canceling Cmd: ") {
		t.Fatalf("got %v", err)
	}
}

// A child whose own child keeps stdout open: WaitDelay bounds Wait, which
// reports ErrWaitDelay for an otherwise successful command.
func TestWaitDelayOrphanHoldsPipe(t *testing.T) {
	checkLeaks(t)
	c := Command("/bin/sh", "-c", "sleep 5 & echo $!")
	var out bytes.Buffer
	c.Stdout = &out
	c.WaitDelay = 100 * time.Millisecond
	err := c.Run()
	if pid, _ := strconv.Atoi(strings.TrimSpace(out.String())); pid > 0 {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	if !errors.Is(err, ErrWaitDelay) {
		t.Fatalf("got %v (output %q)", err, out.String())
	}
}

type failingWriter struct{}

var errWrite = errors.New("write refused")

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestCopyErrorReported(t *testing.T) {
	checkLeaks(t)
	c := Command("/bin/echo", "hello")
	c.Stdout = failingWriter{}
	if err := c.Run(); !errors.Is(err, errWrite) {
		t.Fatalf("got %v", err)
	}
}

func TestSameWriterSharesDescriptor(t *testing.T) {
	checkLeaks(t)
	var b bytes.Buffer
	r := runProbe(t, &Cmd{Stderr: &b}) // runProbe's Output sets Stdout
	if r.FDs[1].Target == r.FDs[2].Target {
		t.Errorf("distinct writers share a pipe: %v", r.FDs)
	}
	c := &Cmd{Path: probePath, Args: []string{probePath, "report"}}
	c.Stdout, c.Stderr = &b, &b
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"1":{"Target":"pipe:`) {
		t.Fatalf("report %s", b.String())
	}
}

func TestNilStreamsAreDevNull(t *testing.T) {
	checkLeaks(t)
	c := &Cmd{Path: probePath, Args: []string{probePath, "-report", "3", "report"}}
	r, w, _ := os.Pipe()
	defer r.Close()
	c.ExtraFiles = []*os.File{w}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	b, _ := io.ReadAll(r)
	if err := c.Wait(); err != nil {
		t.Fatal(err)
	}
	for _, fd := range []string{"0", "1", "2"} {
		if !strings.Contains(string(b), `"`+fd+`":{"Target":"/dev/null"`) {
			t.Errorf("fd %s not /dev/null: %s", fd, b)
		}
	}
}

func TestFilesHandedOver(t *testing.T) {
	checkLeaks(t)
	dir := t.TempDir()
	out, _ := os.Create(filepath.Join(dir, "out"))
	defer out.Close()
	in, _ := os.Open("/etc/hostname")
	defer in.Close()
	c := Command("/bin/cat")
	c.Stdin, c.Stdout = in, out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if len(c.copiers) != 0 {
		t.Error("a file is copied by a goroutine")
	}
	if err := c.Wait(); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile("/etc/hostname")
	if got, _ := os.ReadFile(out.Name()); !bytes.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEmptyArgsAndEnvironCopy(t *testing.T) {
	checkLeaks(t)
	out, err := (&Cmd{Path: "/bin/echo"}).Output()
	if err != nil || string(out) != "\n" {
		t.Errorf("empty Args: %q %v", out, err)
	}
	c := &Cmd{Env: []string{"A=1"}}
	c.Environ()[0] = "changed"
	if c.Env[0] != "A=1" {
		t.Error("Environ aliases Env")
	}
	c = Command("/bin/true")
	c.Stderr = io.Discard
	if _, err := c.CombinedOutput(); err == nil || err.Error() != "exec: Stderr already set" {
		t.Errorf("CombinedOutput with Stderr set: %v", err)
	}
}

func TestContextOutcomes(t *testing.T) {
	checkLeaks(t)
	// Finished before the Context was done: no error from it.
	ctx, cancel := context.WithCancel(context.Background())
	c := CommandContext(ctx, "/bin/true")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	cancel()

	// A Cancel that succeeds without killing: an otherwise successful
	// command reports the Context's error.
	ctx, cancel = context.WithCancel(context.Background())
	c = CommandContext(ctx, "/bin/sh", "-c", "read x; true")
	in, _ := c.StdinPipe()
	c.Cancel = func() error { return in.Close() }
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := c.Wait(); !errors.Is(err, context.Canceled) {
		t.Errorf("successful Cancel, clean exit: %v", err)
	}

	// Cancel set back to nil: the Context's end does nothing.
	ctx, cancel = context.WithCancel(context.Background())
	c = CommandContext(ctx, "/bin/sh", "-c", "read x; true")
	in, _ = c.StdinPipe()
	c.Cancel = nil
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	cancel()
	in.Close()
	if err := c.Wait(); err != nil {
		t.Errorf("nil Cancel: %v", err)
	}
}

// forkexec's fields reach the child through Cmd.SysProcAttr as they are:
// Umask here, one of the fields added after this package was written.
func TestSysProcAttrFieldsPassThrough(t *testing.T) {
	checkLeaks(t)
	c := Command("/bin/sh", "-c", "umask")
	c.SysProcAttr = &forkexec.SysProcAttr{UseUmask: true, Umask: 0o027}
	out, err := c.Output()
	if err != nil || strings.TrimSpace(string(out)) != "0027" {
		t.Fatalf("umask %q, %v", out, err)
	}
}

// With SIGCHLD ignored the kernel reaps children itself; Wait then fails
// as os/exec's does, rather than hang, and leaves no pidfd behind. Go
// cannot undo signal.Ignore(SIGCHLD) for the kernel, so this runs in a
// process of its own: this test binary again, running only
// TestSIGCHLDIgnoredChild.
func TestSIGCHLDIgnored(t *testing.T) {
	checkLeaks(t)
	c := Command(os.Args[0], "-test.run=^TestSIGCHLDIgnoredChild$", "-test.v")
	c.Env = append(os.Environ(), sigchldChildEnv+"=1")
	out, err := c.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestSIGCHLDIgnoredChild") {
		t.Fatalf("%v\n%s", err, out)
	}
}

const sigchldChildEnv = "EXEC_TEST_SIGCHLD_IGNORED"

func TestSIGCHLDIgnoredChild(t *testing.T) {
	if os.Getenv(sigchldChildEnv) == "" {
		t.Skip("run by TestSIGCHLDIgnored")
	}
	checkLeaks(t)
	signal.Ignore(syscall.SIGCHLD)
	err := Command("/bin/true").Run()
	std := stdexec.Command("/bin/true")
	stdErr := std.Run()
	std.Process.Release() // os/exec leaves its pidfd to the garbage collector
	if !errors.Is(err, syscall.ECHILD) || !errors.Is(stdErr, syscall.ECHILD) {
		t.Fatalf("got %v, os/exec %v", err, stdErr)
	}
}
