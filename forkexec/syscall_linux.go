//go:build linux

package forkexec

import "syscall"

// The system calls the child makes between clone and execve. Each //sysnb
// line below is turned by mkall.sh into a stub in zsyscall_linux*.go
// that is //go:nosplit, allocates nothing and returns the bare Errno: the
// only kind of call a child sharing its parent's memory may make. A
// //sysvfork line makes a stub that only returns the trap and arguments in
// the kernel's order for rawVforkSyscall, which the child's own function
// must call directly: the parent resumes from that call once the child has
// exec'd or exited, and any Go frame in between would have been overwritten
// by the child meanwhile.
//
// rawExit is exit_group, though the child is a single thread: exit takes a
// lock of qemu-user's (clone_lock) that a fork can leave held in the child,
// which then hangs for ever; exit_group does not.
//
// Keep one declaration per system call, named raw + the call's name, with
// the kernel's argument order; per-architecture differences (setuid32 and
// fcntl64 on 386 and arm, clone's argument order on s390x) are the
// generator's to apply, not these declarations'.

//sysvfork rawCloneArgs(flags uintptr, stack uintptr, ptid *int32) = SYS_CLONE
//sysvfork rawClone3Args(args *cloneArgs, size uintptr) = SYS_CLONE3
//sysnb rawPrctl(option int, arg2 uintptr, arg3 uintptr, arg4 uintptr, arg5 uintptr) (err syscall.Errno)
//sysnb rawRead(fd int, buf unsafe.Pointer, size uintptr) (n int, err syscall.Errno)
//sysnb rawWrite(fd int, buf unsafe.Pointer, size uintptr) (n int, err syscall.Errno)
//sysnb rawClose(fd int) (err syscall.Errno)
//sysnb rawCloseRange(first uint, last uint, flags uint) (err syscall.Errno) = SYS_CLOSE_RANGE
//sysnb rawOpenat(dirfd int, path *byte, flags int, mode uint32) (fd int, err syscall.Errno)
//sysnb rawGetdents64(fd int, buf unsafe.Pointer, size uintptr) (n int, err syscall.Errno)
//sysnb rawDup3(oldfd int, newfd int, flags int) (err syscall.Errno)
//sysnb rawFcntl(fd int, cmd int, arg int) (val int, err syscall.Errno)
//sysnb rawPrlimit64(pid int, resource int, newlim *syscall.Rlimit, old *syscall.Rlimit) (err syscall.Errno)
//sysnb rawSetsid() (err syscall.Errno)
//sysnb rawSetpgid(pid int, pgid int) (err syscall.Errno)
//sysnb rawGetpid() (pid int)
//sysnb rawGetppid() (pid int)
//sysnb rawKill(pid int, sig syscall.Signal) (err syscall.Errno)
//sysnb rawIoctl(fd int, req uintptr, arg uintptr) (err syscall.Errno)
//sysnb rawUnshare(flags uintptr) (err syscall.Errno)
//sysnb rawMount(source *byte, target *byte, fstype *byte, flags uintptr, data *byte) (err syscall.Errno)
//sysnb rawChroot(path *byte) (err syscall.Errno)
//sysnb rawChdir(path *byte) (err syscall.Errno)
//sysnb rawSetgroups(n int, list *uint32) (err syscall.Errno)
//sysnb rawSetgid(gid uint32) (err syscall.Errno)
//sysnb rawSetuid(uid uint32) (err syscall.Errno)
//sysnb rawCapget(hdr *unix.CapUserHeader, data *unix.CapUserData) (err syscall.Errno)
//sysnb rawCapset(hdr *unix.CapUserHeader, data *unix.CapUserData) (err syscall.Errno)
//sysnb rawRtSigaction(sig int, act unsafe.Pointer, old unsafe.Pointer, size uintptr) (err syscall.Errno) = SYS_RT_SIGACTION
//sysnb rawRtSigprocmask(how int, set unsafe.Pointer, old unsafe.Pointer, size uintptr) (err syscall.Errno) = SYS_RT_SIGPROCMASK
//sysnb rawPtrace(request int, pid int, addr uintptr, data uintptr) (err syscall.Errno)
//sysnb rawExecve(path *byte, argv **byte, envv **byte) (err syscall.Errno)
//sysnb rawFutex(addr *uint32, op int, val uint32, timeout unsafe.Pointer) (err syscall.Errno)
//sysnb rawExit(code int) = SYS_EXIT_GROUP
//sysnb rawSetns(fd int, nstype int) (err syscall.Errno)
//sysnb rawSethostname(name *byte, n int) (err syscall.Errno)
//sysnb rawSetdomainname(name *byte, n int) (err syscall.Errno)
//sysnb rawUmask(mask int) (old int)
//sysnb rawFchdir(fd int) (err syscall.Errno)
//sysnb rawSeccomp(op uint, flags uintptr, args unsafe.Pointer) (err syscall.Errno)
//sysnb rawLandlockRestrictSelf(fd int, flags uint32) (err syscall.Errno) = SYS_LANDLOCK_RESTRICT_SELF
//sysnb rawExecveat(dirfd int, path *byte, argv **byte, envv **byte, flags int) (err syscall.Errno)
//sysnb rawNanosleep(req *syscall.Timespec, rem *syscall.Timespec) (err syscall.Errno)

// For SysProcAttr.Actions (action.go).
//sysnb rawGetpgid(pid int) (pgid int, err syscall.Errno)
//sysnb rawMkdirat(dirfd int, path *byte, mode uint32) (err syscall.Errno)
//sysnb rawSymlinkat(target *byte, dirfd int, linkpath *byte) (err syscall.Errno)
//sysnb rawUmount2(target *byte, flags int) (err syscall.Errno)
//sysnb rawPivotRoot(newRoot *byte, putOld *byte) (err syscall.Errno) = SYS_PIVOT_ROOT

// rawVforkSyscall makes a system call that may return twice on one stack, as
// clone with CLONE_VM|CLONE_VFORK does. Implemented in vfork_linux_$GOARCH.s:
// the child runs on the parent's stack, and every call it makes writes below
// the parent's frame, including where this function's own return address
// would be saved. So on architectures that keep the return address on the
// stack the stub moves it into a register across the system call, and on the
// others it never saves the link register at all; either way the parent
// returns through a value the child cannot have overwritten.
//
//go:noescape
func rawVforkSyscall(trap, a1, a2, a3 uintptr) (r1 uintptr, err syscall.Errno)
