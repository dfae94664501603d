//go:build linux

package forkexec

import (
	"runtime"
	"syscall"
)

// stdlibChildNofile returns the RLIMIT_NOFILE that a child of
// syscall.ForkExec gets, read from such a child that never runs: it is
// started with Ptrace, so it stops at its exec, after the syscall package's
// child code has restored the limit (which it does before PTRACE_TRACEME);
// its limit is read with prlimit, and it is killed and reaped. When
// syscall.ForkExec returns, the child has passed its exec (or died on the
// way), so there is nothing to wait for before reading. See nofile for the
// hazards.
func stdlibChildNofile() (lim syscall.Rlimit, err error) {
	exe := "/proc/self/exe"
	for _, p := range []string{"/bin/true", "/usr/bin/true"} {
		if syscall.Access(p, 1 /* X_OK */) == nil {
			exe = p
			break
		}
	}
	// The tracer is this thread; if it ended while the child lived, the
	// child would be let go.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pid, err := syscall.ForkExec(exe, []string{"forkexec-nofile-probe"}, &syscall.ProcAttr{
		Env: []string{},
		Sys: &syscall.SysProcAttr{Ptrace: true, Pdeathsig: syscall.SIGKILL},
	})
	if err != nil {
		return lim, err
	}
	if e := rawPrlimit64(pid, syscall.RLIMIT_NOFILE, nil, &lim); e != 0 {
		err = e
	}
	syscall.Kill(pid, syscall.SIGKILL)
	for {
		// The first report may be the stop at the exec; the death follows.
		var ws syscall.WaitStatus
		_, e := syscall.Wait4(pid, &ws, syscall.WALL, nil)
		if e == syscall.EINTR {
			continue
		}
		// ECHILD: a Wait4(-1) elsewhere in the program reaped it.
		if e != nil || ws.Exited() || ws.Signaled() {
			return lim, err
		}
	}
}

// currentNofile reads this process's RLIMIT_NOFILE with a raw system call:
// it runs on every spawn, and needs none of the scheduler's bookkeeping
// around a blocking call.
func currentNofile(lim *syscall.Rlimit) bool {
	return rawPrlimit64(0, syscall.RLIMIT_NOFILE, nil, lim) == 0
}
