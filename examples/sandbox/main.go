//go:build linux

// Command sandbox runs a program the way
//
//	bwrap --unshare-all --die-with-parent --new-session \
//	      --ro-bind /usr /usr (and /bin, /lib, /lib64, /sbin, bound or symlinked as on the host) \
//	      --proc /proc --dev /dev --tmpfs /tmp --hostname sandbox --cap-drop ALL --seccomp FD \
//	      PROGRAM ARGS...
//
// does, with forkexec and no helper process: the program is the one child,
// cloned into new user, mount, PID, UTS, IPC, network and cgroup
// namespaces; its root is a tmpfs holding read-only binds of the host's
// /usr (and /bin, /lib, /lib64, /sbin, or symlinks where the host has
// symlinks), a new /proc, a minimal /dev and an empty /tmp, entered with
// pivot_root, the old root detached; the hostname is set, limits lowered,
// no_new_privs set, a seccomp filter installed and every capability
// dropped, all between clone and exec by SysProcAttr's fields and Actions.
// The program runs as PID 1 of its namespace (bwrap's --as-pid-1; by
// default bwrap keeps a process of its own as PID 1).
//
// Usage:
//
//	sandbox [-hostname NAME] [-plan] PROGRAM ARGS...
//	sandbox -compare [-rounds R] [-n N] PROGRAM ARGS...
//
// -plan prints the child's program (forkexec.NewPlan) instead of running
// it. -compare measures spawn+wait of the sandboxed program against the
// same through bubblewrap (bwrap must be installed) and against a plain
// spawn, in interleaved rounds, and prints each round and the medians.
// The user's own uid and gid are mapped to themselves, as bwrap does.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/forkexec/forkexec/forkexec"
	"golang.org/x/sys/unix"
)

func main() {
	hostname := flag.String("hostname", "sandbox", "the sandbox's hostname")
	plan := flag.Bool("plan", false, "print the child's program and exit")
	compare := flag.Bool("compare", false, "benchmark against bwrap and a plain spawn")
	rounds := flag.Int("rounds", 8, "with -compare: rounds")
	n := flag.Int("n", 100, "with -compare: spawns per implementation and round")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: sandbox [-hostname NAME] [-plan] PROGRAM ARGS...\n       sandbox -compare [-rounds R] [-n N] PROGRAM ARGS...")
		os.Exit(2)
	}
	// Pdeathsig follows the spawning thread: keep this goroutine on it.
	runtime.LockOSThread()
	argv := flag.Args()
	cfg := Config{Hostname: *hostname, Files: []uintptr{0, 1, 2}}
	switch {
	case *plan:
		attr, err := cfg.ProcAttr()
		if err == nil {
			var p *forkexec.Plan
			if p, err = forkexec.NewPlan(argv[0], argv, attr); err == nil {
				fmt.Print(p)
				return
			}
		}
		fatal(err)
	case *compare:
		if err := Compare(cfg, argv, *rounds, *n); err != nil {
			fatal(err)
		}
	default:
		status, err := cfg.Run(argv)
		if err != nil {
			fatal(err)
		}
		os.Exit(status)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "sandbox:", err)
	os.Exit(125)
}

// Config is a sandbox.
type Config struct {
	Hostname string
	Files    []uintptr // the program's descriptors, as ProcAttr.Files
	// Root is the directory, outside the sandbox, that becomes its root
	// (a tmpfs is mounted on it in the sandbox's mount namespace only;
	// the host sees nothing). Default /tmp, as bwrap's base directory.
	Root string
	// NoSeccomp leaves the seccomp filter out: for a test that shows what
	// the filter refuses.
	NoSeccomp bool
}

// hostDirs are the host's directories the sandbox sees, read-only: bound
// if they are directories, recreated as the same symlinks if symlinks (as
// /bin -> usr/bin on a merged-/usr system).
var hostDirs = []string{"/usr", "/bin", "/lib", "/lib64", "/sbin"}

// devNodes are the device nodes of the sandbox's /dev, bound from the
// host's, as bwrap's --dev makes them.
var devNodes = []string{"null", "zero", "full", "random", "urandom", "tty"}

// limits are the resource limits the program gets: no core files, and at
// most 1024 descriptors and 1024 processes of its user.
var limits = []forkexec.Rlimit{
	{Resource: unix.RLIMIT_CORE, Cur: 0, Max: 0},
	{Resource: unix.RLIMIT_NOFILE, Cur: 1024, Max: 1024},
	{Resource: unix.RLIMIT_NPROC, Cur: 1024, Max: 1024},
}

// ProcAttr returns the attributes of a sandboxed spawn.
func (cfg Config) ProcAttr() (*forkexec.ProcAttr, error) {
	root := cfg.Root
	if root == "" {
		root = "/tmp"
	}
	in := func(p string) string { return filepath.Join(root, p) }
	ro := func(src, dst string) []forkexec.Action {
		return []forkexec.Action{forkexec.BindMount(src, dst, true), forkexec.RemountReadOnly(dst)}
	}
	actions := []forkexec.Action{
		// Nothing mounted here reaches the host, nor the other way.
		forkexec.Propagation("/", syscall.MS_REC|syscall.MS_PRIVATE),
		forkexec.Mount("tmpfs", root, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=0755"),
	}
	for _, d := range hostDirs {
		fi, err := os.Lstat(d)
		switch {
		case err != nil:
			continue // lib64 on a system without it
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(d)
			if err != nil {
				return nil, err
			}
			actions = append(actions, forkexec.Symlink(target, in(d)))
		case fi.IsDir():
			actions = append(actions, forkexec.Mkdir(in(d), 0o755))
			actions = append(actions, ro(d, in(d))...)
		}
	}
	actions = append(actions,
		forkexec.Mkdir(in("/proc"), 0o555),
		forkexec.Mount("proc", in("/proc"), "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""),
		forkexec.Mkdir(in("/tmp"), 0o1777),
		forkexec.Mount("tmpfs", in("/tmp"), "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=1777"),
		forkexec.Mkdir(in("/dev"), 0o755),
		forkexec.Mount("tmpfs", in("/dev"), "tmpfs", syscall.MS_NOSUID|syscall.MS_NOEXEC, "mode=0755"),
	)
	for _, node := range devNodes {
		dst := in("/dev/" + node)
		actions = append(actions, forkexec.WriteFile(dst, nil, 0o666), forkexec.BindMount("/dev/"+node, dst, false))
	}
	for _, l := range [][2]string{{"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"}, {"ptmx", "pts/ptmx"}} {
		actions = append(actions, forkexec.Symlink(l[1], in("/dev/"+l[0])))
	}
	actions = append(actions,
		forkexec.Mkdir(in("/dev/shm"), 0o1777),
		forkexec.Mkdir(in("/dev/pts"), 0o755),
		forkexec.Mount("devpts", in("/dev/pts"), "devpts", syscall.MS_NOSUID|syscall.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620"),
		// Read-only from here on, as bwrap leaves its root.
		forkexec.PivotRoot(root),
		forkexec.Mount("", "/", "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NODEV, ""),
	)
	filter, err := seccompFilter()
	if err != nil {
		return nil, err
	}
	if cfg.NoSeccomp {
		filter = nil
	}
	uid, gid := os.Getuid(), os.Getgid()
	return &forkexec.ProcAttr{
		Env:   []string{"PATH=/usr/bin:/bin:/usr/sbin:/sbin", "HOME=/tmp", "TERM=dumb"},
		Files: cfg.Files,
		Sys: &forkexec.SysProcAttr{
			Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS | syscall.CLONE_NEWPID | syscall.CLONE_NEWUTS |
				syscall.CLONE_NEWIPC | syscall.CLONE_NEWNET | unix.CLONE_NEWCGROUP,
			// The user's own ids, to themselves: a map the child may
			// write itself, so the spawn stays plain vfork.
			UidMappings:   []forkexec.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}},
			GidMappings:   []forkexec.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}},
			Setsid:        true,            // --new-session
			Pdeathsig:     syscall.SIGKILL, // --die-with-parent
			Hostname:      cfg.Hostname,
			Rlimits:       limits,
			Actions:       actions,
			NoNewPrivs:    true,
			SeccompFilter: filter,
			Capabilities:  forkexec.OnlyCaps(), // --cap-drop ALL
			CloseFDs:      true,
		},
	}, nil
}

// Run runs argv in the sandbox and returns its exit status (128 + the
// signal if killed).
func (cfg Config) Run(argv []string) (int, error) {
	attr, err := cfg.ProcAttr()
	if err != nil {
		return 0, err
	}
	pid, err := forkexec.Spawn(argv[0], argv, attr)
	if err != nil {
		return 0, err
	}
	ws, err := wait(pid)
	if err != nil {
		return 0, err
	}
	if ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return ws.ExitStatus(), nil
}

func wait(pid int) (syscall.WaitStatus, error) {
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &ws, 0, nil)
		if err != syscall.EINTR {
			return ws, err
		}
	}
}

// deniedCalls are the system calls the filter refuses with EPERM: those
// that reach outside the sandbox or the kernel's own state, as container
// runtimes' default policies refuse them.
var deniedCalls = []uintptr{
	unix.SYS_UNSHARE, unix.SYS_SETNS, unix.SYS_MOUNT, unix.SYS_UMOUNT2, unix.SYS_PIVOT_ROOT,
	unix.SYS_PTRACE, unix.SYS_PROCESS_VM_READV, unix.SYS_PROCESS_VM_WRITEV,
	unix.SYS_KEXEC_LOAD, unix.SYS_INIT_MODULE, unix.SYS_FINIT_MODULE, unix.SYS_DELETE_MODULE,
	unix.SYS_BPF, unix.SYS_PERF_EVENT_OPEN, unix.SYS_USERFAULTFD,
	unix.SYS_KEYCTL, unix.SYS_ADD_KEY, unix.SYS_REQUEST_KEY,
	unix.SYS_OPEN_BY_HANDLE_AT, unix.SYS_SWAPON, unix.SYS_SWAPOFF, unix.SYS_REBOOT, unix.SYS_ACCT,
}

// seccompFilter is a classic BPF program: kill a process calling in any
// other architecture's convention (so that no call escapes the numbers
// below), refuse deniedCalls with EPERM, allow the rest.
func seccompFilter() ([]unix.SockFilter, error) {
	arch, ok := auditArch[runtime.GOARCH]
	if !ok {
		return nil, errors.New("no seccomp architecture for " + runtime.GOARCH)
	}
	const (
		ldAbs  = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeq    = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		jge    = unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K
		ret    = unix.BPF_RET | unix.BPF_K
		offNr  = 0 // struct seccomp_data: int nr; u32 arch; ...
		offArc = 4
	)
	deny := uint32(unix.SECCOMP_RET_ERRNO | uint32(syscall.EPERM))
	f := []unix.SockFilter{
		{Code: ldAbs, K: offArc},
		{Code: jeq, Jt: 1, K: arch},
		{Code: ret, K: unix.SECCOMP_RET_KILL_PROCESS},
		{Code: ldAbs, K: offNr},
	}
	if runtime.GOARCH == "amd64" {
		// x32 calls (nr | __X32_SYSCALL_BIT) share the arch: refuse them.
		f = append(f, unix.SockFilter{Code: jge, Jf: 1, K: 0x40000000}, unix.SockFilter{Code: ret, K: deny})
	}
	for _, nr := range deniedCalls {
		f = append(f, unix.SockFilter{Code: jeq, Jf: 1, K: uint32(nr)}, unix.SockFilter{Code: ret, K: deny})
	}
	return append(f, unix.SockFilter{Code: ret, K: unix.SECCOMP_RET_ALLOW}), nil
}

var auditArch = map[string]uint32{
	"amd64": unix.AUDIT_ARCH_X86_64, "arm64": unix.AUDIT_ARCH_AARCH64, "386": unix.AUDIT_ARCH_I386,
	"arm": unix.AUDIT_ARCH_ARM, "riscv64": unix.AUDIT_ARCH_RISCV64, "ppc64le": unix.AUDIT_ARCH_PPC64LE,
	"s390x": unix.AUDIT_ARCH_S390X, "loong64": unix.AUDIT_ARCH_LOONGARCH64, "mips64le": unix.AUDIT_ARCH_MIPSEL64,
}

// bwrapArgs are bubblewrap's arguments for the same sandbox, its seccomp
// filter read from descriptor 3.
func bwrapArgs(hostname string, argv []string) []string {
	args := []string{"bwrap", "--unshare-all", "--die-with-parent", "--new-session"}
	for _, d := range hostDirs {
		fi, err := os.Lstat(d)
		switch {
		case err != nil:
		case fi.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(d)
			args = append(args, "--symlink", target, d)
		case fi.IsDir():
			args = append(args, "--ro-bind", d, d)
		}
	}
	args = append(args, "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--remount-ro", "/",
		"--hostname", hostname, "--cap-drop", "ALL", "--seccomp", "3", "--as-pid-1", "--")
	return append(args, argv...)
}

// Compare measures spawn+wait of argv sandboxed here, through bwrap with
// the same sandbox, and plainly, in interleaved rounds of n spawns each.
func Compare(cfg Config, argv []string, rounds, n int) error {
	bwrap, err := exec("bwrap")
	if err != nil {
		return err
	}
	attr, err := cfg.ProcAttr()
	if err != nil {
		return err
	}
	filter, _ := seccompFilter()
	filterFile, err := os.CreateTemp("", "sandbox-seccomp")
	if err != nil {
		return err
	}
	defer os.Remove(filterFile.Name())
	filterFile.Write(filterBytes(filter))
	filterFile.Close()
	bargs := bwrapArgs(cfg.Hostname, argv)
	plain := &forkexec.ProcAttr{Env: attr.Env, Files: cfg.Files}

	impls := []struct {
		name  string
		spawn func() (int, error)
	}{
		{"forkexec sandbox", func() (int, error) { return forkexec.Spawn(argv[0], argv, attr) }},
		{"bwrap", func() (int, error) {
			// bwrap reads the filter to its end: a fresh descriptor each time.
			f, err := os.Open(filterFile.Name())
			if err != nil {
				return 0, err
			}
			defer f.Close()
			return forkexec.Spawn(bwrap, bargs, &forkexec.ProcAttr{Env: attr.Env, Files: append(cfg.Files[:3:3], f.Fd())})
		}},
		{"plain spawn", func() (int, error) { return forkexec.Spawn(argv[0], argv, plain) }},
	}
	times := make([][]time.Duration, len(impls))
	allocs := make([]float64, len(impls))
	fmt.Printf("spawn+wait of %q, %d rounds of %d each, interleaved\n", strings.Join(argv, " "), rounds, n)
	for r := 0; r < rounds; r++ {
		line := fmt.Sprintf("round %d:", r+1)
		for i, impl := range impls {
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			t0 := time.Now()
			for range n {
				pid, err := impl.spawn()
				if err != nil {
					return fmt.Errorf("%s: %w", impl.name, err)
				}
				ws, err := wait(pid)
				if err != nil || !ws.Exited() || ws.ExitStatus() != 0 {
					return fmt.Errorf("%s: %v (%v)", impl.name, ws, err)
				}
			}
			d := time.Since(t0) / time.Duration(n)
			runtime.ReadMemStats(&ms1)
			allocs[i] = float64(ms1.Mallocs-ms0.Mallocs) / float64(n)
			times[i] = append(times[i], d)
			line += fmt.Sprintf("  %s %v", impl.name, d.Round(time.Microsecond))
		}
		ratio := float64(times[0][r]) / float64(times[1][r])
		fmt.Printf("%s  ratio sandbox/bwrap %.3f\n", line, ratio)
	}
	ratios := make([]float64, rounds)
	vsPlain := make([]float64, rounds)
	for r := range rounds {
		ratios[r] = float64(times[0][r]) / float64(times[1][r])
		vsPlain[r] = float64(times[0][r]) / float64(times[2][r])
	}
	for i, impl := range impls {
		fmt.Printf("median %-16s %v per spawn+wait, %.1f allocations per spawn in this process\n", impl.name, median(times[i]).Round(time.Microsecond), allocs[i])
	}
	fmt.Printf("median ratio forkexec sandbox / bwrap: %.3f (min %.3f, max %.3f)\n", medianF(ratios), minF(ratios), maxF(ratios))
	fmt.Printf("median ratio forkexec sandbox / plain spawn: %.2f\n", medianF(vsPlain))
	return nil
}

// exec finds a program on PATH.
func exec(name string) (string, error) {
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", errors.New(name + " not found on PATH (apt-get install bubblewrap)")
}

// filterBytes is filter as the kernel's struct sock_filter array, which
// bwrap's --seccomp reads.
func filterBytes(filter []unix.SockFilter) []byte {
	b := make([]byte, 0, 8*len(filter))
	for _, f := range filter {
		b = append(b, byte(f.Code), byte(f.Code>>8), f.Jt, f.Jf, byte(f.K), byte(f.K>>8), byte(f.K>>16), byte(f.K>>24))
	}
	return b
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func medianF(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func minF(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func maxF(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = max(m, x)
	}
	return m
}
