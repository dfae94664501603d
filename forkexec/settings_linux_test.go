//go:build linux

package forkexec_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/forkexec/forkexec/forkexec"
	"golang.org/x/sys/unix"
)

// The tests of the settings beyond the stdlib's: each starts a real child
// and checks what the child reports it got.

// runProbeMode starts the probe in a mode that exits with an errno (read,
// mkdir) and returns the exit status.
func runProbeMode(t *testing.T, attr *forkexec.ProcAttr, args ...string) int {
	t.Helper()
	pid, err := forkexec.Spawn(probePath, append([]string{probePath}, args...), attr)
	if err != nil {
		t.Fatalf("Spawn: %v", err)
	}
	ws := wait(t, pid)
	if !ws.Exited() {
		t.Fatalf("probe: %v", describe(ws))
	}
	return ws.ExitStatus()
}

// mustRefuse checks that a spawn with attr is refused before any fork with
// the step and errno, and that ForkExec gives the bare errno.
func mustRefuse(t *testing.T, attr *forkexec.ProcAttr, step forkexec.Step, errno syscall.Errno) {
	t.Helper()
	checkNoZombie(t)
	_, err := forkexec.Spawn(probePath, []string{probePath, "exit", "0"}, attr)
	e := stepError(t, err, step, errno)
	if e.Index != -1 {
		t.Errorf("refused with index %d, want -1 (before the fork): %v", e.Index, err)
	}
	if _, ferr := forkexec.ForkExec(probePath, []string{probePath, "exit", "0"}, attr); ferr != errno {
		t.Errorf("ForkExec: %v, want the bare %v", ferr, errno)
	}
	checkNoZombie(t)
}

func TestUmask(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	for _, c := range []struct {
		use  bool
		mask int
		want string
	}{{false, 0, "0022"}, {true, 0, "0000"}, {true, 0o077, "0077"}} {
		rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{UseUmask: c.use, Umask: c.mask}})
		if rep.Status["Umask"] != c.want {
			t.Errorf("UseUmask %v Umask %#o: child's umask %s, want %s", c.use, c.mask, rep.Status["Umask"], c.want)
		}
	}
	mustRefuse(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{UseUmask: true, Umask: 0o1000}}, forkexec.StepUmask, syscall.EINVAL)
}

func TestRlimits(t *testing.T) {
	var nproc syscall.Rlimit
	syscall.Getrlimit(unix.RLIMIT_NPROC, &nproc)
	rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{Rlimits: []forkexec.Rlimit{
		{Resource: syscall.RLIMIT_NOFILE, Cur: 100, Max: 200},
		{Resource: syscall.RLIMIT_CORE, Cur: 0, Max: 0},
		{Resource: unix.RLIMIT_FSIZE, Cur: 1 << 30, Max: 1 << 31},
		{Resource: unix.RLIMIT_NPROC, Cur: 5000, Max: nproc.Max},
	}}})
	// The probe is a Go program, whose runtime raises its soft
	// RLIMIT_NOFILE to the hard limit less one at start-up: it sees 199.
	for name, want := range map[string][2]uint64{"nofile": {199, 200}, "core": {0, 0}, "fsize": {1 << 30, 1 << 31}, "nproc": {5000, nproc.Max}} {
		if got := rep.Rlimits[name]; got != want {
			t.Errorf("%s: child has %v, want %v", name, got, want)
		}
	}
	mustRefuse(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Rlimits: []forkexec.Rlimit{{Resource: syscall.RLIMIT_NOFILE, Cur: 10, Max: 5}}}}, forkexec.StepRlimit, syscall.EINVAL)
	mustRefuse(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Rlimits: []forkexec.Rlimit{{Resource: 99}}}}, forkexec.StepRlimit, syscall.EINVAL)

	// In a new user namespace a hard limit cannot be raised: the step
	// fails and names the limit.
	requireRoot(t)
	var lim syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	if lim.Max == unix.RLIM_INFINITY {
		t.Skip("RLIMIT_NOFILE's hard limit is already infinite")
	}
	own := []forkexec.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}}
	_, err := forkexec.Spawn(probePath, []string{probePath, "exit", "0"}, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWUSER, UidMappings: own, GidMappings: own,
		Rlimits: []forkexec.Rlimit{{Resource: syscall.RLIMIT_NOFILE, Cur: lim.Max + 1, Max: lim.Max + 1}},
	}})
	if e := stepError(t, err, forkexec.StepRlimit, syscall.EPERM); e.Detail != "RLIMIT_NOFILE" {
		t.Errorf("detail %q, want RLIMIT_NOFILE", e.Detail)
	}
}

func TestSignalMask(t *testing.T) {
	const usr1, term = 1 << (syscall.SIGUSR1 - 1), 1 << (syscall.SIGTERM - 1)
	rep := runCProbe(t, forkexec.ForkExec, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{
		UseSignalMask: true, SignalMask: []syscall.Signal{syscall.SIGUSR1, syscall.SIGTERM},
	}})
	if rep.sigBlk != usr1|term {
		t.Errorf("SigBlk %#x, want %#x", rep.sigBlk, usr1|term)
	}
	// After ResetSignals, which empties the mask.
	rep = runCProbe(t, forkexec.ForkExec, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{
		ResetSignals: true, UseSignalMask: true, SignalMask: []syscall.Signal{syscall.SIGUSR1},
	}})
	if rep.sigBlk != usr1 {
		t.Errorf("with ResetSignals: SigBlk %#x, want %#x", rep.sigBlk, usr1)
	}
	mustRefuse(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{UseSignalMask: true, SignalMask: []syscall.Signal{0}}}, forkexec.StepSignalMask, syscall.EINVAL)
}

// capBits is a /proc/PID/status capability line for caps.
func capBits(caps ...uintptr) string {
	var m uint64
	for _, c := range caps {
		m |= 1 << c
	}
	return fmt.Sprintf("%016x", m)
}

// haveCap reports whether this process has capability c in its effective
// set: the machine a test runs on may withhold some from root
// (CAP_SYS_RESOURCE in some sandboxes).
func haveCap(t *testing.T, c uint) bool {
	t.Helper()
	var hdr unix.CapUserHeader
	var data [2]unix.CapUserData
	hdr.Version = unix.LINUX_CAPABILITY_VERSION_3
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		t.Fatal(err)
	}
	return data[c/32].Effective&(1<<(c%32)) != 0
}

func TestCapabilities(t *testing.T) {
	requireRoot(t)
	nobody := &forkexec.Credential{Uid: 65534, Gid: 65534}
	bind := uintptr(unix.CAP_NET_BIND_SERVICE)
	for _, c := range []struct {
		name string
		sys  forkexec.SysProcAttr
		want map[string]string
	}{
		{"root keeps one across setuid", forkexec.SysProcAttr{Credential: nobody, Capabilities: forkexec.OnlyCaps(bind), AmbientCaps: []uintptr{bind}},
			map[string]string{"CapEff": capBits(bind), "CapPrm": capBits(bind), "CapInh": capBits(bind), "CapBnd": capBits(bind), "CapAmb": capBits(bind)}},
		{"root drops all", forkexec.SysProcAttr{Capabilities: forkexec.OnlyCaps()},
			map[string]string{"CapEff": capBits(), "CapPrm": capBits(), "CapInh": capBits(), "CapBnd": capBits()}},
		{"root keeps root but loses bounding", forkexec.SysProcAttr{Capabilities: &forkexec.Capabilities{Bounding: []uintptr{bind}}},
			map[string]string{"CapBnd": capBits(bind), "CapEff": capBits(bind)}},
		{"noroot securebit", forkexec.SysProcAttr{Capabilities: &forkexec.Capabilities{SecureBits: secbitNoroot, Inheritable: []uintptr{}}},
			map[string]string{"CapEff": capBits(), "CapPrm": capBits()}},
		{"non-root without ambient keeps nothing", forkexec.SysProcAttr{Credential: nobody, Capabilities: forkexec.OnlyCaps(bind)},
			map[string]string{"CapEff": capBits(), "CapPrm": capBits(), "CapBnd": capBits(bind)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			sys := c.sys
			rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &sys})
			for k, v := range c.want {
				if rep.Status[k] != v {
					t.Errorf("%s %s, want %s", k, rep.Status[k], v)
				}
			}
		})
	}
	// A set the child may not have: effective beyond permitted after
	// setuid fails at capset, named.
	_, err := forkexec.Spawn(probePath, []string{probePath, "exit", "0"}, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{
		Credential: nobody, Capabilities: &forkexec.Capabilities{Permitted: []uintptr{bind}, Effective: []uintptr{bind, unix.CAP_SYS_ADMIN}},
	}})
	stepError(t, err, forkexec.StepCapabilities, syscall.EPERM)
	mustRefuse(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Capabilities: forkexec.OnlyCaps(63)}}, forkexec.StepCapabilities, syscall.EINVAL)
}

// seccompDeny returns a filter that makes the system call nr fail with
// errno and allows every other, for this architecture; ok is false where
// the test does not know the architecture's audit number.
func seccompDeny(nr uintptr, errno syscall.Errno) (filter []unix.SockFilter, ok bool) {
	arch := map[string]uint32{"amd64": unix.AUDIT_ARCH_X86_64, "arm64": unix.AUDIT_ARCH_AARCH64, "riscv64": unix.AUDIT_ARCH_RISCV64,
		"ppc64le": unix.AUDIT_ARCH_PPC64LE, "s390x": unix.AUDIT_ARCH_S390X, "386": unix.AUDIT_ARCH_I386, "arm": unix.AUDIT_ARCH_ARM,
		"loong64": unix.AUDIT_ARCH_LOONGARCH64, "mips64le": unix.AUDIT_ARCH_MIPSEL64}[runtime.GOARCH]
	if arch == 0 {
		return nil, false
	}
	const (
		offNr   = 0 // struct seccomp_data: int nr, u32 arch, ...
		offArch = 4
	)
	return []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: offArch},
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 1, Jf: 0, K: arch},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW}, // another ABI: not ours to judge
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: offNr},
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 0, Jf: 1, K: uint32(nr)},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ERRNO | uint32(errno)},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW},
	}, true
}

func TestSeccomp(t *testing.T) {
	filter, ok := seccompDeny(unix.SYS_MKDIRAT, syscall.EXDEV)
	if !ok {
		t.Skipf("no audit architecture number for %s in this test", runtime.GOARCH)
	}
	dir := t.TempDir()
	sys := &forkexec.SysProcAttr{NoNewPrivs: true, SeccompFilter: filter}
	if got := runProbeMode(t, &forkexec.ProcAttr{Files: stdio(), Sys: sys}, "mkdir", filepath.Join(dir, "d")); got != int(syscall.EXDEV) {
		t.Errorf("mkdir under the filter: exit %d, want %d (EXDEV)", got, syscall.EXDEV)
	}
	if got := runProbeMode(t, &forkexec.ProcAttr{Files: stdio()}, "mkdir", filepath.Join(dir, "d")); got != 0 {
		t.Errorf("mkdir without the filter: exit %d, want 0", got)
	}
	rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: sys})
	if rep.Status["Seccomp"] != "2" || rep.Status["NoNewPrivs"] != "1" {
		t.Errorf("Seccomp %q NoNewPrivs %q, want 2 and 1", rep.Status["Seccomp"], rep.Status["NoNewPrivs"])
	}
	// SECCOMP_FILTER_FLAG_LOG is accepted and the filter still applies.
	sys.SeccompFlags = unix.SECCOMP_FILTER_FLAG_LOG
	if got := runProbeMode(t, &forkexec.ProcAttr{Files: stdio(), Sys: sys}, "mkdir", filepath.Join(dir, "e")); got != int(syscall.EXDEV) {
		t.Errorf("with SECCOMP_FILTER_FLAG_LOG: exit %d, want EXDEV", got)
	}
	mustRefuse(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{SeccompFilter: []unix.SockFilter{}}}, forkexec.StepSeccomp, syscall.EINVAL)
	// An unknown flag: the kernel refuses it in the child, named.
	_, err := forkexec.Spawn(probePath, []string{probePath, "exit", "0"}, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{NoNewPrivs: true, SeccompFilter: filter, SeccompFlags: 1 << 30}})
	stepError(t, err, forkexec.StepSeccomp, syscall.EINVAL)
}

func TestNoNewPrivs(t *testing.T) {
	for _, on := range []bool{false, true} {
		rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{NoNewPrivs: on}})
		if want := map[bool]string{false: "0", true: "1"}[on]; rep.Status["NoNewPrivs"] != want {
			t.Errorf("NoNewPrivs %v: child has %q", on, rep.Status["NoNewPrivs"])
		}
	}
}

// landlockRuleset makes a ruleset that handles reading files and allows
// it only beneath the probe's directory (exec reads the program): under
// it, reading any other file is denied.
func landlockRuleset(t *testing.T) int {
	t.Helper()
	fd, err := tryLandlockRuleset(t)
	if err != nil {
		t.Skipf("no Landlock here: landlock_create_ruleset: %v", err)
	}
	return fd
}

// tryLandlockRuleset is landlockRuleset, with an error where the kernel
// has no Landlock.
func tryLandlockRuleset(t *testing.T) (int, error) {
	t.Helper()
	attr := struct{ handledAccessFS uint64 }{unix.LANDLOCK_ACCESS_FS_READ_FILE}
	fd, _, e := syscall.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr), 0)
	if e != 0 {
		return -1, e
	}
	t.Cleanup(func() { syscall.Close(int(fd)) })
	dir, err := os.Open(filepath.Dir(probePath))
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	// struct landlock_path_beneath_attr, packed: u64 allowed_access, s32
	// parent_fd.
	var rule [12]byte
	binary.NativeEndian.PutUint64(rule[:8], unix.LANDLOCK_ACCESS_FS_READ_FILE)
	binary.NativeEndian.PutUint32(rule[8:], uint32(dir.Fd()))
	if _, _, e := syscall.Syscall6(unix.SYS_LANDLOCK_ADD_RULE, fd, unix.LANDLOCK_RULE_PATH_BENEATH, uintptr(unsafe.Pointer(&rule)), 0, 0, 0); e != 0 {
		t.Fatalf("landlock_add_rule: %v", e)
	}
	return int(fd), nil
}

func TestLandlock(t *testing.T) {
	rs := landlockRuleset(t)
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	sys := &forkexec.SysProcAttr{NoNewPrivs: true, UseLandlock: true, LandlockFD: rs}
	if got := runProbeMode(t, &forkexec.ProcAttr{Files: stdio(), Sys: sys}, "read", file); got != int(syscall.EACCES) {
		t.Errorf("read under the ruleset: exit %d, want %d (EACCES)", got, syscall.EACCES)
	}
	if got := runProbeMode(t, &forkexec.ProcAttr{Files: stdio()}, "read", file); got != 0 {
		t.Errorf("read without it: exit %d, want 0", got)
	}
	// LandlockFD is the parent's number even when Files puts something
	// else there: Landlock is enforced before Files are moved.
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	files := make([]uintptr, rs+1)
	for i := range files {
		files[i] = null.Fd()
	}
	files[1], files[2] = 1, 2
	if got := runProbeMode(t, &forkexec.ProcAttr{Files: files, Sys: sys}, "read", file); got != int(syscall.EACCES) {
		t.Errorf("with Files over LandlockFD's number: exit %d, want EACCES", got)
	}
	mustRefuse(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{UseLandlock: true, LandlockFD: -1}}, forkexec.StepLandlock, syscall.EBADF)
	// Not a ruleset: the kernel refuses it in the child, named.
	_, err = forkexec.Spawn(probePath, []string{probePath, "exit", "0"}, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{NoNewPrivs: true, UseLandlock: true, LandlockFD: int(null.Fd())}})
	stepError(t, err, forkexec.StepLandlock, syscall.EBADFD)
}

// TestExecFD runs the probe from a memfd whose number Files gives to
// another descriptor: the program still comes from the memfd.
func TestExecFD(t *testing.T) {
	bin, err := os.ReadFile(probePath)
	if err != nil {
		t.Fatal(err)
	}
	mfd, err := unix.MemfdCreate("probe", unix.MFD_CLOEXEC)
	if err != nil {
		t.Skipf("memfd_create: %v", err)
	}
	mem := os.NewFile(uintptr(mfd), "memfd")
	defer mem.Close()
	if _, err := mem.Write(bin); err != nil {
		t.Fatal(err)
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	files := make([]uintptr, mfd+1)
	for i := range files {
		files[i] = null.Fd()
	}
	files[1], files[2] = 1, 2
	rep := runProbe(t, &forkexec.ProcAttr{Files: files, Sys: &forkexec.SysProcAttr{UseExecFD: true, ExecFD: mfd}})
	if exe := rep.FDs[mfd].Target; !strings.Contains(exe, "null") {
		t.Errorf("fd %d in the child is %q, want /dev/null from Files", mfd, exe)
	}
	if len(rep.Args) == 0 || rep.Args[0] != probePath {
		t.Errorf("args %q", rep.Args)
	}
	if exe, _ := os.Readlink("/proc/self/exe"); exe == "" {
		t.Log("no /proc/self/exe")
	}
	mustRefuse(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{UseExecFD: true, ExecFD: -1}}, forkexec.StepExec, syscall.EBADF)
	// A descriptor that is not a program: exec fails, named with its fd.
	_, err = forkexec.Spawn("", []string{"x"}, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{UseExecFD: true, ExecFD: int(null.Fd())}})
	if e := stepError(t, err, forkexec.StepExec, syscall.EACCES); e.Detail != "fd "+strconv.Itoa(int(null.Fd())) {
		t.Errorf("detail %q", e.Detail)
	}
}

// TestRetryTextBusy: a program still open for writing cannot be exec'd
// (ETXTBSY); with RetryTextBusy the child waits for the writer to close it.
func TestRetryTextBusy(t *testing.T) {
	bin, err := os.ReadFile(probePath)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "busy")
	if err := os.WriteFile(path, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	// The writer is another process, as in go.dev/issue/22315 (there a
	// child forked meanwhile): a descriptor of this process would be in
	// the child's own table too, and keep the file busy for it for good.
	// It holds the program open for writing for a while, then exits.
	writer := func(hold string) *exec.Cmd {
		cmd := exec.Command("/bin/sh", "-c", "exec 3>>\"$0\"; echo open; sleep "+hold, path)
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Skipf("no /bin/sh to hold the program open: %v", err)
		}
		if _, err := out.Read(make([]byte, 5)); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	w := writer("0.05")
	_, err = forkexec.Spawn(path, []string{path, "exit", "0"}, nil)
	stepError(t, err, forkexec.StepExec, syscall.ETXTBSY)
	pid, err := forkexec.Spawn(path, []string{path, "exit", "7"}, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{RetryTextBusy: 5 * time.Second}})
	if err != nil {
		t.Fatalf("with RetryTextBusy: %v", err)
	}
	if ws := wait(t, pid); ws.ExitStatus() != 7 {
		t.Errorf("exit %v", describe(ws))
	}
	w.Wait()
	// A budget spent gives the error.
	w = writer("2")
	defer func() { w.Process.Kill(); w.Wait() }()
	_, err = forkexec.Spawn(path, []string{path, "exit", "0"}, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{RetryTextBusy: 10 * time.Millisecond}})
	stepError(t, err, forkexec.StepExec, syscall.ETXTBSY)
}

func TestHostname(t *testing.T) {
	requireRoot(t)
	rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUTS, Hostname: "sandbox", Domainname: "example"}})
	if rep.Hostname != "sandbox" || rep.Domainname != "example" {
		t.Errorf("hostname %q domainname %q", rep.Hostname, rep.Domainname)
	}
	host, _ := os.Hostname()
	if host == "sandbox" {
		t.Errorf("the host was renamed")
	}
	mustRefuse(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Hostname: "x"}}, forkexec.StepHostname, syscall.EINVAL)
	mustRefuse(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUTS, Hostname: strings.Repeat("x", 65)}}, forkexec.StepHostname, syscall.EINVAL)
}

func TestDirFD(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{UseDirFD: true, DirFD: int(d.Fd())}})
	if rep.Cwd != dir {
		t.Errorf("cwd %q, want %q", rep.Cwd, dir)
	}
	rep = runProbe(t, &forkexec.ProcAttr{Dir: "sub", Files: stdio(), Sys: &forkexec.SysProcAttr{UseDirFD: true, DirFD: int(d.Fd())}})
	if rep.Cwd != filepath.Join(dir, "sub") {
		t.Errorf("cwd %q, want %q", rep.Cwd, filepath.Join(dir, "sub"))
	}
	mustRefuse(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{UseDirFD: true, DirFD: -1}}, forkexec.StepFchdir, syscall.EBADF)
	f, _ := os.Open(os.DevNull)
	defer f.Close()
	_, err = forkexec.Spawn(probePath, []string{probePath, "exit", "0"}, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{UseDirFD: true, DirFD: int(f.Fd())}})
	stepError(t, err, forkexec.StepFchdir, syscall.ENOTDIR)
}

func TestOOMScoreAdj(t *testing.T) {
	rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{UseOOMScoreAdj: true, OOMScoreAdj: 500}})
	if rep.OOMScoreAdj != "500" {
		t.Errorf("oom_score_adj %q, want 500", rep.OOMScoreAdj)
	}
	mustRefuse(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{UseOOMScoreAdj: true, OOMScoreAdj: 1001}}, forkexec.StepOOMScoreAdj, syscall.EINVAL)
	// Lowering it takes CAP_SYS_RESOURCE; the child writes it before
	// setuid, so a privileged parent's child lowers it and then drops
	// to another user; an unprivileged one's fails, and says where.
	requireRoot(t)
	attr := &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{UseOOMScoreAdj: true, OOMScoreAdj: -500, Credential: &forkexec.Credential{Uid: 65534, Gid: 65534}}}
	if !haveCap(t, unix.CAP_SYS_RESOURCE) {
		t.Log("this root has no CAP_SYS_RESOURCE: checking the failure")
		_, err := forkexec.Spawn(probePath, []string{probePath, "exit", "0"}, attr)
		stepError(t, err, forkexec.StepOOMScoreAdj, syscall.EACCES)
		return
	}
	if rep = runProbe(t, attr); rep.OOMScoreAdj != "-500" {
		t.Errorf("oom_score_adj %q, want -500", rep.OOMScoreAdj)
	}
}

// TestJoinNamespaces joins the UTS namespace of another child, which has
// its own hostname.
func TestJoinNamespaces(t *testing.T) {
	requireRoot(t)
	holder, err := forkexec.Spawn(probePath, []string{probePath, "sleep"}, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUTS, Hostname: "joined"}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { syscall.Kill(holder, syscall.SIGKILL); wait(t, holder) }()
	ns, err := os.Open("/proc/" + strconv.Itoa(holder) + "/ns/uts")
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	want, _ := os.Readlink("/proc/" + strconv.Itoa(holder) + "/ns/uts")
	rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{JoinNamespaces: []forkexec.Namespace{{FD: int(ns.Fd()), Type: syscall.CLONE_NEWUTS}}}})
	if rep.NS["uts"] != want || rep.Hostname != "joined" {
		t.Errorf("uts %q hostname %q, want %q and joined", rep.NS["uts"], rep.Hostname, want)
	}
	// The wrong type: the kernel refuses, and the error names the fd.
	_, err = forkexec.Spawn(probePath, []string{probePath, "exit", "0"}, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{JoinNamespaces: []forkexec.Namespace{{FD: int(ns.Fd()), Type: syscall.CLONE_NEWNET}}}})
	var e *forkexec.Error
	if !errors.As(err, &e) || e.Step != forkexec.StepSetns || e.Errno != syscall.EINVAL || !strings.HasPrefix(e.Detail, "fd "+strconv.Itoa(int(ns.Fd()))) {
		t.Errorf("wrong type: %v", err)
	}
	mustRefuse(t, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{JoinNamespaces: []forkexec.Namespace{{FD: -1}}}}, forkexec.StepSetns, syscall.EBADF)
}

// secbitNoroot is SECBIT_NOROOT, <linux/securebits.h>, which x/sys/unix
// does not name.
const secbitNoroot = 1 << 0

// TestSettingsInUserNamespace applies the settings in a child that is root
// only inside a new user namespace, mapped to nobody outside: what needs
// privilege needs it in that namespace (seccomp without no_new_privs, the
// bounding set, the hostname of a UTS namespace it owns), and gets it.
func TestSettingsInUserNamespace(t *testing.T) {
	requireRoot(t)
	filter, ok := seccompDeny(unix.SYS_MKDIRAT, syscall.EXDEV)
	if !ok {
		t.Skipf("no audit architecture number for %s in this test", runtime.GOARCH)
	}
	nobody := []forkexec.SysProcIDMap{{ContainerID: 0, HostID: 65534, Size: 1}}
	bind := uintptr(unix.CAP_NET_BIND_SERVICE)
	sys := &forkexec.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWUTS,
		UidMappings: nobody, GidMappings: nobody,
		// Root of the namespace, nobody outside: the child's ids
		// before this are the parent's, which the maps do not map.
		Credential: &forkexec.Credential{Uid: 0, Gid: 0},
		Hostname:   "userns", UseUmask: true, Umask: 0o077,
		Rlimits:       []forkexec.Rlimit{{Resource: syscall.RLIMIT_CORE}},
		Capabilities:  &forkexec.Capabilities{Bounding: []uintptr{bind}},
		SeccompFilter: filter,
	}
	rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: sys})
	if rep.Uid[0] != 0 || rep.Hostname != "userns" || rep.Status["Umask"] != "0077" || rep.Rlimits["core"] != [2]uint64{0, 0} ||
		rep.Status["CapBnd"] != capBits(bind) || rep.Status["Seccomp"] != "2" || rep.Status["NoNewPrivs"] != "0" {
		t.Errorf("uid %d hostname %q umask %s core %v CapBnd %s Seccomp %s NoNewPrivs %s",
			rep.Uid[0], rep.Hostname, rep.Status["Umask"], rep.Rlimits["core"], rep.Status["CapBnd"], rep.Status["Seccomp"], rep.Status["NoNewPrivs"])
	}
	if got := runProbeMode(t, &forkexec.ProcAttr{Files: stdio(), Sys: sys}, "mkdir", filepath.Join(t.TempDir(), "d")); got != int(syscall.EXDEV) {
		t.Errorf("mkdir under the filter: exit %d, want EXDEV", got)
	}
}
