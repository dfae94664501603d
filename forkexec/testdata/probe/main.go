// Command probe is the program forkexec's tests start. In "report" mode it
// writes, as JSON, what it inherited from the spawn: arguments, environment,
// directories, ids, process group and session, descriptors, terminal,
// parent-death signal, capabilities, namespaces and cgroup. It reads all of
// it before opening anything of its own (its one directory descriptor is
// left out of the list). Other modes act as the middle process of tests
// that need one.
//
// The Go runtime installs its own signal handlers before main runs, so the
// probe does not report signal state: tests read that from a program that
// leaves it alone (cat /proc/self/status).
//
// With -paths P1:P2:... the report also says what each path is (kind,
// symlink target, first bytes, mode, whether it is writable), for tests of
// SysProcAttr.Actions.
//
// It is built with CGO_ENABLED=0, so it is static and runs inside a chroot.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/forkexec/forkexec/forkexec"
	"github.com/forkexec/forkexec/internal/probe"
	"golang.org/x/sys/unix"
)

// init locks the main goroutine to the main thread: some of what the probe
// reports is per thread in Linux (the parent-death signal is 0 in every
// thread but the one exec started), so it must be read there.
func init() { runtime.LockOSThread() }

func main() {
	args := os.Args[1:]
	reportFD := 1
	ttyFD := 0
	var paths []string
	for len(args) >= 2 && strings.HasPrefix(args[0], "-") {
		n, _ := strconv.Atoi(args[1])
		switch args[0] {
		case "-report":
			reportFD = n
		case "-tty":
			ttyFD = n
		case "-paths":
			paths = strings.Split(args[1], ":")
		}
		args = args[2:]
	}
	if len(args) == 0 {
		fail("usage: probe [-report fd] [-tty fd] mode args...")
	}
	switch args[0] {
	case "report":
		r := probe.Gather(ttyFD)
		if paths != nil {
			r.GatherPaths(paths)
		}
		out, _ := json.Marshal(r)
		if _, err := unix.Write(reportFD, out); err != nil {
			fail("write report: %v", err)
		}
	case "exit":
		code, _ := strconv.Atoi(args[1])
		os.Exit(code)
	case "uidmap-exit":
		// uidmap-exit N: exit N if the user namespace maps 0-999 to 0-999
		// (the map TestOwnStackUnderLoad has the parent write), else 250.
		code, _ := strconv.Atoi(args[1])
		b, err := os.ReadFile("/proc/self/uid_map")
		if err != nil || strings.Join(strings.Fields(string(b)), " ") != "0 0 1000" {
			os.Exit(250)
		}
		os.Exit(code)
	case "sleep":
		time.Sleep(time.Hour)
	case "read", "mkdir":
		// read PATH, mkdir PATH: exit 0 if it works, else with the errno.
		var err error
		if args[0] == "read" {
			_, err = os.ReadFile(args[1])
		} else {
			err = syscall.Mkdir(args[1], 0o700)
		}
		var errno syscall.Errno
		if errors.As(err, &errno) {
			os.Exit(int(errno))
		} else if err != nil {
			os.Exit(255)
		}
	case "exec":
		// exec PROGRAM ARGS...: replace this process with forkexec.Exec.
		err := forkexec.Exec(args[1], args[1:], os.Environ())
		fail("exec: %v", err)
	case "spawn":
		spawn(reportFD, args[1:])
	default:
		fail("unknown mode %q", args[0])
	}
}

// spawn is the middle process of a test: it starts the probe again with an
// attribute that needs a parent other than the test itself, and writes the
// grandchild's pid and start error to reportFD.
//
//	spawn foreground FD: Setpgid+Foreground on tty FD (this process is the
//	  session leader with FD as controlling tty); the grandchild reports on
//	  fd 3 and the middle waits for it.
//	spawn noctty FD: as above with Noctty, fd 0 = the tty.
//	spawn hook-orphan: a grandchild whose ParentHook writes its pid and
//	  never returns (the test kills this middle process).
//	spawn pdeathsig: Pdeathsig=SIGKILL on a grandchild that sleeps; the
//	  middle exits at once, so the grandchild must die.
//	spawn signals IMPL CPROBE: ignore SIGPIPE, then start CPROBE, which
//	  reports on fd 3, through IMPL: syscall, forkexec, or reset
//	  (forkexec with ResetSignals).
func spawn(reportFD int, args []string) {
	runtime.LockOSThread()
	self, _ := os.Executable()
	var attr forkexec.ProcAttr
	var argv []string
	wait := true
	switch args[0] {
	case "foreground", "noctty":
		tty, _ := strconv.Atoi(args[1])
		attr.Files = []uintptr{uintptr(tty), uintptr(tty), 2, uintptr(reportFD)}
		argv = []string{self, "-report", "3", "-tty", "0", "report"}
		if args[0] == "foreground" {
			attr.Sys = &forkexec.SysProcAttr{Foreground: true, Ctty: tty}
		} else {
			attr.Sys = &forkexec.SysProcAttr{Noctty: true}
		}
	case "hook-orphan":
		// A grandchild whose ParentHook never returns: the hook writes
		// the grandchild's pid to reportFD and blocks; the test then kills
		// this middle process, and the grandchild must give up waiting.
		attr.Files = []uintptr{0, 1, 2}
		argv = []string{self, "exit", "0"}
		attr.Sys = &forkexec.SysProcAttr{ParentHook: func(pid int) error {
			unix.Write(reportFD, []byte(strconv.Itoa(pid)))
			time.Sleep(time.Hour)
			return nil
		}}
	case "pdeathsig":
		attr.Files = []uintptr{0, 1, 2}
		argv = []string{self, "sleep"}
		attr.Sys = &forkexec.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		wait = false
	case "signals":
		signal.Ignore(syscall.SIGPIPE)
		attr.Files = []uintptr{0, 1, 2, uintptr(reportFD)}
		argv = []string{args[2], "3"}
		self = args[2]
		switch args[1] {
		case "syscall":
			pid, err := syscall.ForkExec(self, argv, &syscall.ProcAttr{Files: attr.Files})
			if err != nil {
				fail("spawn: %v", err)
			}
			var ws syscall.WaitStatus
			syscall.Wait4(pid, &ws, 0, nil)
			return
		case "reset":
			attr.Sys = &forkexec.SysProcAttr{ResetSignals: true}
		}
	default:
		fail("unknown spawn %q", args[0])
	}
	pid, err := forkexec.ForkExec(self, argv, &attr)
	if err != nil {
		fail("spawn %s: %v", args[0], err)
	}
	if !wait {
		unix.Write(reportFD, []byte(strconv.Itoa(pid)))
		return
	}
	var ws syscall.WaitStatus
	syscall.Wait4(pid, &ws, 0, nil)
	if ws.ExitStatus() != 0 {
		fail("grandchild: %v", ws)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "probe: "+format+"\n", args...)
	os.Exit(2)
}
