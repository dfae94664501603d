//go:build linux

package forkexec

import (
	"os"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// BenchmarkSetting measures the spawn call (the child runs until its exec;
// reaped untimed) of the static no-op program with one of the settings
// beyond the stdlib's, against setting=none in the same run:
//
//	benchstat -col /setting results.txt
//
// Where a setting needs another to work (Hostname a new UTS namespace,
// seccomp and Landlock no_new_privs), the baseline it is compared with is
// named beside it: setting=newuts, setting=nonewprivs.
func BenchmarkSetting(b *testing.B) {
	path := benchStaticHelper(b)
	selfUTS, err := os.Open("/proc/self/ns/uts")
	if err != nil {
		b.Fatal(err)
	}
	defer selfUTS.Close()
	root, err := os.Open("/")
	if err != nil {
		b.Fatal(err)
	}
	defer root.Close()
	prog, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer prog.Close()
	allow := []unix.SockFilter{{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW}}
	ruleset := -1
	attr := struct{ fs uint64 }{unix.LANDLOCK_ACCESS_FS_MAKE_DIR}
	if fd, _, e := syscall.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr), 0); e == 0 {
		ruleset = int(fd)
		defer syscall.Close(ruleset)
	}

	cases := []struct {
		name string
		sys  SysProcAttr
		skip string
	}{
		{name: "none"},
		{name: "resetsignals", sys: SysProcAttr{ResetSignals: true}},
		{name: "closefds", sys: SysProcAttr{CloseFDs: true}},
		{name: "umask", sys: SysProcAttr{UseUmask: true, Umask: 0o22}},
		{name: "rlimits", sys: SysProcAttr{Rlimits: []Rlimit{{Resource: syscall.RLIMIT_CORE}, {Resource: syscall.RLIMIT_FSIZE, Cur: 1 << 30, Max: 1 << 30}}}},
		{name: "signalmask", sys: SysProcAttr{UseSignalMask: true, SignalMask: []syscall.Signal{syscall.SIGUSR1}}},
		{name: "capabilities", sys: SysProcAttr{Capabilities: &Capabilities{Bounding: []uintptr{unix.CAP_CHOWN}}}},
		{name: "nonewprivs", sys: SysProcAttr{NoNewPrivs: true}},
		{name: "seccomp", sys: SysProcAttr{NoNewPrivs: true, SeccompFilter: allow}},
		{name: "landlock", sys: SysProcAttr{NoNewPrivs: true, UseLandlock: true, LandlockFD: ruleset}, skip: map[bool]string{true: "no Landlock here"}[ruleset < 0]},
		{name: "execfd", sys: SysProcAttr{UseExecFD: true, ExecFD: int(prog.Fd())}},
		{name: "retrytextbusy", sys: SysProcAttr{RetryTextBusy: time.Second}},
		{name: "dirfd", sys: SysProcAttr{UseDirFD: true, DirFD: int(root.Fd())}},
		{name: "oomscoreadj", sys: SysProcAttr{UseOOMScoreAdj: true, OOMScoreAdj: 0}},
		{name: "setns", sys: SysProcAttr{JoinNamespaces: []Namespace{{FD: int(selfUTS.Fd()), Type: syscall.CLONE_NEWUTS}}}},
		{name: "newuts", sys: SysProcAttr{Cloneflags: syscall.CLONE_NEWUTS}},
		{name: "hostname", sys: SysProcAttr{Cloneflags: syscall.CLONE_NEWUTS, Hostname: "bench"}},
	}
	for _, c := range cases {
		b.Run("setting="+c.name, func(b *testing.B) {
			if c.skip != "" {
				b.Skip(c.skip)
			}
			sys := c.sys
			attr := &ProcAttr{Env: benchEnv, Files: []uintptr{0, 1, 2}, Sys: &sys}
			impl := benchImpl{
				name: c.name,
				start: func() (benchHandle, error) {
					pid, err := ForkExec(path, []string{path}, attr)
					return benchHandle{pid: pid}, err
				},
				wait: benchWait4,
			}
			benchRun(b, impl, 1, true)
		})
	}
}
