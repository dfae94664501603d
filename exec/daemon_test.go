//go:build linux

package exec

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/forkexec/forkexec/forkexec"
	"golang.org/x/sys/unix"
)

// procStat returns fields of /proc/PID/stat after the command name: state,
// ppid, pgrp, session, ...
func procStat(t *testing.T, pid int) []string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
}

func TestDaemonize(t *testing.T) {
	checkLeaks(t)
	pidfile := filepath.Join(t.TempDir(), "d.pid")
	c := Command(probePath, "sleep")
	c.Daemonize = true
	c.PidFile = pidfile
	c.Env = []string{"DAEMON_TEST=1"}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	pid := c.Process.Pid
	defer c.Abort(time.Second)

	st := procStat(t, pid)
	ppid, _ := strconv.Atoi(st[1])
	sid, _ := strconv.Atoi(st[3])
	if ppid == os.Getpid() || sid == pid || sid == syscallGetsid() {
		t.Errorf("daemon %d: ppid %d, session %d (ours %d)", pid, ppid, sid, syscallGetsid())
	}
	if len(children()) != 0 {
		t.Errorf("daemon is our child: %v", children())
	}
	env, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if string(env) != "DAEMON_TEST=1\x00" {
		t.Errorf("daemon's environment %q", env)
	}
	cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if string(cmdline) != probePath+"\x00sleep\x00" {
		t.Errorf("daemon's arguments %q", cmdline)
	}
	// The pidfile names the daemon, and the daemon holds its lock.
	owner, running, err := PidFileOwner(pidfile)
	if err != nil || !running || owner != pid {
		t.Errorf("PidFileOwner: %d %v %v, daemon %d", owner, running, err, pid)
	}
	again := Command(probePath, "sleep")
	again.Daemonize, again.PidFile = true, pidfile
	if err := again.Start(); !errors.Is(err, ErrPidFileLocked) {
		t.Errorf("second daemon on the same pidfile: %v", err)
	}

	if err := c.Abort(time.Second); err != nil || !c.ProcessState.Success() {
		t.Fatalf("Abort: %v, middle process %v", err, c.ProcessState)
	}
	if _, running, _ := PidFileOwner(pidfile); running {
		t.Error("pidfile still locked after the daemon exited")
	}
}

// Wait returns at once for a daemon, with the middle process's state.
func TestDaemonizeWait(t *testing.T) {
	checkLeaks(t)
	c := Command(probePath, "exit", "3")
	c.Daemonize = true
	if err := c.Run(); err != nil || !c.ProcessState.Success() {
		t.Fatalf("Run: %v, %v", err, c.ProcessState)
	}
}

func TestDaemonizeFailure(t *testing.T) {
	checkLeaks(t)
	c := Command("/no/such/daemon")
	c.Daemonize = true
	err := c.Start()
	var fe *forkexec.Error
	if !errors.As(err, &fe) || fe.Step != forkexec.StepExec || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("got %v", err)
	}
	c = Command("/bin/true")
	c.Daemonize = true
	c.Stdout = new(strings.Builder)
	if err := c.Start(); err == nil {
		t.Fatal("Daemonize with a non-file Stdout started")
	}
}

func syscallGetsid() int {
	sid, _ := unix.Getsid(0)
	return sid
}

// This test binary runs with no privileges beyond its caller's, so the
// daemon's middle process works; a set-user-ID one must refuse.
func TestNotPrivileged(t *testing.T) {
	if privileged() {
		t.Fatal("privileged() is true for an ordinary test binary")
	}
}
