package suite

// What the suite does differently on Linux: the probe's Linux-only fields,
// /proc, ptys through /dev/ptmx, and the thread-directed system calls of
// the scenarios. sys_freebsd.go has the FreeBSD counterparts.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/forkexec/forkexec/conformance/probe"
	"golang.org/x/sys/unix"
)

// waitAll is the wait4 option that also reaps clone children
// (and reports a traced child's stops).
const waitAll = unix.WALL

// openPtyMaster opens a new pty master (close-on-exec, unlocked) and
// returns it with the name of its slave.
func openPtyMaster() (int, string, error) {
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, "", fmt.Errorf("open /dev/ptmx: %w", err)
	}
	if err := unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0); err != nil {
		unix.Close(m)
		return -1, "", fmt.Errorf("TIOCSPTLCK: %w", err)
	}
	n, err := unix.IoctlGetUint32(m, unix.TIOCGPTN)
	if err != nil {
		unix.Close(m)
		return -1, "", fmt.Errorf("TIOCGPTN: %w", err)
	}
	return m, fmt.Sprintf("/dev/pts/%d", n), nil
}

// ttyNr encodes a terminal's device number as /proc/PID/stat's tty_nr,
// which the probe reports.
func ttyNr(rdev uint64) int64 {
	maj, min := int64(unix.Major(rdev)), int64(unix.Minor(rdev))
	return (min & 0xff) | (maj << 8) | ((min &^ 0xff) << 12)
}

func countFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// hostSigNames names signals in the generic Linux numbering used by the
// native probe (x86 and asm-generic agree for 1..31), whatever the arch
// of the worker that renders them.
var hostSigNames = []string{"", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
	"SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM",
	"SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU",
	"SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
	"SIGSYS"}

var shareRE = regexp.MustCompile(`(shared|master):\d+`)

// flattenOS adds the fields only Linux has: dumpable and keepcaps,
// namespaces, cgroup, id maps, the root mount's propagation and
// oom_score_adj.
func (c *Ctx) flattenOS(rep *probe.Report, set func(k, v string)) {
	set("dumpable", strconv.Itoa(rep.Dumpable))
	set("keepcaps", strconv.Itoa(rep.Keepcaps))
	for k, v := range rep.NS {
		switch {
		case v == "":
			set("ns."+k, "")
		case v == c.W.parentNS[k]:
			set("ns."+k, "parent's")
		default:
			set("ns."+k, "new")
		}
	}
	cg := strings.TrimSpace(rep.Cgroup)
	if c.cgroup != "" {
		cg = strings.ReplaceAll(cg, c.cgroup, "/$CGROUP")
	}
	set("cgroup", cg)
	set("uid_map", strings.Join(strings.Fields(rep.UIDMap), " "))
	set("gid_map", strings.Join(strings.Fields(rep.GIDMap), " "))
	set("setgroups", strings.TrimSpace(rep.Setgroups))
	set("root_mount", shareRE.ReplaceAllString(rep.RootMount, "$1:*"))
	set("oom_score_adj", rep.OOMScoreAdj)
}

// killChildren SIGKILLs every process whose parent is this one.
func killChildren() {
	me := strconv.Itoa(os.Getpid())
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(data)
		if i := strings.LastIndexByte(s, ')'); i >= 0 {
			if f := strings.Fields(s[i+1:]); len(f) > 1 && f[1] == me {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
}

func readNS() map[string]string {
	m := map[string]string{}
	ents, _ := os.ReadDir("/proc/self/ns")
	for _, e := range ents {
		if t, err := os.Readlink(filepath.Join("/proc/self/ns", e.Name())); err == nil {
			m[e.Name()] = t
		}
	}
	return m
}

// setresids switches the worker to uid and gid (real, effective and
// saved), on every thread as syscall.Setresuid does on Linux.
func setresids(uid, gid int) error {
	if err := syscall.Setresgid(gid, gid, gid); err != nil {
		return err
	}
	return syscall.Setresuid(uid, uid, uid)
}

// blockThreadSignals blocks set on the calling (locked) thread.
func blockThreadSignals(set *unix.Sigset_t) error {
	return unix.PthreadSigmask(unix.SIG_BLOCK, set, nil)
}

// parentNoNewPrivsDoc and setNoNewPrivs: the parent-no-new-privs scenario.
const parentNoNewPrivsDoc = "forking thread has PR_SET_NO_NEW_PRIVS"

func setNoNewPrivs() error { return unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) }

// rlimitOf makes a syscall.Rlimit; ^uint64(0) is unlimited.
func rlimitOf(cur, max uint64) *syscall.Rlimit { return &syscall.Rlimit{Cur: cur, Max: max} }

// rlimitMax is rl's hard limit.
func rlimitMax(rl syscall.Rlimit) uint64 { return rl.Max }

// ptraceCont resumes a traced child, delivering sig (0 for none).
func ptraceCont(pid, sig int) error { return syscall.PtraceCont(pid, sig) }

// chrootProc gives the chroot at the run directory what the probe reads
// there: /proc, bound in.
func chrootProc(c *Ctx) error {
	proc := mkdir(c, "proc")
	if err := syscall.Mount("/proc", proc, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
		return c.Skip("cannot bind-mount /proc into the chroot: %v", err)
	}
	c.Defer(func() { syscall.Unmount(proc, syscall.MNT_DETACH) })
	return nil
}

// noNewPrivsFields is what the probe reports for a child with
// no_new_privs set.
var noNewPrivsFields = map[string]string{"no_new_privs": "1", "status.NoNewPrivs": "1"}

// execByFD checks that the probe was run by descriptor (ext-execfd): its
// AT_EXECFN is /dev/fd/N.
func execByFD(f Fields) []string {
	if !strings.HasPrefix(f["execfn"], "/dev/fd/") {
		return []string{"execfn is " + f["execfn"] + ", want /dev/fd/N"}
	}
	return nil
}
