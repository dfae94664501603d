package suite

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const qemuPtrace = "qemu-user does not emulate ptrace"

// registerProc registers the scenarios of SysProcAttr: credentials,
// sessions and terminals, signals, namespaces, capabilities, cgroups and
// pidfds.
func registerProc() {
	// ---- Credentials ----
	Register(Scenario{Name: "cred-uid-gid", Group: "cred", NeedsRoot: true, Doc: "Credential 1000/1000, Groups nil",
		Setup: func(c *Ctx) error { c.Sys().Credential = &syscall.Credential{Uid: 1000, Gid: 1000}; return nil }})
	Register(Scenario{Name: "cred-groups", Group: "cred", NeedsRoot: true, Doc: "Credential with three supplementary groups",
		Setup: func(c *Ctx) error {
			c.Sys().Credential = &syscall.Credential{Uid: 1000, Gid: 1001, Groups: []uint32{1000, 2000, 3000}}
			return nil
		}})
	Register(Scenario{Name: "cred-groups-empty", Group: "cred", NeedsRoot: true, Doc: "Credential with Groups empty, non-nil",
		Setup: func(c *Ctx) error {
			c.Sys().Credential = &syscall.Credential{Uid: 1000, Gid: 1000, Groups: []uint32{}}
			return nil
		}})
	Register(Scenario{Name: "cred-root", Group: "cred", NeedsRoot: true, Doc: "Credential 0/0 (no change)",
		Setup: func(c *Ctx) error { c.Sys().Credential = &syscall.Credential{}; return nil }})
	Register(Scenario{Name: "cred-nosetgroups", Group: "cred", NeedsRoot: true, Isolated: true,
		Doc: "parent has groups 5,6; Credential with NoSetGroups keeps them",
		Setup: func(c *Ctx) error {
			if err := syscall.Setgroups([]int{5, 6}); err != nil {
				return err
			}
			c.Sys().Credential = &syscall.Credential{Uid: 1000, Gid: 1000, Groups: []uint32{7}, NoSetGroups: true}
			return nil
		}})
	Register(Scenario{Name: "cred-setgroups-replaces", Group: "cred", NeedsRoot: true, Isolated: true,
		Doc: "parent has groups 5,6; Credential without Groups clears them",
		Setup: func(c *Ctx) error {
			if err := syscall.Setgroups([]int{5, 6}); err != nil {
				return err
			}
			c.Sys().Credential = &syscall.Credential{Uid: 1000, Gid: 1000}
			return nil
		}})
	Register(Scenario{Name: "cred-dir-after-setuid", Group: "cred", NeedsRoot: true, Doc: "Dir readable by root only with Credential 1000 (EACCES: chdir after setuid)",
		Setup: func(c *Ctx) error {
			d := mkdir(c, "private")
			os.Chmod(d, 0o700)
			c.Attr.Dir = d
			c.Sys().Credential = &syscall.Credential{Uid: 1000, Gid: 1000}
			return nil
		}})
	Register(Scenario{Name: "err-cred-nonroot", Group: "errors", NeedsRoot: true, Isolated: true,
		Doc: "parent already uid 1000; Credential uid 0 is refused (EPERM)",
		Setup: func(c *Ctx) error {
			if err := setresids(1000, 1000); err != nil {
				return err
			}
			c.Sys().Credential = &syscall.Credential{Uid: 0, Gid: 0}
			return nil
		}})
	Register(Scenario{Name: "parent-nonroot", Group: "parent", NeedsRoot: true, Isolated: true,
		Doc: "parent switched to uid/gid 1000 with syscall.Setresuid, plain run",
		Setup: func(c *Ctx) error {
			if err := syscall.Setgroups(nil); err != nil {
				return err
			}
			return setresids(1000, 1000)
		}})
	registerCredUserns()

	// ---- Sessions, process groups, terminals ----
	Register(Scenario{Name: "setsid", Group: "session", Doc: "Setsid",
		Setup: func(c *Ctx) error { c.Sys().Setsid = true; return nil }})
	Register(Scenario{Name: "setpgid", Group: "session", Doc: "Setpgid with Pgid 0 (own group)",
		Setup: func(c *Ctx) error { c.Sys().Setpgid = true; return nil }})
	Register(Scenario{Name: "setpgid-parent-group", Group: "session", Doc: "Setpgid into the parent's group",
		Setup: func(c *Ctx) error {
			s := c.Sys()
			s.Setpgid, s.Pgid = true, syscall.Getpgrp()
			return nil
		}})
	Register(Scenario{Name: "setpgid-sibling-group", Group: "session", Doc: "Setpgid into another child's group",
		Setup: func(c *Ctx) error {
			pid, err := sleeper(c)
			if err != nil {
				return err
			}
			s := c.Sys()
			s.Setpgid, s.Pgid = true, pid
			return nil
		}})
	Register(Scenario{Name: "err-setpgid-other-session", Group: "errors", Doc: "Setpgid into pid 1's group (EPERM)",
		Setup: func(c *Ctx) error {
			s := c.Sys()
			s.Setpgid, s.Pgid = true, 1
			return nil
		}})
	Register(Scenario{Name: "err-setsid-setpgid", Group: "errors", Doc: "Setsid then Setpgid: a session leader cannot change group (EPERM)",
		Setup: func(c *Ctx) error {
			s := c.Sys()
			s.Setsid, s.Setpgid = true, true
			return nil
		}})
	Register(Scenario{Name: "setctty", Group: "tty", Doc: "Setsid + Setctty on a fresh pty at child fd 3",
		Setup: func(c *Ctx) error {
			p, err := c.OpenPty(false)
			if err != nil {
				return c.Skip("no pty: %v", err)
			}
			c.Attr.Files = append(c.Attr.Files, uintptr(p.Slave))
			s := c.Sys()
			s.Setsid, s.Setctty, s.Ctty = true, true, 3
			return nil
		}})
	Register(Scenario{Name: "setctty-stdio", Group: "tty", Doc: "Setsid + Setctty, pty on 0, 1, 2, Ctty 0",
		Setup: func(c *Ctx) error {
			p, err := c.OpenPty(false)
			if err != nil {
				return c.Skip("no pty: %v", err)
			}
			c.Attr.Files = []uintptr{uintptr(p.Slave), uintptr(p.Slave), uintptr(p.Slave)}
			s := c.Sys()
			s.Setsid, s.Setctty, s.Ctty = true, true, 0
			return nil
		}})
	Register(Scenario{Name: "err-setctty-no-setsid", Group: "errors", Doc: "Setctty without Setsid (EPERM)",
		Setup: func(c *Ctx) error {
			p, err := c.OpenPty(false)
			if err != nil {
				return c.Skip("no pty: %v", err)
			}
			c.Attr.Files = append(c.Attr.Files, uintptr(p.Slave))
			s := c.Sys()
			s.Setctty, s.Ctty = true, 3
			return nil
		}})
	Register(Scenario{Name: "err-ctty-out-of-range", Group: "errors", Doc: "Setctty with Ctty beyond Files",
		Setup: func(c *Ctx) error {
			s := c.Sys()
			s.Setsid, s.Setctty, s.Ctty = true, true, 7
			return nil
		}})
	Register(Scenario{Name: "err-ctty-not-tty", Group: "errors", Doc: "Setctty with Ctty on /dev/null (ENOTTY)",
		Setup: func(c *Ctx) error {
			s := c.Sys()
			s.Setsid, s.Setctty, s.Ctty = true, true, 1
			return nil
		}})
	Register(Scenario{Name: "err-setctty-and-foreground", Group: "errors", Doc: "both Setctty and Foreground",
		Setup: func(c *Ctx) error {
			s := c.Sys()
			s.Setsid, s.Setctty, s.Foreground, s.Ctty = true, true, true, 0
			return nil
		}})
	Register(Scenario{Name: "err-foreground-not-tty", Group: "errors", Doc: "Foreground with Ctty on /dev/null (ENOTTY)",
		Setup: func(c *Ctx) error {
			s := c.Sys()
			s.Setpgid, s.Foreground, s.Ctty = true, true, int(c.Attr.Files[0])
			return nil
		}})
	Register(Scenario{Name: "err-noctty-not-tty", Group: "errors", Doc: "Noctty with /dev/null on fd 0 (ENOTTY)",
		Setup: func(c *Ctx) error { c.Sys().Noctty = true; return nil }})
	Register(Scenario{Name: "ctty-inherited", Group: "tty", Isolated: true,
		Doc: "parent's controlling pty inherited (parent is session leader)",
		Setup: func(c *Ctx) error {
			p, err := ownCtty(c)
			if err != nil {
				return err
			}
			c.Attr.Files = []uintptr{uintptr(p.Slave), uintptr(p.Slave), uintptr(p.Slave)}
			return nil
		}})
	Register(Scenario{Name: "noctty", Group: "tty", Isolated: true,
		Doc: "Noctty detaches the inherited controlling pty on fd 0",
		Setup: func(c *Ctx) error {
			p, err := ownCtty(c)
			if err != nil {
				return err
			}
			c.Attr.Files = []uintptr{uintptr(p.Slave), uintptr(p.Slave), uintptr(p.Slave)}
			c.Sys().Noctty = true
			return nil
		}})
	Register(Scenario{Name: "foreground", Group: "tty", Isolated: true,
		Doc: "Setpgid + Foreground: child's group becomes the pty's foreground group",
		Setup: func(c *Ctx) error {
			p, err := ownCtty(c)
			if err != nil {
				return err
			}
			c.Attr.Files = []uintptr{uintptr(p.Slave), uintptr(p.Slave), uintptr(p.Slave)}
			s := c.Sys()
			s.Setpgid, s.Foreground, s.Ctty = true, true, p.Slave
			return nil
		}})
	Register(Scenario{Name: "foreground-pgid", Group: "tty", Isolated: true,
		Doc: "Foreground with Pgid of an existing group in the session",
		Setup: func(c *Ctx) error {
			p, err := ownCtty(c)
			if err != nil {
				return err
			}
			pid, err := sleeper(c)
			if err != nil {
				return err
			}
			c.Attr.Files = []uintptr{uintptr(p.Slave), uintptr(p.Slave), uintptr(p.Slave)}
			s := c.Sys()
			s.Setpgid, s.Pgid, s.Foreground, s.Ctty = true, pid, true, p.Slave
			return nil
		}})

	// ---- Pdeathsig, ptrace ----
	Register(Scenario{Name: "pdeathsig-usr1", Group: "signals", Doc: "Pdeathsig SIGUSR1",
		Setup: func(c *Ctx) error { c.Sys().Pdeathsig = syscall.SIGUSR1; return nil }})
	Register(Scenario{Name: "pdeathsig-kill", Group: "signals", Doc: "Pdeathsig SIGKILL",
		Setup: func(c *Ctx) error { c.Sys().Pdeathsig = syscall.SIGKILL; return nil }})
	Register(Scenario{Name: "err-pdeathsig-invalid", Group: "errors", Doc: "Pdeathsig 200 (EINVAL)",
		Setup: func(c *Ctx) error { c.Sys().Pdeathsig = syscall.Signal(200); return nil }})
	Register(Scenario{Name: "ptrace", Group: "signals", NotUnderQemu: qemuPtrace,
		Doc: "Ptrace: parent waits for the exec SIGTRAP stop, then PTRACE_CONT",
		Setup: func(c *Ctx) error {
			c.Sys().Ptrace = true
			var stops []string
			c.Wait = func(pid int) (syscall.WaitStatus, error) {
				// Same (locked) thread as the fork: it is the tracer.
				t := time.AfterFunc(30*time.Second, func() { syscall.Kill(pid, syscall.SIGKILL) })
				defer t.Stop()
				var ws syscall.WaitStatus
				for {
					_, err := syscall.Wait4(pid, &ws, waitAll, nil)
					if err == syscall.EINTR {
						continue
					}
					if err != nil {
						return ws, err
					}
					if !ws.Stopped() {
						return ws, nil
					}
					stops = append(stops, unix.SignalName(ws.StopSignal()))
					sig := 0
					if ws.StopSignal() != syscall.SIGTRAP {
						sig = int(ws.StopSignal())
					}
					if err := ptraceCont(pid, sig); err != nil {
						return ws, fmt.Errorf("PTRACE_CONT: %w", err)
					}
				}
			}
			c.After = func(pid int, f Fields) { f["parent.ptrace_stops"] = strings.Join(stops, ",") }
			return nil
		}})

	registerProcLinux()
}

// sleeper starts /bin/sleep (or the probe-free fallback) in its own group
// and returns its pid, named $sibling; it is killed after the run.
func sleeper(c *Ctx) (int, error) {
	attr := &syscall.ProcAttr{Sys: &syscall.SysProcAttr{Setpgid: true}}
	pid, err := syscall.ForkExec("/bin/sleep", []string{"sleep", "60"}, attr)
	if err != nil {
		return 0, c.Skip("cannot start /bin/sleep: %v", err)
	}
	c.NamePid(pid, "$sibling")
	c.Defer(func() {
		syscall.Kill(pid, syscall.SIGKILL)
		WaitTimeout(pid, 10*time.Second)
	})
	return pid, nil
}

// ownCtty makes the (isolated) worker a session leader with a fresh pty
// as its controlling terminal.
func ownCtty(c *Ctx) (*Pty, error) {
	if _, err := unix.Setsid(); err != nil {
		return nil, c.Skip("setsid in the worker: %v", err)
	}
	p, err := c.OpenPty(false)
	if err != nil {
		return nil, c.Skip("no pty: %v", err)
	}
	if err := unix.IoctlSetInt(p.Slave, unix.TIOCSCTTY, 0); err != nil {
		return nil, c.Skip("TIOCSCTTY: %v", err)
	}
	// Runs first among the undo functions, after the child is reaped:
	// closing the pty would otherwise hang up this (isolated) worker.
	c.Defer(func() { signal.Ignore(syscall.SIGHUP) })
	return p, nil
}
