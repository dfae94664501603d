package suite

import (
	"bufio"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const qemuPtrace = "qemu-user does not emulate ptrace"

// nsSetup returns a Setup that sets Cloneflags and Unshareflags, then
// calls extra (if not nil) on the SysProcAttr.
func nsSetup(clone, unshare uintptr, extra func(s *syscall.SysProcAttr)) func(c *Ctx) error {
	return func(c *Ctx) error {
		s := c.Sys()
		s.Cloneflags, s.Unshareflags = clone, unshare
		if extra != nil {
			extra(s)
		}
		return nil
	}
}

// userMaps maps uid and gid 0 inside a new user namespace to 1000.
func userMaps(s *syscall.SysProcAttr) {
	s.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 1000, Size: 1}}
	s.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 1000, Size: 1}}
}

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
			if err := syscall.Setresgid(1000, 1000, 1000); err != nil {
				return err
			}
			if err := syscall.Setresuid(1000, 1000, 1000); err != nil {
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
			if err := syscall.Setresgid(1000, 1000, 1000); err != nil {
				return err
			}
			return syscall.Setresuid(1000, 1000, 1000)
		}})
	Register(Scenario{Name: "err-cred-userns-unmapped", Group: "errors",
		Doc: "new user namespace without maps, Credential 0/0 is refused",
		Setup: func(c *Ctx) error {
			s := c.Sys()
			s.Cloneflags = syscall.CLONE_NEWUSER
			s.Credential = &syscall.Credential{}
			return nil
		}})

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
					_, err := syscall.Wait4(pid, &ws, unix.WALL, nil)
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
					if err := syscall.PtraceCont(pid, sig); err != nil {
						return ws, fmt.Errorf("PTRACE_CONT: %w", err)
					}
				}
			}
			c.After = func(pid int, f Fields) { f["parent.ptrace_stops"] = strings.Join(stops, ",") }
			return nil
		}})

	// ---- Namespaces ----
	Register(Scenario{Name: "clone-newuts", Group: "ns", Doc: "Cloneflags CLONE_NEWUTS",
		Setup: nsSetup(syscall.CLONE_NEWUTS, 0, nil)})
	Register(Scenario{Name: "clone-newipc", Group: "ns", Doc: "Cloneflags CLONE_NEWIPC",
		Setup: nsSetup(syscall.CLONE_NEWIPC, 0, nil)})
	Register(Scenario{Name: "clone-newnet", Group: "ns", Doc: "Cloneflags CLONE_NEWNET",
		Setup: nsSetup(syscall.CLONE_NEWNET, 0, nil)})
	Register(Scenario{Name: "clone-newns", Group: "ns", Doc: "Cloneflags CLONE_NEWNS",
		Setup: nsSetup(syscall.CLONE_NEWNS, 0, nil)})
	Register(Scenario{Name: "clone-newpid", Group: "ns", Doc: "Cloneflags CLONE_NEWPID (child is pid 1)",
		Setup: nsSetup(syscall.CLONE_NEWPID, 0, nil)})
	Register(Scenario{Name: "clone-newcgroup", Group: "ns", Doc: "Cloneflags CLONE_NEWCGROUP",
		Setup: nsSetup(syscall.CLONE_NEWCGROUP, 0, nil)})
	Register(Scenario{Name: "clone-newtime", Group: "ns", Doc: "Cloneflags CLONE_NEWTIME (clone3)",
		Setup: nsSetup(unix.CLONE_NEWTIME, 0, nil)})
	Register(Scenario{Name: "clone-many", Group: "ns", Doc: "Cloneflags NEWUTS|NEWIPC|NEWNET|NEWNS|NEWPID|NEWCGROUP",
		Setup: nsSetup(syscall.CLONE_NEWUTS|syscall.CLONE_NEWIPC|syscall.CLONE_NEWNET|syscall.CLONE_NEWNS|syscall.CLONE_NEWPID|syscall.CLONE_NEWCGROUP, 0, nil)})
	Register(Scenario{Name: "clone-newuser-nomap", Group: "ns", Doc: "Cloneflags CLONE_NEWUSER without maps (overflow ids)",
		Setup: nsSetup(syscall.CLONE_NEWUSER, 0, nil)})
	Register(Scenario{Name: "clone-newuser-maps", Group: "ns", Doc: "CLONE_NEWUSER with uid/gid maps 0->1000",
		Setup: nsSetup(syscall.CLONE_NEWUSER, 0, userMaps)})
	Register(Scenario{Name: "clone-newuser-setgroups", Group: "ns", Doc: "CLONE_NEWUSER with maps and GidMappingsEnableSetgroups",
		Setup: nsSetup(syscall.CLONE_NEWUSER, 0, func(s *syscall.SysProcAttr) { userMaps(s); s.GidMappingsEnableSetgroups = true })})
	Register(Scenario{Name: "clone-newuser-ranges", Group: "ns", Doc: "CLONE_NEWUSER with two-range maps",
		Setup: nsSetup(syscall.CLONE_NEWUSER, 0, func(s *syscall.SysProcAttr) {
			s.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 1000, Size: 1}, {ContainerID: 1, HostID: 100000, Size: 65536}}
			s.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 1000, Size: 1}, {ContainerID: 1, HostID: 100000, Size: 65536}}
		})})
	Register(Scenario{Name: "clone-newuser-cred", Group: "ns", Doc: "CLONE_NEWUSER with maps, Credential 1/1 inside",
		Setup: nsSetup(syscall.CLONE_NEWUSER, 0, func(s *syscall.SysProcAttr) {
			s.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 1000, Size: 1}, {ContainerID: 1, HostID: 100000, Size: 10}}
			s.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 1000, Size: 1}, {ContainerID: 1, HostID: 100000, Size: 10}}
			s.GidMappingsEnableSetgroups = true
			s.Credential = &syscall.Credential{Uid: 1, Gid: 1, Groups: []uint32{2}}
		})})
	Register(Scenario{Name: "clone-newuser-all", Group: "ns", Doc: "CLONE_NEWUSER with maps plus every other namespace",
		Setup: nsSetup(syscall.CLONE_NEWUSER|syscall.CLONE_NEWUTS|syscall.CLONE_NEWIPC|syscall.CLONE_NEWNET|syscall.CLONE_NEWNS|syscall.CLONE_NEWPID, 0, userMaps)})
	// Not covered: UidMappings without CLONE_NEWUSER deadlocks the stdlib
	// itself (vfork parent waits for a child that waits for the maps).
	Register(Scenario{Name: "err-uidmap-overlap", Group: "ns", Doc: "CLONE_NEWUSER with overlapping uid ranges (EINVAL writing the map)",
		Setup: nsSetup(syscall.CLONE_NEWUSER, 0, func(s *syscall.SysProcAttr) {
			s.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 1000, Size: 10}, {ContainerID: 5, HostID: 2000, Size: 10}}
		})})
	Register(Scenario{Name: "unshare-uts-ipc-net", Group: "ns", Doc: "Unshareflags NEWUTS|NEWIPC|NEWNET",
		Setup: nsSetup(0, syscall.CLONE_NEWUTS|syscall.CLONE_NEWIPC|syscall.CLONE_NEWNET, nil)})
	Register(Scenario{Name: "unshare-newns", Group: "ns", Doc: "Unshareflags CLONE_NEWNS (root remounted private)",
		Setup: nsSetup(0, syscall.CLONE_NEWNS, nil)})
	Register(Scenario{Name: "unshare-newpid", Group: "ns", Doc: "Unshareflags CLONE_NEWPID (only children enter it)",
		Setup: nsSetup(0, syscall.CLONE_NEWPID, nil)})
	Register(Scenario{Name: "unshare-newuser", Group: "ns", Doc: "Unshareflags CLONE_NEWUSER",
		Setup: nsSetup(0, syscall.CLONE_NEWUSER, nil)})
	Register(Scenario{Name: "clone-and-unshare", Group: "ns", Doc: "Cloneflags NEWPID plus Unshareflags NEWNS|NEWUTS",
		Setup: nsSetup(syscall.CLONE_NEWPID, syscall.CLONE_NEWNS|syscall.CLONE_NEWUTS, nil)})
	Register(Scenario{Name: "err-unshare-invalid", Group: "ns", Doc: "Unshareflags with an invalid bit (EINVAL)",
		Setup: nsSetup(0, 1<<0|syscall.CLONE_NEWUTS, nil)})

	// ---- Capabilities, cgroups, pidfd ----
	Register(Scenario{Name: "ambient-caps", Group: "caps", Doc: "Credential 1000 with AmbientCaps NET_BIND_SERVICE, SYS_TIME",
		Setup: func(c *Ctx) error {
			s := c.Sys()
			s.Credential = &syscall.Credential{Uid: 1000, Gid: 1000}
			s.AmbientCaps = []uintptr{unix.CAP_NET_BIND_SERVICE, unix.CAP_SYS_TIME}
			return nil
		}})
	Register(Scenario{Name: "ambient-caps-root", Group: "caps", Doc: "AmbientCaps CAP_NET_RAW as root",
		Setup: func(c *Ctx) error { c.Sys().AmbientCaps = []uintptr{unix.CAP_NET_RAW}; return nil }})
	Register(Scenario{Name: "err-ambient-invalid", Group: "errors", Doc: "AmbientCaps with capability 63 (EINVAL; >= 64 crashes the stdlib child)",
		Setup: func(c *Ctx) error { c.Sys().AmbientCaps = []uintptr{63}; return nil }})
	Register(Scenario{Name: "cgroupfd", Group: "cgroup", Doc: "UseCgroupFD into a fresh cgroup v2 child",
		Setup: func(c *Ctx) error {
			fd, err := cgroupDir(c)
			if err != nil {
				return err
			}
			s := c.Sys()
			s.UseCgroupFD, s.CgroupFD = true, fd
			return nil
		}})
	Register(Scenario{Name: "err-cgroupfd-bad", Group: "errors", Doc: "UseCgroupFD with a closed descriptor (EBADF)",
		Setup: func(c *Ctx) error {
			s := c.Sys()
			s.UseCgroupFD, s.CgroupFD = true, 977
			return nil
		}})
	Register(Scenario{Name: "pidfd", Group: "pidfd", Doc: "PidFD: a pidfd referring to the child is returned",
		Setup: func(c *Ctx) error { pidfd(c); return nil }})
	Register(Scenario{Name: "pidfd-cgroupfd", Group: "pidfd", Doc: "PidFD together with UseCgroupFD (clone3)",
		Setup: func(c *Ctx) error {
			fd, err := cgroupDir(c)
			if err != nil {
				return err
			}
			s := c.Sys()
			s.UseCgroupFD, s.CgroupFD = true, fd
			pidfd(c)
			return nil
		}})
	Register(Scenario{Name: "pidfd-error", Group: "pidfd", Doc: "PidFD on a failing start is set to -1",
		Setup: func(c *Ctx) error {
			v := pidfd(c)
			c.Argv0 = "/no/such/program"
			c.Exec = func(c *Ctx) Fields {
				f := c.ExecProbe()
				f["parent.pidfd"] = strconv.Itoa(*v)
				return f
			}
			return nil
		}})
}

// pidfd sets PidFD and records its validity after the child is reaped.
func pidfd(c *Ctx) *int {
	v := new(int)
	*v = -7
	c.Sys().PidFD = v
	c.After = func(pid int, f Fields) {
		switch {
		case *v == -7:
			f["parent.pidfd"] = "untouched"
		case *v < 0:
			f["parent.pidfd"] = strconv.Itoa(*v)
		default:
			f["parent.pidfd"] = "pid " + fdinfoPid(*v, pid)
			syscall.Close(*v)
		}
	}
	return v
}

func fdinfoPid(fd, pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/self/fdinfo/%d", fd))
	if err != nil {
		return "unreadable"
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Pid:"); ok {
			v = strings.TrimSpace(v)
			if v == strconv.Itoa(pid) {
				return "$child"
			}
			if v == "-1" {
				return "-1 (exited)"
			}
			return "other"
		}
	}
	return "not a pidfd"
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

// cgroupDir creates a child cgroup in the cgroup v2 hierarchy and returns
// an open descriptor of it; it is removed after the run.
func cgroupDir(c *Ctx) (int, error) {
	root := cgroup2Mount()
	if root == "" {
		return 0, c.Skip("no cgroup v2 hierarchy mounted")
	}
	dir := filepath.Join(root, fmt.Sprintf("fxconf-%d-%s", os.Getpid(), c.Impl.Name()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return 0, c.Skip("cgroup v2 at %s not writable: %v", root, err)
	}
	c.Defer(func() {
		for i := 0; i < 50 && syscall.Rmdir(dir) == syscall.EBUSY; i++ {
			time.Sleep(20 * time.Millisecond)
		}
	})
	c.cgroup = strings.TrimPrefix(dir, root)
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	c.Defer(func() { syscall.Close(fd) })
	return fd, nil
}

func cgroup2Mount() string {
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		return "/sys/fs/cgroup"
	}
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(data), "\n") {
		i := strings.Index(l, " - cgroup2 ")
		if i < 0 {
			continue
		}
		f := strings.Fields(l[:i])
		if len(f) >= 5 {
			return f[4]
		}
	}
	return ""
}
