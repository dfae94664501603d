//go:build linux || freebsd

package forkexec

import (
	"sync"
	"sync/atomic"
	"syscall"
)

// The syscall package raises the soft RLIMIT_NOFILE to the hard limit less
// one at start-up (go.dev/issue/46279) and saves the original in an
// unexported variable, origRlimitNofile, which its children get back: a C
// program using select() with a descriptor above 1023 corrupts its memory.
// The linker will not let another package read that variable, so forkexec
// learns the value from the syscall package's own behaviour: once, on the
// first spawn that needs it, it starts a child with syscall.ForkExec, which
// restores the limit, and reads the child's limit (stdlibChildNofile; on
// Linux, a child stopped at its exec by Ptrace, read with prlimit, killed
// and reaped before it runs an instruction of its own).
//
// After that, the syscall package's child restores the original only while
// the program's limit is still the one the syscall package set: its Linux
// child compares the current limit with (original hard limit less one,
// original hard limit), and a call to syscall.Setrlimit or prlimit on the
// process itself (x/sys/unix's too) stops the restoring altogether. So
// nofileToRestore compares the current limit with the raised one on every
// call, and when they differ the child keeps the current limit, as the
// stdlib's would. What it cannot see: a program that sets the limit and
// later sets it back to exactly the raised value; the stdlib's children then
// keep it, forkexec's get the original. The stdlib's own check is fooled the
// same way by another process setting the limit from outside.
//
// Cost (TestNofileToRestore/TestHelperNofileRaised logs it; on this
// project's 2-vCPU VM, shared): the first call starts and reaps one
// process, 0.4 to 1 ms, once per program; every later call is one raw
// prlimit system call, 0.6 to 2 us here, about 1.5 times a bare getppid on
// the same machine, against a spawn's hundreds of microseconds; the
// stdlib's child makes the same call on every spawn. A program whose limit
// the syscall package did not raise (the soft limit was already at the
// hard limit or one below, as in many containers) never starts the extra
// child, and later calls cost an atomic load.
//
// Hazards of the extra child, and what is done about them:
//   - A program that reaps every child with Wait4(-1, ...) may be told
//     about it (a stop, then a death by SIGKILL, of a pid it never
//     started), as about any child a library starts. If it reaps the child
//     before forkexec reads the limit, the read fails and nothing is
//     restored; forkexec's own wait then sees ECHILD and stops waiting.
//   - A SIGCHLD handler sees up to two extra signals (the stop and the
//     death); SIGCHLD is never counted on, since signals coalesce.
//   - Where ptrace is refused (a seccomp policy, Yama's ptrace_scope 3,
//     the program itself being traced, as under strace -f), the child fails
//     at PTRACE_TRACEME before its exec, syscall.ForkExec returns the error,
//     and nothing is restored: the children keep the raised limit, the
//     documented difference.
//   - The child never runs a program: it is traced from before its exec
//     and stops at the exec; the spawning goroutine stays locked to its
//     thread, the tracer, until the child is reaped, and the child has
//     Pdeathsig SIGKILL should that thread die. It executes /bin/true where
//     there is one, so that even a child somehow let go runs nothing
//     harmful, and the program's own executable (/proc/self/exe) otherwise.
//   - syscall.ForkExec takes syscall.ForkLock, which is forkexec's ForkLock:
//     the first call must come before a spawn takes ForkLock, or it waits
//     for itself.
//   - A failure that may pass (EAGAIN, ENOMEM, EINTR: a full process table
//     or memory) is not remembered; the next spawn tries again.
//
// rlimit_linux_test.go holds the answer against syscall.ForkExec's children
// in processes started with a raised limit, with a Wait4(-1) reaper
// running, under a seccomp policy refusing ptrace, and after Setrlimit.
var nofile struct {
	mu      sync.Mutex     // held while learning
	learned atomic.Bool    // the values below are final, and no longer written
	ok      bool           // restore orig while the limit is raised
	raised  syscall.Rlimit // the limit the syscall package set at start-up
	orig    syscall.Rlimit // what syscall.ForkExec's child got when it was raised
}

// nofileToRestore returns the RLIMIT_NOFILE this program started with, and
// true, when the syscall package raised the soft limit at start-up and a
// child should get the original back, as syscall.ForkExec's children do.
// It is called by the parent for every spawn, before ForkLock is taken;
// after the first call it costs one getrlimit.
func nofileToRestore() (lim syscall.Rlimit, ok bool) {
	if !nofile.learned.Load() {
		nofile.mu.Lock()
		if !nofile.learned.Load() {
			learnNofile()
		}
		nofile.mu.Unlock()
	}
	if !nofile.learned.Load() || !nofile.ok {
		return lim, false
	}
	var cur syscall.Rlimit
	if !currentNofile(&cur) || cur != nofile.raised {
		return lim, false
	}
	return nofile.orig, true
}

// learnNofile fills in nofile and sets nofile.learned, unless it failed in
// a way that may pass. It is called with nofile.mu held.
func learnNofile() {
	var cur syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &cur) != nil {
		nofile.learned.Store(true)
		return
	}
	// The syscall package raises the soft limit only from below the hard
	// limit less one, and to exactly that: any other soft limit now means
	// it did not raise it, or the limit has been set since and its
	// children keep it, as forkexec's do without help.
	if cur.Max == 0 || cur.Cur != cur.Max-1 {
		nofile.learned.Store(true)
		return
	}
	child, err := stdlibChildNofile()
	if err == syscall.EAGAIN || err == syscall.ENOMEM || err == syscall.EINTR {
		return // try again on the next spawn
	}
	if err == nil && child != cur {
		nofile.ok, nofile.raised, nofile.orig = true, cur, child
	}
	nofile.learned.Store(true)
}
