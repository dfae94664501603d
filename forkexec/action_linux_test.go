//go:build linux

package forkexec_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/forkexec/forkexec/forkexec"
	"github.com/forkexec/forkexec/internal/probe"
)

// TestActionsFiles: the file actions, the directory ones and Setrlimit, as
// the probe finds them. Needs no privilege.
func TestActionsFiles(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	pid, r, err := startProbe(t, forkexec.Spawn, probePath, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{
		Actions: []forkexec.Action{
			forkexec.OpenFile(100, out, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_TRUNC, 0o600),
			forkexec.Dup2(100, 101),
			forkexec.OpenFile(102, "/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0),
			forkexec.OpenFile(103, "/dev/null", syscall.O_RDONLY, 0),
			forkexec.CloseFile(103),
			forkexec.OpenFile(104, dir, syscall.O_RDONLY|syscall.O_DIRECTORY, 0),
			forkexec.OpenFile(201, "/dev/null", syscall.O_RDONLY, 0),
			forkexec.CloseFrom(200),
			forkexec.Chdir(dir),
			forkexec.Mkdir("made", 0o750), // relative: the Chdir above is in effect
			forkexec.Symlink("made", "link"),
			forkexec.WriteFile("made/f", []byte("hello"), 0o640),
			forkexec.Chdir("/"),
			forkexec.Fchdir(104),
			forkexec.Setrlimit(syscall.RLIMIT_NOFILE, 512, 1024),
		},
	}}, "-paths", strings.Join([]string{"made", "link", "made/f"}, ":"))
	if err != nil {
		t.Fatal(err)
	}
	rep := readReport(t, pid, r)
	if rep.Cwd != dir {
		t.Errorf("cwd %q, want %q (Fchdir)", rep.Cwd, dir)
	}
	for fd, want := range map[int]string{100: out, 101: out, 104: dir} {
		if got, ok := rep.FDs[fd]; !ok || got.Target != want || got.Cloexec {
			t.Errorf("fd %d: %+v (open %v), want %s without close-on-exec", fd, got, ok, want)
		}
	}
	for _, fd := range []int{102, 103, 201} {
		if got, ok := rep.FDs[fd]; ok {
			t.Errorf("fd %d open in the program: %+v", fd, got)
		}
	}
	want := map[string]probe.PathInfo{
		"made":   {Kind: "dir", Mode: 0o750, Writable: true},
		"link":   {Kind: "symlink", Link: "made", Mode: 0o777, Writable: true},
		"made/f": {Kind: "file", Data: "hello", Mode: 0o640, Writable: true},
	}
	for p, w := range want {
		if got := rep.Paths[p]; got != w {
			t.Errorf("%s: %+v, want %+v", p, got, w)
		}
	}
	// The probe's Go runtime raises its soft limit at start-up, so only
	// the hard one is as set.
	if rep.Nofile[1] != 1024 {
		t.Errorf("RLIMIT_NOFILE %v, want the hard limit 1024", rep.Nofile)
	}
}

// sandboxActions builds, in a new mount namespace, a tmpfs root holding the
// probe (read-only, bound from its directory), /proc and a file, and pivots
// into it.
func sandboxActions(t *testing.T) []forkexec.Action {
	root := filepath.Join(t.TempDir(), "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	in := func(p string) string { return filepath.Join(root, p) }
	return []forkexec.Action{
		forkexec.Propagation("/", syscall.MS_REC|syscall.MS_PRIVATE),
		forkexec.Mount("tmpfs", root, "tmpfs", 0, "mode=0755"),
		forkexec.Mkdir(in("bin"), 0o755),
		forkexec.Mkdir(in("proc"), 0o555),
		forkexec.Mkdir(in("etc"), 0o755),
		forkexec.Mkdir(in("data"), 0o755),
		forkexec.Mkdir(in("data2"), 0o755),
		forkexec.BindMount(filepath.Dir(probePath), in("bin"), false),
		forkexec.RemountReadOnly(in("bin")),
		// A mount with nosuid and nodev, bound and made read-only: the
		// remount must keep both.
		forkexec.Mount("tmpfs", in("data"), "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, ""),
		forkexec.BindMount(in("data"), in("data2"), true),
		forkexec.RemountReadOnly(in("data2")),
		forkexec.WriteFile(in("etc/greeting"), []byte("sandbox\n"), 0o644),
		forkexec.Symlink("/etc/greeting", in("link")),
		forkexec.Mount("proc", in("proc"), "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""),
		forkexec.PivotRoot(root),
		forkexec.Sethostname("sandbox"),
		forkexec.Mkdir("/mnt", 0o755),
		forkexec.Mount("tmpfs", "/mnt", "tmpfs", 0, ""),
		forkexec.Unmount("/mnt", 0),
		forkexec.Chdir("/etc"),
	}
}

// TestActionsSandbox: mounts, binds, a read-only remount that keeps its
// flags, pivot_root with the old root gone, the hostname, umount, as the
// probe finds them inside.
func TestActionsSandbox(t *testing.T) {
	requireRoot(t)
	attr := &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWUTS,
		Actions:    sandboxActions(t),
	}}
	plan, err := forkexec.NewPlan("/bin/probe", nil, attr)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%v", plan)
	pid, r, err := startProbe(t, forkexec.Spawn, "/bin/probe", attr,
		"-paths", "/bin/probe:/link:/etc/greeting:/mnt:/data2")
	if err != nil {
		t.Fatal(err)
	}
	rep := readReport(t, pid, r)
	if rep.Hostname != "sandbox" || rep.Cwd != "/etc" || rep.Root != "/" {
		t.Errorf("hostname %q, cwd %q, root %q; want sandbox, /etc, /", rep.Hostname, rep.Cwd, rep.Root)
	}
	// The old root is gone: only the new root's mounts are left.
	var points []string
	opts := map[string]string{}
	for _, m := range rep.Mounts {
		point, o, _ := strings.Cut(m, " ")
		points = append(points, point)
		opts[point] = o
	}
	if got := strings.Join(points, " "); got != "/ /bin /data /data2 /proc" {
		t.Errorf("mount points %q, want %q (mounts: %q)", got, "/ /bin /data /data2 /proc", rep.Mounts)
	}
	if o := opts["/bin"]; !strings.HasPrefix(o, "ro,") {
		t.Errorf("/bin mounted %q, want read-only", o)
	}
	if o := opts["/data2"]; !strings.HasPrefix(o, "ro,") || !strings.Contains(o, "nosuid") || !strings.Contains(o, "nodev") {
		t.Errorf("/data2 mounted %q, want ro with nosuid and nodev kept", o)
	}
	if p := rep.Paths["/bin/probe"]; p.Kind != "file" || p.Writable {
		t.Errorf("/bin/probe: %+v, want a file not writable", p)
	}
	if p := rep.Paths["/link"]; p.Kind != "symlink" || p.Link != "/etc/greeting" {
		t.Errorf("/link: %+v", p)
	}
	if p := rep.Paths["/etc/greeting"]; p.Data != "sandbox\n" {
		t.Errorf("/etc/greeting: %+v", p)
	}
	if p := rep.Paths["/mnt"]; p.Kind != "dir" {
		t.Errorf("/mnt: %+v", p)
	}
}

// TestActionsSetns: the child joins a network namespace another process
// holds, through a descriptor.
func TestActionsSetns(t *testing.T) {
	requireRoot(t)
	holder, err := forkexec.ForkExec(probePath, []string{"probe", "sleep"}, &forkexec.ProcAttr{
		Files: stdio(), Sys: &forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(holder, syscall.SIGKILL)
		wait(t, holder)
	}()
	nsPath := "/proc/" + strconv.Itoa(holder) + "/ns/net"
	ns, err := os.Open(nsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	want, _ := os.Readlink(nsPath)
	rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{
		Actions: []forkexec.Action{forkexec.Setns(int(ns.Fd()), syscall.CLONE_NEWNET)},
	}})
	if rep.NS["net"] != want || want == selfNS(t, "net") {
		t.Errorf("net namespace %q, want the holder's %q", rep.NS["net"], want)
	}
}

// TestActionFailures: actions that fail for real name the action, its
// index and its path or descriptor, leave no zombie and no descriptor,
// and the program never runs; also through the error pipe, after actions
// that closed every descriptor the pipe could have had.
func TestActionFailures(t *testing.T) {
	requireRoot(t)
	for _, c := range []struct {
		name    string
		pipe    bool
		actions []forkexec.Action
		step    forkexec.Step
		errno   syscall.Errno
		message string
	}{
		{"mkdir", false, []forkexec.Action{forkexec.Chdir("/"), forkexec.Mkdir("/no/such/dir", 0o755)},
			forkexec.StepMkdir, syscall.ENOENT, "forkexec: action 1 mkdir /no/such/dir: no such file or directory"},
		{"pivot_root onto no mount point", false, []forkexec.Action{forkexec.PivotRoot("/proc/self")},
			forkexec.StepPivotRoot, syscall.EINVAL, ""},
		{"close a closed descriptor", false, []forkexec.Action{forkexec.CloseFile(999)},
			forkexec.StepCloseFile, syscall.EBADF, "forkexec: action 0 close fd 999: bad file descriptor"},
		{"setns on no namespace", false, []forkexec.Action{forkexec.Setns(0, 0)},
			forkexec.StepActionSetns, syscall.EINVAL, "forkexec: action 0 setns fd 0: invalid argument"},
		{"open", false, []forkexec.Action{forkexec.OpenFile(5, "/no/such", syscall.O_RDONLY, 0)},
			forkexec.StepOpenFile, syscall.ENOENT, "forkexec: action 0 open /no/such: no such file or directory"},
		{"dup2 of a closed descriptor", false, []forkexec.Action{forkexec.Dup2(999, 5)},
			forkexec.StepDup2, syscall.EBADF, "forkexec: action 0 dup2 fd 999 onto 5: bad file descriptor"},
		{"chdir", false, []forkexec.Action{forkexec.Chdir("/no/such")},
			forkexec.StepActionChdir, syscall.ENOENT, "forkexec: action 0 chdir /no/such: no such file or directory"},
		{"fchdir", false, []forkexec.Action{forkexec.Fchdir(999)},
			forkexec.StepActionFchdir, syscall.EBADF, "forkexec: action 0 fchdir fd 999: bad file descriptor"},
		{"tcsetpgrp on no terminal", false, []forkexec.Action{forkexec.OpenFile(5, "/dev/null", syscall.O_RDONLY, 0), forkexec.Tcsetpgrp(5)},
			forkexec.StepTcsetpgrp, syscall.ENOTTY, "forkexec: action 1 tcsetpgrp fd 5: inappropriate ioctl for device"},
		{"remount a missing path", false, []forkexec.Action{forkexec.RemountReadOnly("/no/such")},
			forkexec.StepRemountReadOnly, syscall.ENOENT, "forkexec: action 0 remount read-only /no/such (statfs): no such file or directory"},
		{"propagation of no mount point", false, []forkexec.Action{forkexec.Propagation("/proc/self", syscall.MS_PRIVATE)},
			forkexec.StepPropagation, syscall.EINVAL, "forkexec: action 0 set propagation /proc/self: invalid argument"},
		{"umount of no mount point", false, []forkexec.Action{forkexec.Unmount("/proc/self", 0)},
			forkexec.StepUnmount, syscall.EINVAL, "forkexec: action 0 umount /proc/self: invalid argument"},
		{"symlink over a file", false, []forkexec.Action{forkexec.Symlink("x", "/proc/self/stat")},
			forkexec.StepSymlink, syscall.EEXIST, "forkexec: action 0 symlink /proc/self/stat: file exists"},
		{"write a file in no directory", false, []forkexec.Action{forkexec.WriteFile("/no/such/f", []byte("x"), 0o644)},
			forkexec.StepWriteFile, syscall.ENOENT, "forkexec: action 0 write file /no/such/f: no such file or directory"},
		{"setrlimit above nr_open", false, []forkexec.Action{forkexec.Setrlimit(syscall.RLIMIT_NOFILE, 1<<40, 1<<40)},
			forkexec.StepSetrlimit, syscall.EPERM, "forkexec: action 0 setrlimit RLIMIT_NOFILE: operation not permitted"},
		{"sethostname in the host's UTS namespace, from a new user namespace", false, []forkexec.Action{forkexec.Sethostname("x")},
			forkexec.StepSethostname, syscall.EPERM, `forkexec: action 0 sethostname "x": operation not permitted`},
		{"mount over a pipe, every descriptor closed before", true, []forkexec.Action{
			forkexec.CloseFile(3), forkexec.CloseFile(4), forkexec.CloseFile(5), forkexec.CloseFile(6),
			forkexec.CloseFile(7), forkexec.CloseFile(8), forkexec.CloseFile(9), forkexec.CloseFrom(3),
			forkexec.Mount("none", "/no/such", "tmpfs", 0, "")},
			forkexec.StepMount, syscall.ENOENT, "forkexec: action 8 mount /no/such: no such file or directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.pipe {
				forkexec.SetForceReportPipe(true)
				defer forkexec.SetForceReportPipe(false)
			}
			checkNoZombie(t)
			before := openFDs(t)
			sys := &forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS, Actions: c.actions}
			if c.step == forkexec.StepSethostname {
				// Never the host's name: in a user namespace of its own
				// the child has no right to it.
				self := []forkexec.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}}
				sys = &forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: self, GidMappings: self, Actions: c.actions}
			}
			pid, r, err := startProbe(t, forkexec.Spawn, probePath, &forkexec.ProcAttr{Files: stdio(), Sys: sys})
			if err == nil {
				readReport(t, pid, r)
				t.Fatal("the spawn succeeded")
			}
			e := stepError(t, err, c.step, c.errno)
			if e.Action != len(c.actions)-1 || e.Index < 0 {
				t.Errorf("%v: action %d, index %d; want action %d", err, e.Action, e.Index, len(c.actions)-1)
			}
			if c.message != "" && err.Error() != c.message {
				t.Errorf("message %q, want %q", err, c.message)
			}
			checkNoZombie(t)
			if after := openFDs(t); after != before {
				t.Errorf("descriptors: %d before, %d after", before, after)
			}
		})
	}
}

// TestActionsRefused: bad actions are refused before the fork, by NewPlan
// and Spawn alike, naming the action.
func TestActionsRefused(t *testing.T) {
	for _, c := range []struct {
		action forkexec.Action
		detail string
	}{
		{forkexec.PivotRoot("new/root"), `new root "new/root" is not an absolute path`},
		{forkexec.Mkdir("/a\x00b", 0o755), `path "/a\x00b" contains a NUL byte`},
		{forkexec.Mount("a\x00", "/mnt", "tmpfs", 0, ""), `source "a\x00" contains a NUL byte`},
		{forkexec.Mount("none", "/mnt", "tmpfs", 0, "size=1\x00"), "data contains a NUL byte"},
		{forkexec.Sethostname("a\x00"), `hostname "a\x00" contains a NUL byte`},
		{forkexec.Sethostname(strings.Repeat("h", 65)), "hostname longer than 64 bytes"},
		{forkexec.CloseFile(-1), "descriptor -1 is negative"},
		{forkexec.Dup2(1, -2), "descriptor -2 is negative"},
		{forkexec.OpenFile(-1, "/dev/null", 0, 0), "descriptor -1 is negative"},
		{forkexec.Propagation("/", syscall.MS_BIND), "flags 0x1000 are not one of MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE (with MS_REC)"},
		{forkexec.Setrlimit(syscall.RLIMIT_NOFILE, 10, 5), "soft limit 10 above hard limit 5"},
		{forkexec.Chdir(""), "empty path"},
		{forkexec.Action{}, "not an Action made by this package (the zero Action?)"},
	} {
		attr := &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Actions: []forkexec.Action{forkexec.Chdir("/"), c.action}}}
		_, perr := forkexec.NewPlan("/bin/true", nil, attr)
		_, serr := forkexec.Spawn("/bin/true", nil, attr)
		_, ferr := forkexec.ForkExec("/bin/true", nil, attr)
		var e *forkexec.Error
		if !errors.As(serr, &e) || e.Detail != c.detail || e.Action != 1 || e.Index != -1 || e.Errno != syscall.EINVAL {
			t.Errorf("%q: Spawn: %v (%#v)", c.detail, serr, e)
			continue
		}
		if perr == nil || perr.Error() != serr.Error() || ferr != syscall.EINVAL {
			t.Errorf("%q: NewPlan %v, Spawn %v, ForkExec %v", c.detail, perr, serr, ferr)
		}
	}
	checkNoZombie(t)
}

// TestPlanListsActions: NewPlan lists each action, numbered, with its
// arguments, between the namespaces and chroot.
func TestPlanListsActions(t *testing.T) {
	plan, err := forkexec.NewPlan("/bin/true", []string{"true"}, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{
		Chroot: "/srv", Unshareflags: syscall.CLONE_NEWNS,
		Actions: []forkexec.Action{
			forkexec.Mount("proc", "/srv/proc", "proc", syscall.MS_NOSUID, ""),
			forkexec.OpenFile(0, "/dev/null", syscall.O_RDONLY, 0),
			forkexec.Setrlimit(syscall.RLIMIT_NOFILE, 64, 128),
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	text := plan.String()
	t.Logf("\n%s", text)
	for _, line := range []string{
		` action 0 mount "proc" on /srv/proc type proc flags 0x2` + "\n",
		` action 1 open /dev/null onto fd 0 flags 0x0 mode 00` + "\n",
		` action 2 setrlimit RLIMIT_NOFILE soft 64 hard 128` + "\n",
	} {
		if !strings.Contains(text, line) {
			t.Errorf("plan lacks %q", line)
		}
	}
	if strings.Index(text, "make / private") > strings.Index(text, "action 0") || strings.Index(text, "action 2") > strings.Index(text, "chroot") {
		t.Errorf("actions not between the namespaces and chroot:\n%s", text)
	}
}

// everyAction is an action of every kind that succeeds as root in a new
// mount and UTS namespace, for the injection table (inject_linux_test.go),
// but the last, Tcsetpgrp on tty, a terminal the child does not control.
func everyAction(t *testing.T, tty *os.File) []forkexec.Action {
	uts, err := os.Open("/proc/self/ns/uts")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { uts.Close() })
	actions := []forkexec.Action{
		forkexec.OpenFile(100, "/dev/null", syscall.O_RDONLY, 0),
		forkexec.Dup2(100, 101),
		forkexec.CloseFile(101),
		forkexec.OpenFile(102, "/", syscall.O_RDONLY|syscall.O_DIRECTORY, 0),
		forkexec.Fchdir(102),
		forkexec.CloseFrom(150),
		forkexec.Setrlimit(syscall.RLIMIT_NOFILE, 1024, 1024),
	}
	actions = append(actions, sandboxActions(t)...)
	// Back into this process's UTS namespace, after the hostname is set.
	return append(actions, forkexec.Setns(int(uts.Fd()), syscall.CLONE_NEWUTS), forkexec.Tcsetpgrp(int(tty.Fd())))
}
