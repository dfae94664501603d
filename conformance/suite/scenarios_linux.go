package suite

// The scenarios of Linux-only SysProcAttr fields and features, each
// registered from the shared registration functions at its place in the
// table (scenarios_freebsd.go has empty counterparts).

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

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

// registerCredUserns registers the credential scenario of user
// namespaces.
func registerCredUserns() {
	Register(Scenario{Name: "err-cred-userns-unmapped", Group: "errors",
		Doc: "new user namespace without maps, Credential 0/0 is refused",
		Setup: func(c *Ctx) error {
			s := c.Sys()
			s.Cloneflags = syscall.CLONE_NEWUSER
			s.Credential = &syscall.Credential{}
			return nil
		}})
}

// registerProcLinux registers the scenarios of namespaces, capabilities,
// cgroups and pidfds.
func registerProcLinux() {
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

// registerSettingsLinux registers the settings scenarios of capabilities,
// seccomp and the hostname.
func registerSettingsLinux() {
	Register(Scenario{Name: "ext-only-caps", Group: "extension", NeedsRoot: true,
		Doc: "OnlyCaps(NET_BIND_SERVICE) as root: every set is that one capability",
		Ext: Ext{OnlyCaps: []uintptr{unix.CAP_NET_BIND_SERVICE}}, Setup: noSetup,
		Expect: expectFields(map[string]string{
			"status.CapBnd": "0000000000000400", "status.CapPrm": "0000000000000400",
			"status.CapEff": "0000000000000400", "status.CapInh": "0000000000000400",
		})})
	Register(Scenario{Name: "ext-only-caps-none", Group: "extension", NeedsRoot: true,
		Doc: "OnlyCaps() as root: root keeps no capability across exec",
		Ext: Ext{OnlyCaps: []uintptr{}}, Setup: noSetup,
		Expect: expectFields(map[string]string{"status.CapBnd": "0000000000000000", "status.CapEff": "0000000000000000", "status.CapPrm": "0000000000000000"})})
	Register(Scenario{Name: "ext-seccomp", Group: "extension", Doc: "a seccomp filter allowing everything, with NoNewPrivs: the child runs in seccomp mode 2",
		NotUnderQemu: "qemu-user refuses seccomp (ENOSYS): a filter would judge the emulator's own calls",
		Setup: func(c *Ctx) error {
			c.Ext.NoNewPrivs = true
			c.Ext.Seccomp = []unix.SockFilter{{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW}}
			return nil
		},
		Ext:    Ext{Seccomp: []unix.SockFilter{}},
		Expect: expectFields(map[string]string{"status.Seccomp": "2", "no_new_privs": "1"})})
	Register(Scenario{Name: "ext-hostname", Group: "extension", NeedsRoot: true, Doc: "Hostname in a new UTS namespace: the child's hostname",
		NotUnderQemu: "qemu-user refuses clone's namespace flags (EINVAL)",
		Ext:          Ext{Hostname: "conformance"},
		Setup: func(c *Ctx) error {
			c.Sys().Cloneflags |= syscall.CLONE_NEWUTS
			return nil
		},
		Expect: expectFields(map[string]string{"hostname": "conformance", "ns.uts": "new"})})
}

// registerSettingsLinuxLate registers the settings scenarios of
// oom_score_adj and joined namespaces.
func registerSettingsLinuxLate(mask func(int) *int) {
	Register(Scenario{Name: "ext-oom-score-adj", Group: "extension", Doc: "OOMScoreAdj 500: the child's oom_score_adj",
		Ext: Ext{OOMScoreAdj: mask(500)}, Setup: noSetup, Expect: expectFields(map[string]string{"oom_score_adj": "500"})})
	Register(Scenario{Name: "ext-join-uts", Group: "extension", NeedsRoot: true,
		Doc:          "JoinNamespaces: the UTS namespace of another process, which has one of its own: the child is in it",
		NotUnderQemu: "the holder needs clone's namespace flags, which qemu-user refuses",
		Setup: func(c *Ctx) error {
			holder, err := syscall.ForkExec("/bin/sleep", []string{"sleep", "60"}, &syscall.ProcAttr{Sys: &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUTS}})
			if err != nil {
				return c.Skip("no holder process: %v", err)
			}
			c.Defer(func() {
				syscall.Kill(holder, syscall.SIGKILL)
				var ws syscall.WaitStatus
				syscall.Wait4(holder, &ws, 0, nil)
			})
			fd := int(c.MustOpen("/proc/"+strconv.Itoa(holder)+"/ns/uts", syscall.O_RDONLY, 0))
			c.Ext.JoinNamespaces = []Namespace{{FD: fd, Type: syscall.CLONE_NEWUTS}}
			return nil
		},
		Ext:    Ext{JoinNamespaces: []Namespace{}},
		Expect: expectFields(map[string]string{"ns.uts": "new"})})
}

// stepErrorsLinux are the StepErrors scenarios on the setups of the
// Linux-only error scenarios.
func stepErrorsLinux() []Scenario {
	return []Scenario{
		stepError("err-ambient-invalid", "raise ambient capability", syscall.EINVAL, ""),
		stepError("err-unshare-invalid", "unshare", syscall.EINVAL, ""),
		stepError("err-cgroupfd-bad", "clone", syscall.EBADF, ""),
		stepError("err-uidmap-overlap", "write id map", syscall.EINVAL, ""),
	}
}
