//go:build freebsd

package forkexec

import "syscall"

// The system calls the FreeBSD child makes between rfork (or vfork) and
// execve. mkall.sh turns each //sysnb line into a stub in
// zsyscall_freebsd*.go that is //go:nosplit, allocates nothing and
// returns the bare Errno, and each //sysvfork line into a stub that only
// returns the trap and arguments for rawVforkSyscall, which the child's own
// function must call directly (see syscall_linux.go for why).
//
// The declarations follow the kernel's prototypes in syscalls.master. FreeBSD
// numbers its system calls the same on every architecture and its ids were
// always 32 bits, so the only per-architecture difference is procctl's id_t,
// a 64-bit argument: the generator splits it in two on 386 and arm, and on
// arm aligns it to an even register pair.

//sysvfork rawRforkArgs(flags uintptr) = SYS_RFORK
//sysvfork rawVforkArgs() = SYS_VFORK
//sysnb rawJailAttach(jid int) (err syscall.Errno) = SYS_JAIL_ATTACH
//sysnb rawClose(fd int) (err syscall.Errno)
//sysnb rawWrite(fd int, buf unsafe.Pointer, size uintptr) (n int, err syscall.Errno)
//sysnb rawSetrlimit(resource int, rlim *syscall.Rlimit) (err syscall.Errno)
//sysnb rawCloseRange(lowfd uint32, highfd uint32, flags int) (err syscall.Errno) = SYS_CLOSE_RANGE
//sysnb rawClosefrom(lowfd int) (err syscall.Errno)
//sysnb rawDup2(oldfd int, newfd int) (err syscall.Errno)
//sysnb rawFcntl(fd int, cmd int, arg int) (val int, err syscall.Errno)
//sysnb rawSetsid() (err syscall.Errno)
//sysnb rawSetpgid(pid int, pgid int) (err syscall.Errno)
//sysnb rawGetpid() (pid int)
//sysnb rawGetppid() (pid int)
//sysnb rawKill(pid int, sig syscall.Signal) (err syscall.Errno)
//sysnb rawIoctl(fd int, req uintptr, arg uintptr) (err syscall.Errno)
//sysnb rawChroot(path *byte) (err syscall.Errno)
//sysnb rawChdir(path *byte) (err syscall.Errno)
//sysnb rawSetgroups(n int, list *uint32) (err syscall.Errno)
//sysnb rawSetgid(gid uint32) (err syscall.Errno)
//sysnb rawSetuid(uid uint32) (err syscall.Errno)
//sysnb rawProcctl(idtype int, id int64, cmd int, data unsafe.Pointer) (err syscall.Errno)
//sysnb rawSigaction(sig int, act unsafe.Pointer, old unsafe.Pointer) (err syscall.Errno)
//sysnb rawSigprocmask(how int, set unsafe.Pointer, old unsafe.Pointer) (err syscall.Errno)
//sysnb rawPtrace(request int, pid int, addr uintptr, data int) (err syscall.Errno)
//sysnb rawExecve(path *byte, argv **byte, envv **byte) (err syscall.Errno)
//sysnb rawExit(code int) = SYS_EXIT
//sysnb rawUmask(mask int) (old int)
//sysnb rawFchdir(fd int) (err syscall.Errno)
//sysnb rawFexecve(fd int, argv **byte, envv **byte) (err syscall.Errno)
//sysnb rawNanosleep(req *syscall.Timespec, rem *syscall.Timespec) (err syscall.Errno)

// For SysProcAttr.Actions (action.go).
//sysnb rawOpenat(dirfd int, path *byte, flags int, mode uint32) (fd int, err syscall.Errno)
//sysnb rawMkdirat(dirfd int, path *byte, mode uint32) (err syscall.Errno)
//sysnb rawSymlinkat(target *byte, dirfd int, linkpath *byte) (err syscall.Errno)
//sysnb rawGetpgid(pid int) (pgid int, err syscall.Errno)

// rawVforkSyscall makes a system call that returns twice on one stack, as
// vfork and rfork(RFSPAWN) do: first in the child, which goes on running on
// the parent's stack, then in the parent once the child has exec'd or
// exited. Implemented in vfork_freebsd_$GOARCH.s, which keeps the return
// address out of that shared stack: in a register across the call on amd64
// and 386, where CALL pushes it, and in the link register on arm, arm64 and
// riscv64, never spilled. FreeBSD reports failure with the carry flag (t0 on
// riscv64) and a positive errno, not a negative return.
//
//go:noescape
func rawVforkSyscall(trap, a1, a2, a3 uintptr) (r1 uintptr, err syscall.Errno)
