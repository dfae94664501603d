// Package forkexec starts processes the way the syscall package's ForkExec,
// StartProcess and Exec do, as a drop-in replacement for them on Linux and
// FreeBSD, with a few opt-in extensions and errors that say which step
// failed. It is also meant to be read: this page explains what happens
// between fork and exec, and why.
//
// # Switching
//
// ProcAttr, SysProcAttr, Credential and SysProcIDMap have the syscall
// package's names, fields and field types, and ForkExec, StartProcess and
// Exec its signatures, behaviour and errors: a failure is the same bare
// syscall.Errno, compared with ==, or the same two messages about Setctty,
// Foreground and Ctty. A program switches by changing its import from
// "syscall" to "github.com/forkexec/forkexec/forkexec" where it builds the
// attributes and calls ForkExec. What it does with the child stays in the
// syscall package: Wait4 and WaitStatus, Kill, the signal values (Pdeathsig
// is a syscall.Signal), the CLONE_ flags and the Errno values.
//
// # Extensions
//
// All are off by default, so that the zero value behaves as the stdlib does.
//
//   - SysProcAttr.ResetSignals: the child sets every signal but SIGKILL and
//     SIGSTOP to SIG_DFL, ignored ones included, and empties its signal
//     mask, just before exec (as QEMU's qemu_fork and ChromiumOS's Spawn do).
//     Without it a child inherits the signals its parent ignores and the
//     spawning thread's mask, as POSIX says exec must.
//   - SysProcAttr.CloseFDs: the child closes every descriptor from
//     len(ProcAttr.Files) up (libvirt's and Python's default), with
//     close_range(CLOSE_RANGE_CLOEXEC), or, on kernels before 5.11 or under
//     a seccomp policy without close_range, by listing /proc/self/fd.
//   - Spawn: ForkExec with a *Error that names the failed step (chroot,
//     chdir, setgroups, setuid, dup, set ctty, ptrace, exec, ...), its errno
//     and the path, descriptor or signal concerned, as in "forkexec: chdir
//     /no/such: no such file or directory". It unwraps to the Errno.
//   - NoNewPrivs, UseLandlock, LandlockFD, LandlockFlags: Go 1.28's fields
//     (go.dev/issue/68595), with its names, types and place, so that a
//     program written for Go 1.28 switches unchanged.
//   - What a container runtime, sandbox or supervisor sets between clone
//     and exec, each a field of SysProcAttr, off when zero: UseUmask and
//     Umask; Rlimits; UseSignalMask and SignalMask (posix_spawn's
//     SETSIGMASK); Capabilities (bounding, permitted, effective and
//     inheritable sets and securebits, with OnlyCaps for "clear all but
//     these"); SeccompFilter and SeccompFlags; UseExecFD and ExecFD
//     (fexecve, a program in a memfd); RetryTextBusy (ETXTBSY,
//     go.dev/issue/22315); Hostname and Domainname; UseDirFD and DirFD
//     (posix_spawn's addfchdir); UseOOMScoreAdj and OOMScoreAdj;
//     JoinNamespaces (setns). Bad values are refused before the fork; a
//     failure in the child names its step and item ("setrlimit
//     RLIMIT_NOFILE", "setns fd 7 (uts)").
//   - NewPlan: what a spawn would do, step by step, without doing it (see
//     below).
//   - SysProcAttr.Actions: steps the caller declares, run by the child in
//     order between clone and exec: file actions as posix_spawn has them,
//     mounts, pivot_root, limits, the hostname, namespaces joined (see
//     "Actions" below). The hook between clone and exec that is safe by
//     construction: data compiled in the parent, system calls in the child.
//   - SysProcAttr.ParentHook: a Go function the parent runs with the
//     child's pid while the child waits, before it execs (cgroup
//     placement, network setup, newuidmap), with the child still in the
//     parent's memory (see "The parent hook" below).
//
// # Compile, then run
//
// A spawn is compiled before it is run. The parent turns argv, the
// environment, ProcAttr and SysProcAttr into a program for the child: a
// flat sequence of steps, each an operation and its arguments already
// converted (C strings, tables, numbers), all in the one allocation a
// spawn makes. Everything that can be decided before the clone is decided
// then, once: the path (vfork, own stack, fork), clone or clone3, whether
// the child reports failure through memory or a pipe, who writes id maps,
// how CloseFDs closes. The child reads nothing else, so nothing another
// goroutine changes meanwhile (an attribute, the process's effective ids)
// can make it do something the parent did not plan for. The child itself
// is a loop over the steps and one small nosplit function per operation;
// it stops at the first failure and reports the step's index and errno,
// which Spawn turns into an [*Error] naming the step.
//
// NewPlan returns the program of a spawn without running it. For a spawn
// with most fields set, as root on Linux/amd64, it prints:
//
//	path: own stack (the parent writes the id maps while the child waits on a stack of its own)
//	clone: clone3 (only clone3 takes a stack with CLONE_CHILD_CLEARTID and a pidfd)
//	report: memory (the child runs in the parent's memory while the parent waits)
//	id maps: the parent writes them (maps other than the child's own ids need privilege over the parent namespace)
//	close fds: close_range (close_range(CLOSE_RANGE_CLOEXEC) answers)
//	 0 set keepcaps
//	 1 write id map by the parent; the child waits on a futex
//	 2 setsid
//	 3 restore signals
//	 4 unshare 0x20000
//	 5 make / private
//	 6 chroot /srv/root
//	 7 setgroups [100 27]
//	 8 setgid 100
//	 9 setuid 1000
//	10 set capabilities permitted and inheritable 0x400
//	11 raise ambient capability 10
//	12 chdir /tmp
//	13 set pdeathsig signal 15
//	14 dup Files [0 1 2 5]
//	15 close fds from 4 by close_range
//	16 detach ctty
//	17 set ctty fd 3
//	18 reset signal
//	19 ptrace
//	20 exec /bin/true ["true" "-x"]
//
// # The sequence in the parent
//
//  1. Check everything that can be checked: a NUL byte in any string is
//     EINVAL, Setctty with Foreground or with a Ctty outside Files is
//     refused, an ambient capability above 63 is EINVAL. Nothing has forked
//     yet, so bad input costs nothing but the error.
//  2. Decide, then compile the child's program into one allocation (see
//     program.go).
//  3. Take ForkLock for writing (see below).
//  4. Only if the child will not share the parent's memory: make a
//     close-on-exec pipe on which the child reports failure.
//  5. runtime_BeforeFork: block every signal on this thread and stop this
//     goroutine's stack from growing or moving.
//  6. clone, on the path decided in 2 (see "vfork's shared stack" below):
//     CLONE_VM|CLONE_VFORK, the child on the parent's stack, the parent
//     asleep; or, for a new user namespace whose maps only the parent may
//     write, clone3 with CLONE_VM and a stack of the child's own, while the
//     parent writes the maps (still as in 5), tells the child to go on and
//     sleeps until the child has exec'd or exited; or, where there is no
//     such stack (architectures other than amd64, emulators), a plain
//     fork-class clone.
//  7. runtime_AfterFork: undo 5. Release ForkLock. (With a ParentHook, on
//     amd64, the child instead runs on memory mapped for it, and the parent
//     leaves the hooks once the child waits for the hook: see "The parent
//     hook".)
//  8. On the fork path, for a new user namespace: write the child's maps
//     and tell it, through a pipe, to go on. With a ParentHook: run it,
//     then tell the child to go on (through memory, or a pipe on the fork
//     path); if it fails, kill and reap the child.
//  9. Learn whether the exec happened: on the first two paths the parent
//     slept until the child had exec'd or exited, so the child's report, if
//     it left one in the parent's memory, is there already; with the pipe,
//     end of file means the exec closed it. A child that failed is waited
//     for before the error is returned, so no zombie is left.
//
// # The sequence in the child
//
// The steps of the program, in the order compileSteps (program_linux.go)
// writes them and the child runs them; each is where it is for a reason.
// The syscall package's order, with the extensions (marked +) at their
// places:
//
//  1. prctl(PR_SET_KEEPCAPS) if AmbientCaps, or if Capabilities sets the
//     permitted, effective or inheritable set and Credential changes the
//     uid: capabilities must survive the setuid below.
//  2. Write the uid and gid maps, when the kernel lets the child map
//     itself, or wait for the parent to write them (on a futex word on the
//     own-stack path, on a pipe on the fork path): later steps use the ids
//     they define.
//  3. setsid, then setpgid: a session leader makes its own process group.
//  4. TIOCSPGRP for Foreground, still with every signal blocked: a
//     background group taking the terminal is sent SIGTTOU, which would
//     stop the child.
//  5. Restore signals (runtime_AfterForkInChild): put the runtime's signal
//     handlers back to SIG_DFL, then restore the spawning thread's mask.
//     Not with ResetSignals: its step 25 resets every handler, these
//     included, so signals stay blocked until then and the child saves
//     the runtime's ~64 rt_sigaction calls.
//     + With ParentHook, the child then lets the parent leave the fork
//     hooks (see "The parent hook").
//  6. + setns for JoinNamespaces, a user namespace first and a mount
//     namespace last: existing namespaces before new ones, which are then
//     made inside them, as runc and nsenter do.
//  7. unshare, writing the child's own maps for CLONE_NEWUSER, and making /
//     private for CLONE_NEWNS so that the child's mounts do not propagate
//     back.
//  8. + sethostname and setdomainname, in the new UTS namespace (one is
//     required, so that a spawn never renames the host).
//  9. + oom_score_adj, through /proc before a chroot may hide it, and
//     before setuid: lowering it needs CAP_SYS_RESOURCE.
//  10. + Rlimits, before setuid: raising a hard limit needs
//     CAP_SYS_RESOURCE (in the initial user namespace: in a new one it
//     fails with EPERM).
//  11. + ParentHook's wait, then Actions, in order (see "Actions" and "The
//     parent hook" below): inside the namespaces made above and with the
//     ids mapped, before chroot and before the credentials change.
//  12. chroot, while the child still has the privilege for it.
//  13. + Capabilities.SecureBits, then the bounding set: both need
//     CAP_SETPCAP, which setuid takes away.
//  14. setgroups, setgid, setuid, in that order: once the uid is dropped the
//     others can no longer be changed.
//  15. + capset of Capabilities' permitted, effective and inheritable sets,
//     after setuid, which clears the effective set.
//  16. Make the ambient capabilities permitted and inheritable, then raise
//     each: setuid would have cleared them.
//  17. + fchdir(DirFD), then chdir(Dir), after chroot so Dir is inside the
//     new root, and after setuid so it is checked with the child's own
//     permissions. + umask.
//  18. Arm Pdeathsig, after setuid, which clears it.
//  19. + NoNewPrivs, then Landlock, where Go 1.28 puts them: Landlock needs
//     no_new_privs, and LandlockFD is still the parent's number before
//     Files move.
//  20. + Move the descriptor to exec (ExecFD) out of the way of Files.
//  21. Move Files into place (two passes; see the descriptor race below),
//     close what Files says to close, and 0, 1 and 2 if Files is shorter.
//  22. + CloseFDs.
//  23. TIOCNOTTY for Noctty, TIOCSCTTY for Setctty: Ctty is now an index
//     into Files.
//  24. Restore RLIMIT_NOFILE to the program's original, where it is known
//     and Rlimits does not set it (see the differences below), at the
//     stdlib's place.
//  25. + ResetSignals, then + SignalMask: last but ptrace, seccomp and
//     exec, so that no step can install a handler or block a signal after
//     them. A signal sent to the child during steps 5 to 24 is then
//     pending, and acts (at its default action) when the reset unblocks
//     it.
//  26. ptrace(PTRACE_TRACEME), as late as possible, so that the tracer sees
//     the exec and not the child's setup.
//  27. + The seccomp filter, last, so that it judges the program's calls
//     and none of the setup's.
//  28. execve, or execveat of ExecFD, retrying ETXTBSY if RetryTextBusy. On
//     failure, or at any failed step above, the child leaves its report
//     and exits with status 253.
//
// On FreeBSD (program_freebsd.go): jail_attach first, then 3 to 5, 10, 12,
// 14, 17 to 19 (no_new_privs through procctl(PROC_NO_NEW_PRIVS_CTL),
// Pdeathsig through procctl(PROC_PDEATHSIG_CTL), no Landlock), 20 to 26,
// and 28 with fexecve; Actions before chroot as on Linux, their
// Linux-only kinds and ParentHook refused before the fork. The Linux-only settings are not fields of FreeBSD's
// SysProcAttr, so a program asking for them does not build for FreeBSD
// rather than run without them.
//
// # Actions
//
// SysProcAttr.Actions is an ordered list of Action values, made with
// OpenFile, CloseFile, Dup2, CloseFrom, Chdir, Fchdir, Tcsetpgrp (the
// file actions of posix_spawn), Mount, BindMount, RemountReadOnly,
// Propagation, Unmount, Mkdir, Symlink, WriteFile, PivotRoot, Setrlimit,
// Sethostname and Setns. The parent checks each before the fork (a
// relative pivot_root target, a NUL byte, a negative descriptor, an
// impossible limit are refused with EINVAL, naming the action) and
// converts its arguments into the program; the child only makes the
// system calls, one step per action, which NewPlan lists as "action N
// ...". A failure names the action, its index and what it worked on:
// "forkexec: action 3 mount /proc: permission denied" (Error.Action,
// Step.IsAction).
//
// They run at one place, step 11 of the child's sequence, where bubblewrap
// and runc do the same work, for these reasons:
//
//   - after the namespaces are made (Cloneflags, JoinNamespaces,
//     Unshareflags): a mount must land in the child's mount namespace,
//     not the host's, and a hostname in its UTS namespace;
//   - after the id maps are written: in a new user namespace the child
//     has its capabilities there from the start, but files it creates
//     need mapped ids (an unmapped owner is EOVERFLOW), and ParentHook,
//     which comes first, may be what writes them (newuidmap);
//   - after the runtime's signal handlers are reset: an action may block
//     (a mount over the network, a FUSE file system), and a signal then
//     finds SIG_DFL, not a Go handler with no Go runtime behind it;
//   - before Chroot: paths are the parent's, so a bind's source can be any
//     host path, and the actions can build the root that Chroot or
//     PivotRoot then enters;
//   - before the credentials change: mount, pivot_root, sethostname,
//     setns and raising a limit need privileges that setuid drops;
//   - before ProcAttr.Dir, so that Dir is taken inside the new root, and
//     before Files are moved.
//
// Descriptors: an action's descriptors are the child's at that point,
// which are the parent's, every one of them, close-on-exec or not (the
// child's table is a copy). ProcAttr.Files are moved into place after
// the actions, from the table as the actions left it: Files[i] = 5 gives
// the program whatever descriptor 5 then is, so an action may open the
// file Files hands on, and an action that closes a descriptor Files names
// makes the dup step fail with EBADF. Descriptors an action opens above
// len(Files) stay open in the program unless CloseFDs closes them, or
// their flags had O_CLOEXEC. The child's error pipe, where it reports
// through one, is moved out of the way of an action that would close or
// replace it ("move error pipe"), and CloseFrom leaves it.
//
// RemountReadOnly keeps a mount's nosuid, nodev, noexec and access-time
// flags, which the child reads with statfs(2) just before the remount,
// not the parent before the clone: the mount may exist only in the
// child's namespace (made by an earlier action), and in a user namespace
// the kernel refuses (EPERM) a remount that would clear flags locked by
// the more privileged namespace the mount came from. PivotRoot pivots
// onto "." and detaches the old root, so no directory is left behind to
// remove.
//
// # The parent hook
//
// SysProcAttr.ParentHook runs in the parent, with the child's pid, once
// the child exists and before it execs: at step 11, with its namespaces
// made and parent-written id maps in place, before the actions. Its error
// kills and reaps the child; the program never runs, and Spawn's *Error
// (Step StepParentHook) wraps the hook's error.
//
// The parent runs ordinary Go code meanwhile: it allocates, lets the
// collector run, blocks, starts processes, its goroutine moves between
// threads and its stack grows and moves. The stdlib, which cannot let a
// vfork child wait on a running parent, would fork, copying the parent's
// page tables. Here the child stays vfork-class, in the parent's memory
// with no page-table copy (clone3 with CLONE_VM), and is made safe from
// the parent as follows (hook_linux.go):
//
//   - What the child may touch: only memory the Go runtime neither owns
//     nor moves. Its stack and arguments (childArgs, a copy of the
//     program's header, its report, its futex words) are in one anonymous
//     mapping made for it, as glibc's posix_spawn maps its child's stack,
//     with a guard page under the stack; the program's own memory is a
//     heap object, which Go's collector never moves, without pointers, so
//     the collector never reads what the child writes there; beyond that,
//     read-only data and code.
//   - What the GC may move: the spawning goroutine's stack, which is why
//     nothing the child uses is on it, unlike the vfork and own-stack
//     paths, where the parent's stack is pinned by the fork hooks until
//     the child is done.
//   - The runtime's fork hook in the child (signal handlers reset, the
//     spawning thread's mask restored) reads the runtime's M through the
//     goroutine the clone was made on, so the parent stays inside the fork
//     hooks, signals blocked and its stack pinned, until the child has
//     done that, its first few steps (step 5 of its sequence, and a step
//     after it that NewPlan lists as "let the parent leave the fork
//     hooks"). The child reads nothing of the runtime's again, and the
//     parent leaves the hooks and waits, as ordinary Go code, for the
//     child to reach step 11, with its namespaces made, then runs the
//     hook.
//   - Why the child's memory outlives the wait: the parent unmaps it, or
//     keeps it for a later spawn, only after the kernel has zeroed the
//     child's futex word at its exec or exit (CLONE_CHILD_CLEARTID), or
//     after killing and reaping it; the program's memory is kept alive
//     (runtime.KeepAlive) until then. A hook that panics kills and reaps
//     the child too. A child whose parent dies during the hook gives up
//     waiting (it looks every second, unless it is in a new PID
//     namespace, where it cannot see its parent).
//
// Where the own-stack clone does not exist (architectures other than
// amd64, emulators, clone3 refused) the child is forked and waits on a
// pipe; NewPlan's "path" decision says which, and why.
//
// # Hazards, and how each is met
//
// Between fork and exec. The child of a multithreaded program has one
// thread: any lock another thread held at the fork stays held forever, and
// the heap and the scheduler may be mid-update. So the child must not
// allocate, take a lock, grow its stack or call Go code that might. The
// child's code is a loop (execChild) over its program and one small
// nosplit function per operation, calling only raw system call stubs, the
// runtime's fork hooks and a few nosplit helpers. Small matters: the
// linker allows a chain of nosplit frames a few hundred bytes, and an
// unoptimized build (what debuggers use) gives every call site its own
// slots, so the operations are grouped by how deep their calls go and
// each group has its own dispatcher (see op in program.go); a CI step
// links a debug build for every target. The stubs are generated
// from //sysnb declarations by internal/mksysnb (run mkall.sh), a file per
// GOOS and one per GOARCH for the stubs that differ; each is //go:nosplit,
// allocates nothing and returns the bare Errno. The child functions carry
// the //forkexec:child directive, and cmd/childcheck, an analyzer run in CI
// for every target, proves the rules hold for everything they reach, with a
// second check on the compiler's escape analysis. The stdlib relies on
// review for this.
//
// vfork's shared stack. With CLONE_VM|CLONE_VFORK the child runs on the
// parent's stack while the parent sleeps, which makes a spawn cost the
// same whatever the parent's size (a plain fork copies its page tables).
// The child must then never return from the function that cloned it, or it
// would unwind frames the parent is going to return through. So the clone
// is made from forkAndExecInChild1, which the parent leaves at once and the
// child never leaves; and the clone itself is made by a small assembly
// stub per architecture (vfork_$GOOS_$GOARCH.s) that keeps its return
// address in a register across the system call, or in the link register
// it never saves, because every call the child makes writes below the
// parent's frame, where a saved return address would be. For the same
// reason the generated //sysvfork stubs only compute the clone's arguments:
// a Go function between the clone and forkAndExecInChild1 would have its
// frame overwritten. Sharing memory also lets the child leave its error
// report in the parent's memory, as glibc's posix_spawn does, rather than
// write it to a pipe: no pipe is made, read or closed on that path.
//
// A new user namespace. The stdlib gives up vfork for every one, since a
// parent that writes the child's maps must run while the child waits, and
// its fork then costs 10 to 40 times a vfork in a parent of a few GiB.
// forkexec keeps a vfork-class clone for all of them. A child that
// unshares its user namespace writes its own maps, and so does a child
// cloned into one whose maps the kernel lets it write itself (one line
// mapping its own uid, or gid with setgroups denied: the rootless "map me
// to root"), so nothing waits and plain vfork serves. For any other maps
// the child gets a stack of its own (an array in the parent's frame, which
// cannot move until the child is done) from clone3, whose assembly stub
// (clonestack_linux_amd64.s) calls execChild on it. The parent, awake but
// still with signals blocked and its stack pinned, writes the maps with
// the same nosplit raw calls the child uses, sets a futex word the child
// waits on, and sleeps on a second word that the kernel zeroes when the
// child execs or exits (CLONE_CHILD_CLEARTID: the moment a vfork parent
// wakes). The child thus still shares memory and reports through it, and
// the two never run on one stack.
//
// Inherited signal handlers and masks. A child inherits the parent's
// signal dispositions and the forking thread's mask; a handler that ran in
// a vfork child would run Go code on the parent's memory. So the parent
// blocks every signal on its thread before the clone (runtime_BeforeFork),
// and the child unblocks them only after the runtime has reset its
// handlers to SIG_DFL (runtime_AfterForkInChild). Handlers the program set
// to SIG_IGN stay ignored across exec, as POSIX requires; ResetSignals
// resets those too, and empties the mask, dispositions first, so that no
// signal unblocked by the reset can reach an old handler. Since it resets
// the runtime's handlers as well, a child with ResetSignals skips the
// runtime's reset and keeps every signal blocked until its own.
//
// The close-on-exec race, and ForkLock. A descriptor created without
// O_CLOEXEC and marked close-on-exec a moment later leaks into any child
// forked in between. Code that cannot create a descriptor close-on-exec
// atomically holds ForkLock for reading across the two steps; a fork holds
// it for writing. forkexec's ForkLock is the syscall package's own lock, so
// the guarantee holds across forkexec, os, net and os/exec in one program.
// Forks do not wait for each other: the first of a run of concurrent forks
// takes the write lock and the last releases it (see lock.go). Within the
// child, the Files shuffle has a race of its own: dup'ing Files[i] onto i
// could overwrite a descriptor that a later Files[j] still needs, so a
// first pass parks every Files[i] < i above all of them, and only then does
// a second pass dup each onto its slot. Parking takes the lowest free
// descriptor above them (F_DUPFD_CLOEXEC), so it never replaces a
// descriptor the child inherits without Files naming it.
//
// The parent-death race. Pdeathsig asks the kernel to signal the child
// when its parent thread dies, but only from the moment it is armed: a
// parent dying between the clone and the prctl would never send it. So the
// parent records its pid before the clone, and the child, once the signal
// is armed, compares its parent's pid with it; if they differ the parent is
// gone, and the child sends itself the signal. The signal follows the
// spawning thread, not the process: lock the spawning goroutine to its
// thread (runtime.LockOSThread) for as long as the child should live.
//
// setuid ordering. Once setuid has dropped root the child can no longer
// change its groups or gid, chroot, or write its maps, and setuid clears
// the parent-death signal and, without keepcaps, the capabilities. Hence
// chroot, groups, gid, uid, then ambient capabilities and Pdeathsig.
//
// # Differences from the stdlib
//
// Only these, each unavoidable from outside the standard library or a fix
// of a crash:
//
//   - RLIMIT_NOFILE. At start-up the syscall package raises the soft limit
//     on open files to the hard limit less one and saves the original,
//     which its children get back. The saved value is an unexported
//     variable the linker will not let another package read, so forkexec
//     learns it once, on the first spawn that needs it, from a child the
//     syscall package starts traced and stopped at its exec, and its
//     children get the original too (rlimit_unix.go weighs the cost and
//     the hazards). Where that child cannot be traced (a seccomp policy
//     without ptrace, qemu-user, a traced program), and on FreeBSD, the
//     children inherit the parent's current, raised, soft limit; a child
//     that needs the original should set it (Rlimits). Where a
//     program sets the limit itself, the stdlib stops restoring, and so
//     does forkexec.
//   - ForkLock is a *sync.RWMutex pointing at syscall.ForkLock, because Go
//     has no way to give a second name to a variable: ForkLock.Lock() reads
//     the same, &ForkLock does not.
//   - An ambient capability above 63 is EINVAL before the fork; the
//     stdlib's child indexes past an array with it and crashes between
//     fork and exec.
//   - UidMappings or GidMappings without CLONE_NEWUSER: the stdlib's vfork
//     parent sleeps while its child waits for the parent to write the maps,
//     and both hang; forkexec's parent stays awake, fails to write them,
//     and returns EPERM.
//   - The stdlib gives up vfork for every new user namespace; forkexec
//     keeps a vfork-class clone (see above), so a spawn into one costs the
//     same whatever the parent's size. What the child gets is the same.
//   - Parking a descriptor during the Files shuffle never closes one: the
//     stdlib parks onto a fixed number with dup3, replacing whatever
//     inherited descriptor was there (go.dev/issue/61751); forkexec takes
//     the lowest free number from there up.
//   - On FreeBSD the stdlib forks; forkexec uses rfork(RFSPAWN), as
//     FreeBSD's posix_spawn does (vfork before 12.2), and so, like the
//     Linux child, starts Ptrace last rather than first: a child traced
//     from the start would stop at its first signal, and its tracer, the
//     spawning thread, sleeps until the exec. The tracer still sees the
//     stop at the exec and nothing before it.
//
// # Preconditions
//
// As with the stdlib: Files must be open descriptors of this process (or
// -1), Ctty a descriptor of the child for Setctty and of the parent for
// Foreground, and a program using Ptrace or Pdeathsig should lock the
// spawning goroutine to its thread. The caller waits for the child.
package forkexec
