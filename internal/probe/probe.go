// Package probe holds what forkexec's test probe (forkexec/testdata/probe)
// reports about the process it runs in, and the code that gathers it.
package probe

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Report is what the probe found. The tests decode it with the same type.
type Report struct {
	Args      []string
	Env       []string
	Cwd       string
	Root      string
	Uid       [3]int // real, effective, saved
	Gid       [3]int
	Groups    []int
	Pid       int
	Ppid      int
	Pgid      int
	Sid       int
	FDs       map[int]FD
	Pdeathsig int
	TtyPgrp   int    // TIOCGPGRP of TtyFD, or -errno
	TtySid    int    // TIOCGSID of TtyFD, or -errno
	DevTty    string // result of opening /dev/tty: "ok" or the error
	Status    map[string]string
	NS        map[string]string
	Cgroup    string
	Nofile    [2]uint64
	Marker    bool // a file named "marker" exists in the working directory

	Hostname    string
	Domainname  string
	OOMScoreAdj string               // /proc/self/oom_score_adj
	Rlimits     map[string][2]uint64 // soft and hard, by name: "core", "nproc", ...
	Mounts      []string             // "mount point options" per line of /proc/self/mountinfo
	Paths       map[string]PathInfo  // what the paths asked for with -paths are
}

// PathInfo is what one path asked about with -paths is.
type PathInfo struct {
	Kind     string // "file", "dir", "symlink", "other", or the lstat error
	Link     string // a symlink's target
	Data     string // a file's first 256 bytes
	Mode     uint32 // permission bits
	Writable bool   // access(W_OK) succeeds: false on a read-only mount
}

// GatherPaths fills r.Paths for paths.
func (r *Report) GatherPaths(paths []string) {
	r.Paths = map[string]PathInfo{}
	for _, p := range paths {
		var info PathInfo
		fi, err := os.Lstat(p)
		switch {
		case err != nil:
			info.Kind = err.Error()
		case fi.Mode()&os.ModeSymlink != 0:
			info.Kind = "symlink"
			info.Link, _ = os.Readlink(p)
		case fi.IsDir():
			info.Kind = "dir"
		case fi.Mode().IsRegular():
			info.Kind = "file"
			if b, err := os.ReadFile(p); err == nil {
				info.Data = string(b[:min(len(b), 256)])
			}
		default:
			info.Kind = "other"
		}
		if err == nil {
			info.Mode = uint32(fi.Mode().Perm())
			info.Writable = unix.Access(p, unix.W_OK) == nil
		}
		r.Paths[p] = info
	}
}

// rlimits are the limits Gather reports.
var rlimits = map[string]int{"core": unix.RLIMIT_CORE, "nproc": unix.RLIMIT_NPROC, "nofile": unix.RLIMIT_NOFILE, "fsize": unix.RLIMIT_FSIZE, "stack": unix.RLIMIT_STACK}

// FD is one open descriptor.
type FD struct {
	Target  string
	Cloexec bool
}

// Gather reads what this process inherited. ttyFD is the descriptor whose
// terminal's foreground group and session it reports.
func Gather(ttyFD int) *Report {
	r := &Report{Args: os.Args, Env: os.Environ(), FDs: map[int]FD{}, Status: map[string]string{}, NS: map[string]string{}}
	r.FDs = listFDs()
	r.Cwd, _ = os.Getwd()
	r.Root, _ = os.Readlink("/proc/self/root")
	ru, eu, su := unix.Getresuid()
	rg, eg, sg := unix.Getresgid()
	r.Uid, r.Gid = [3]int{ru, eu, su}, [3]int{rg, eg, sg}
	r.Groups, _ = unix.Getgroups()
	r.Pid, r.Ppid = os.Getpid(), os.Getppid()
	r.Pgid, _ = unix.Getpgid(0)
	r.Sid, _ = unix.Getsid(0)
	var sig int32
	unix.Syscall(unix.SYS_PRCTL, unix.PR_GET_PDEATHSIG, uintptr(unsafe.Pointer(&sig)), 0)
	r.Pdeathsig = int(sig)
	r.TtyPgrp = ioctlInt(ttyFD, unix.TIOCGPGRP)
	r.TtySid = ioctlInt(ttyFD, unix.TIOCGSID)
	if fd, err := unix.Open("/dev/tty", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0); err != nil {
		r.DevTty = err.Error()
	} else {
		r.DevTty = "ok"
		unix.Close(fd)
	}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok {
				r.Status[k] = strings.TrimSpace(v)
			}
		}
	}
	for _, ns := range []string{"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"} {
		r.NS[ns], _ = os.Readlink("/proc/self/ns/" + ns)
	}
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		r.Cgroup = strings.TrimSpace(string(b))
	}
	var lim unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &lim)
	r.Nofile = [2]uint64{lim.Cur, lim.Max}
	_, err := os.Stat("marker")
	r.Marker = err == nil
	var uts unix.Utsname
	if unix.Uname(&uts) == nil {
		r.Hostname, r.Domainname = unix.ByteSliceToString(uts.Nodename[:]), unix.ByteSliceToString(uts.Domainname[:])
	}
	if b, err := os.ReadFile("/proc/self/oom_score_adj"); err == nil {
		r.OOMScoreAdj = strings.TrimSpace(string(b))
	}
	r.Rlimits = map[string][2]uint64{}
	for name, res := range rlimits {
		var l unix.Rlimit
		if unix.Getrlimit(res, &l) == nil {
			r.Rlimits[name] = [2]uint64{l.Cur, l.Max}
		}
	}
	if b, err := os.ReadFile("/proc/self/mountinfo"); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if f := strings.Fields(line); len(f) > 5 {
				r.Mounts = append(r.Mounts, f[4]+" "+f[5])
			}
		}
	}
	return r
}

// listFDs lists /proc/self/fd with raw system calls, so that the listing
// contains no descriptor but the directory's own, which it leaves out.
func listFDs() map[int]FD {
	fds := map[int]FD{}
	dir, err := unix.Open("/proc/self/fd", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil // no /proc, as in a chroot
	}
	defer unix.Close(dir)
	buf := make([]byte, 4096)
	var names []string
	for {
		n, err := unix.ReadDirent(dir, buf)
		if err != nil || n == 0 {
			break
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
	for _, name := range names {
		fd, err := strconv.Atoi(name)
		if err != nil || fd == dir {
			continue
		}
		target, _ := os.Readlink("/proc/self/fd/" + name)
		flags, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		fds[fd] = FD{Target: target, Cloexec: flags&unix.FD_CLOEXEC != 0}
	}
	return fds
}

func ioctlInt(fd int, req uint) int {
	v, err := unix.IoctlGetInt(fd, req)
	if err != nil {
		return -int(err.(syscall.Errno))
	}
	return v
}
