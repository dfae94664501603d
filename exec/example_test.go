package exec_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/forkexec/forkexec/exec"
	"github.com/forkexec/forkexec/forkexec"
)

// A program written for os/exec runs unchanged after its import changes.
func ExampleCommand() {
	cmd := exec.Command("tr", "a-z", "A-Z")
	cmd.Stdin = strings.NewReader("some input")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.String())
	// Output: SOME INPUT
}

func ExampleCmd_Output() {
	out, err := exec.Command("echo", "hello").Output()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s", out)
	// Output: hello
}

// Exit statuses and signals arrive as *ExitError, os/exec's own type.
func ExampleExitError() {
	err := exec.Command("sh", "-c", "echo oops >&2; exit 3").Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		fmt.Println(ee.ExitCode(), err)
	}
	// Output: 3 exit status 3
}

// A child that fails before exec says which step failed.
func ExampleCmd_Start_failedStep() {
	cmd := exec.Command("/bin/true")
	cmd.Dir = "/no/such/dir"
	err := cmd.Start()
	var fe *forkexec.Error
	if errors.As(err, &fe) {
		fmt.Println(fe.Step)
	}
	fmt.Println(err)
	// Output:
	// chdir
	// fork/exec /bin/true: forkexec: chdir /no/such/dir: no such file or directory
}

func ExampleCommandContext() {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := exec.CommandContext(ctx, "sleep", "10").Run()
	fmt.Println(err)
	// Output: signal: killed
}

// A clean environment from chosen variables (EnvCommon passes PATH, HOME,
// USER, LOGNAME, LANG, LC_* and TMPDIR), and String for the log, safe to
// paste into a shell.
func ExampleEnvCommon() {
	cmd := exec.Command("/usr/bin/printf", "%s", "it's done")
	cmd.Env = append(exec.EnvCommon(), "GREETING=hello world")
	fmt.Println(strings.Contains(cmd.Environ()[len(cmd.Env)-1], "GREETING"))

	cmd.Env = []string{"GREETING=hello world"}
	fmt.Println(cmd)
	// Output:
	// true
	// env -i 'GREETING=hello world' /usr/bin/printf %s 'it'\''s done'
}

// A bounded buffer keeps the first bytes of a child's output and counts the
// rest; the child never blocks on a full pipe.
func ExampleLimitedBuffer() {
	out := &exec.LimitedBuffer{Limit: 5}
	cmd := exec.Command("echo", "hello, world")
	cmd.Stdout = out
	if err := cmd.Run(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q, %d more\n", out.String(), out.Dropped())
	// Output: "hello", 8 more
}

// A pidfile locked for as long as the child lives: a second start fails,
// and anyone can test liveness.
func ExampleCmd_PidFile() {
	pidfile := filepath.Join(os.TempDir(), fmt.Sprintf("example-%d.pid", os.Getpid()))
	defer os.Remove(pidfile)
	cmd := exec.Command("sleep", "10")
	cmd.PidFile = pidfile
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	_, running, _ := exec.PidFileOwner(pidfile)
	fmt.Println("running:", running)

	again := exec.Command("sleep", "10")
	again.PidFile = pidfile
	fmt.Println(errors.Is(again.Start(), exec.ErrPidFileLocked))

	cmd.Abort(time.Second) // SIGTERM, then SIGKILL after a second; reaped
	_, running, _ = exec.PidFileOwner(pidfile)
	fmt.Println("running:", running)
	// Output:
	// running: true
	// true
	// running: false
}

// With IgnoreExitStatus a non-zero exit is a status, not an error.
func ExampleCmd_WaitStatus() {
	cmd := exec.Command("sh", "-c", "exit 4")
	cmd.IgnoreExitStatus = true
	err := cmd.Run()
	fmt.Println(err, cmd.WaitStatus().ExitStatus())
	// Output: <nil> 4
}
