package exec

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/forkexec/forkexec/forkexec"
)

// Daemonizing needs a process between this one and the daemon, which
// starts the daemon and exits, so that the daemon is reparented to init (or
// the nearest subreaper) and is not a session leader. forkexec's child runs
// no Go code between fork and exec, so the middle process is this program
// itself, started again with daemonEnv set: this package's init sees it,
// spawns the daemon with forkexec, reports, and exits before main runs.
// A privileged program (set-user-ID, say) ignores the variable, and so
// cannot daemonize.
//
// daemonEnv's value: "REPORT PIDFILE FLAGS HOLES PATH": the descriptor to
// report on, the pidfile's descriptor or -1, flag bits (1 CloseFDs, 2
// ResetSignals), the comma-separated descriptor numbers the daemon must not
// have open (or "-"), and the program's path, which may contain spaces.
const daemonEnv = "FORKEXEC_EXEC_DAEMON"

const (
	daemonCloseFDs = 1 << iota
	daemonResetSignals
)

func init() {
	spec, ok := os.LookupEnv(daemonEnv)
	if !ok {
		return
	}
	if privileged() {
		// Whoever started a set-user-ID program chose its environment:
		// obeying the variable would run their choice of program with
		// this one's privileges.
		os.Unsetenv(daemonEnv)
		return
	}
	os.Exit(runDaemonMiddle(spec))
}

// startDaemon starts the middle process with the descriptors files (holes
// included), env and the pidfile's descriptor (or -1), and learns from it
// how the daemon's start went.
func (c *Cmd) startDaemon(files []uintptr, env []string, pidFileFD int) error {
	if privileged() {
		// Its middle process would ignore daemonEnv and run main.
		return errors.New("exec: Daemonize is not available to a set-user-ID, set-group-ID or file-capability program")
	}
	self, err := selfExecutable()
	if err != nil {
		return err
	}
	// A socket pair rather than a pipe: the middle process reports on it,
	// then waits for this end to close before it exits (see below).
	pair, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("socketpair", err)
	}
	report, w := os.NewFile(uintptr(pair[0]), "daemon report"), os.NewFile(uintptr(pair[1]), "daemon report")
	defer report.Close()
	nullFD, err := devNull(syscall.O_RDONLY)
	if err != nil {
		w.Close()
		return err
	}
	// The middle process is a Go program: its runtime opens descriptors of
	// its own at the lowest free numbers, so it gets no holes: /dev/null
	// stands in, and it closes them for the daemon.
	middleFiles := make([]uintptr, 0, len(files)+1)
	var holes []string
	for i, fd := range files {
		if fd == noFile {
			fd = nullFD
			holes = append(holes, strconv.Itoa(i))
		}
		middleFiles = append(middleFiles, fd)
	}
	if holes == nil {
		holes = []string{"-"}
	}
	flags := 0
	if c.sys.CloseFDs {
		flags |= daemonCloseFDs
	}
	if c.sys.ResetSignals {
		flags |= daemonResetSignals
	}
	spec := fmt.Sprintf("%d %d %d %s %s", len(middleFiles), pidFileFD, flags, strings.Join(holes, ","), c.Path)
	middleFiles = append(middleFiles, w.Fd())
	c.sys.Setsid = true // the daemon's session; it is not the leader, so it cannot take a terminal
	c.sys.CloseFDs, c.sys.ResetSignals = true, true
	dropPidFD(&c.sys) // a pidfd of the middle process is of no use to anyone
	middleEnv := append(env[:len(env):len(env)], daemonEnv+"="+spec)
	pid, err := forkexec.Spawn(self, c.argv(), &forkexec.ProcAttr{Dir: c.Dir, Env: middleEnv, Files: middleFiles, Sys: &c.sys})
	w.Close()
	if err != nil {
		return err
	}
	out := readLine(report)
	daemonPid, startErr := parseDaemonReport(out)
	if daemonPid > 0 {
		// The middle process has not exited, so the daemon is its child,
		// reaped by no one even if it has exited already: its pid cannot
		// have been reused, and the pidfd FindProcess opens is the
		// daemon's. Only then may the middle process go.
		c.Process, _ = os.FindProcess(daemonPid)
	}
	report.Close()
	middle, _ := os.FindProcess(pid)
	state, err := middle.Wait()
	if err != nil {
		return err
	}
	c.middleState = state
	if startErr != nil {
		return startErr
	}
	if daemonPid == 0 {
		return fmt.Errorf("exec: daemonizing: the middle process (%v) reported %q", state, out)
	}
	return nil
}

// readLine reads from f up to a newline or the end, whichever comes first.
func readLine(f *os.File) []byte {
	var line []byte
	var b [64]byte
	for {
		n, err := f.Read(b[:])
		line = append(line, b[:n]...)
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			return line[:i]
		}
		if err != nil {
			return line
		}
	}
}

func selfExecutable() (string, error) {
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		return "/proc/self/exe", nil // still this program if the file was replaced
	}
	return os.Executable()
}

// parseDaemonReport reads "ok PID" or "err STEP ERRNO DETAIL".
func parseDaemonReport(out []byte) (int, error) {
	f := strings.SplitN(string(bytes.TrimSpace(out)), " ", 4)
	switch {
	case len(f) == 2 && f[0] == "ok":
		pid, _ := strconv.Atoi(f[1])
		return pid, nil
	case len(f) >= 3 && f[0] == "err":
		step, _ := strconv.Atoi(f[1])
		errno, _ := strconv.Atoi(f[2])
		e := &forkexec.Error{Step: forkexec.Step(step), Errno: syscall.Errno(errno)}
		if len(f) == 4 {
			e.Detail = f[3]
		}
		return 0, e
	}
	return 0, nil
}

// runDaemonMiddle is the middle process: it spawns the daemon with the
// descriptors it was given, writes its pid to the pidfile and to the
// report socket, waits for the parent to close the socket, and returns the
// exit status for this process.
func runDaemonMiddle(spec string) int {
	f := strings.SplitN(spec, " ", 5)
	if len(f) != 5 {
		return 2
	}
	reportFD, _ := strconv.Atoi(f[0])
	pidFileFD, _ := strconv.Atoi(f[1])
	flags, _ := strconv.Atoi(f[2])
	path := f[4]
	syscall.CloseOnExec(reportFD) // the daemon must not hold the report open
	report := func(s string) {
		syscall.Write(reportFD, []byte(s+"\n"))
		// Stay, and so keep the daemon from being reaped and its pid from
		// being reused, until the parent has a pidfd of it and closes its
		// end of the socket.
		var b [1]byte
		for {
			n, err := syscall.Read(reportFD, b[:])
			if n == 0 || err != nil && err != syscall.EINTR {
				return
			}
		}
	}

	files := make([]uintptr, reportFD)
	for i := range files {
		files[i] = uintptr(i)
	}
	if f[3] != "-" {
		for _, h := range strings.Split(f[3], ",") {
			if i, err := strconv.Atoi(h); err == nil && i < len(files) {
				files[i] = noFile
			}
		}
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, daemonEnv+"=") {
			env = append(env, kv)
		}
	}
	pid, err := forkexec.Spawn(path, os.Args, &forkexec.ProcAttr{
		Env:   env,
		Files: files,
		Sys: &forkexec.SysProcAttr{
			CloseFDs:     flags&daemonCloseFDs != 0,
			ResetSignals: flags&daemonResetSignals != 0,
		},
	})
	if err != nil {
		var fe *forkexec.Error
		if errors.As(err, &fe) {
			report(fmt.Sprintf("err %d %d %s", fe.Step, fe.Errno, fe.Detail))
		} else {
			report("err 0 0 " + err.Error())
		}
		return 1
	}
	if pidFileFD >= 0 {
		pidFile := os.NewFile(uintptr(pidFileFD), "pidfile")
		if err := writePid(pidFile, pid); err != nil {
			report("ok " + strconv.Itoa(pid)) // it runs; the pidfile is the casualty
			return 1
		}
	}
	report("ok " + strconv.Itoa(pid))
	return 0
}
