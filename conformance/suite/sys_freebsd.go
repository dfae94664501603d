package suite

// What the suite does differently on FreeBSD (see sys_linux.go): no
// /proc, ptys through posix_openpt, per-process credentials, and procctl.
// Not yet run on a FreeBSD host: it is built and vetted for every FreeBSD
// target (.ci/freebsd.sh), nothing more.

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"unsafe"

	"github.com/forkexec/forkexec/conformance/probe"
	"golang.org/x/sys/unix"
)

// waitAll: FreeBSD's wait4 needs no option to reap every child or to
// report a traced child's stops.
const waitAll = 0

// openPtyMaster opens a new pty master with posix_openpt (close-on-exec;
// FreeBSD's grantpt and unlockpt have nothing to do) and returns it with
// the name of its slave (TIOCGPTN, as ptsname).
func openPtyMaster() (int, string, error) {
	r, _, e := unix.Syscall(unix.SYS_POSIX_OPENPT, uintptr(unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC), 0, 0)
	if e != 0 {
		return -1, "", fmt.Errorf("posix_openpt: %w", e)
	}
	m := int(r)
	n, err := unix.IoctlGetInt(m, unix.TIOCGPTN)
	if err != nil {
		unix.Close(m)
		return -1, "", fmt.Errorf("TIOCGPTN: %w", err)
	}
	return m, fmt.Sprintf("/dev/pts/%d", n), nil
}

// ttyNr is a terminal's device number as the probe reports the
// controlling terminal: kinfo_proc's ki_tdev, the dev_t itself.
func ttyNr(rdev uint64) int64 { return int64(rdev) }

// countFDs counts this process's descriptors in kern.proc.filedesc (its
// records with a descriptor number; the others are cwd, root, text...).
func countFDs() int {
	b, err := unix.SysctlRaw("kern.proc.filedesc", os.Getpid())
	if err != nil {
		return -1
	}
	n := 0
	for len(b) >= 12 {
		// struct kinfo_file starts with int kf_structsize, kf_type, kf_fd.
		size := int(int32(binary.NativeEndian.Uint32(b)))
		if size < 12 || size > len(b) {
			break
		}
		if int32(binary.NativeEndian.Uint32(b[8:])) >= 0 {
			n++
		}
		b = b[size:]
	}
	return n
}

// hostSigNames names signals in FreeBSD's numbering (the same on every
// FreeBSD arch).
var hostSigNames = []string{"", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
	"SIGEMT", "SIGFPE", "SIGKILL", "SIGBUS", "SIGSEGV", "SIGSYS", "SIGPIPE", "SIGALRM",
	"SIGTERM", "SIGURG", "SIGSTOP", "SIGTSTP", "SIGCONT", "SIGCHLD", "SIGTTIN", "SIGTTOU",
	"SIGIO", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGINFO", "SIGUSR1",
	"SIGUSR2", "SIGTHR", "SIGLIBRT"}

// flattenOS adds nothing: the fields FreeBSD lacks (namespaces, cgroup,
// id maps, mount propagation, oom_score_adj, dumpable, keepcaps) are left
// out rather than reported empty.
func (c *Ctx) flattenOS(*probe.Report, func(k, v string)) {}

// killChildren SIGKILLs every process whose parent is this one (pkill is
// in FreeBSD's base system).
func killChildren() {
	exec.Command("pkill", "-KILL", "-P", strconv.Itoa(os.Getpid())).Run()
}

// readNS: FreeBSD has no namespaces.
func readNS() map[string]string { return nil }

// setresids switches the worker to uid and gid (real, effective and
// saved); FreeBSD's credentials belong to the process.
func setresids(uid, gid int) error {
	if err := unix.Setresgid(gid, gid, gid); err != nil {
		return err
	}
	return unix.Setresuid(uid, uid, uid)
}

// blockThreadSignals blocks set on the calling (locked) thread: FreeBSD's
// sigprocmask system call acts on the calling thread.
func blockThreadSignals(set *unix.Sigset_t) error {
	const sigBlock = 1 // SIG_BLOCK, <signal.h>
	if _, _, e := unix.RawSyscall(unix.SYS_SIGPROCMASK, sigBlock, uintptr(unsafe.Pointer(set)), 0); e != 0 {
		return e
	}
	return nil
}

// parentNoNewPrivsDoc and setNoNewPrivs: the parent-no-new-privs scenario.
const parentNoNewPrivsDoc = "parent has no_new_privs (procctl PROC_NO_NEW_PRIVS_CTL)"

// setNoNewPrivs sets no_new_privs on this process:
// procctl(P_PID, 0, PROC_NO_NEW_PRIVS_CTL, &PROC_NO_NEW_PRIVS_ENABLE).
// procctl's id_t is 64 bits: two argument words on 386, two aligned
// ones (after a pad) on arm.
func setNoNewPrivs() error {
	const procNoNewPrivsCtl, enable = 19, 1 // <sys/procctl.h>
	data := int32(enable)
	p := uintptr(unsafe.Pointer(&data))
	var e syscall.Errno
	switch {
	case runtime.GOARCH == "arm":
		_, _, e = unix.Syscall6(unix.SYS_PROCCTL, 0, 0, 0, 0, procNoNewPrivsCtl, p)
	case unsafe.Sizeof(uintptr(0)) == 4:
		_, _, e = unix.Syscall6(unix.SYS_PROCCTL, 0, 0, 0, procNoNewPrivsCtl, p, 0)
	default:
		_, _, e = unix.Syscall6(unix.SYS_PROCCTL, 0, 0, procNoNewPrivsCtl, p, 0, 0)
	}
	runtime.KeepAlive(&data)
	if e != 0 {
		return fmt.Errorf("procctl(PROC_NO_NEW_PRIVS_CTL): %w", e)
	}
	return nil
}

// rlimitOf makes a syscall.Rlimit (int64 on FreeBSD); a value beyond
// int64, such as ^uint64(0), is RLIM_INFINITY.
func rlimitOf(cur, max uint64) *syscall.Rlimit {
	conv := func(v uint64) int64 {
		if v > math.MaxInt64 {
			return math.MaxInt64 // RLIM_INFINITY
		}
		return int64(v)
	}
	return &syscall.Rlimit{Cur: conv(cur), Max: conv(max)}
}

// rlimitMax is rl's hard limit.
func rlimitMax(rl syscall.Rlimit) uint64 { return uint64(rl.Max) }

// ptraceCont resumes a traced child, delivering sig (0 for none).
func ptraceCont(pid, sig int) error { return unix.PtraceCont(pid, sig) }

// chrootProc: the FreeBSD probe reads nothing from the file system (it
// asks sysctl and procctl), so the chroot needs nothing more.
func chrootProc(*Ctx) error { return nil }

// noNewPrivsFields is what the probe reports for a child with
// no_new_privs set (procctl PROC_NO_NEW_PRIVS_STATUS).
var noNewPrivsFields = map[string]string{"no_new_privs": "1"}

// execByFD checks that the probe was run by descriptor (ext-execfd):
// FreeBSD's probe reports AT_EXECPATH, the file's path even after
// fexecve, so only the successful start, checked before, tells.
func execByFD(Fields) []string { return nil }
