// Package exec runs external commands. It is os/exec on top of forkexec: the
// same names with the same documented semantics, so that a program switches
// by changing its import from "os/exec" to
// "github.com/forkexec/forkexec/exec", plus what libvirt's virCommand adds
// on top of fork and exec, and a Wait that does not hold an OS thread per
// child.
//
// # What is shared with the standard library
//
// Where the standard library already does the job, this package uses it
// rather than a copy, so that errors and values mix freely with os/exec's:
//
//   - LookPath is os/exec's LookPath, with its rules (ErrDot for a result
//     relative to the current directory, the execerrdot GODEBUG setting).
//     ErrDot, ErrNotFound and ErrWaitDelay are os/exec's own values, and
//     Error and ExitError are aliases of os/exec's types, so errors.Is and
//     errors.As written against either package work with both.
//   - Cmd.Process is an *os.Process; Signal and Kill go through it, and so
//     through a pidfd on Linux, where the os package holds one: a signal
//     cannot reach a recycled pid.
//   - Cmd.ProcessState is a genuine *os.ProcessState. The os package does
//     not let another package build one, so this package has the os package
//     reap the child (os.Process.Wait) once the child has already exited;
//     that wait returns at once. See "Waiting" below.
//
// # Differences from os/exec
//
//   - Cmd.SysProcAttr is a *forkexec.SysProcAttr, which has every field of
//     syscall.SysProcAttr plus forkexec's extensions.
//   - Safe defaults, as in libvirt and Python's subprocess: the child gets
//     only the descriptors it is given (stdin, stdout, stderr, ExtraFiles,
//     PassFiles) and every signal at its default disposition with an empty
//     mask. Set Cmd.InheritFDs and Cmd.InheritSignals to get os/exec's
//     behaviour (inherit every descriptor not marked close-on-exec, and the
//     signals the parent ignores).
//   - Start's error for a child that failed before exec is an
//     *os.PathError (Op "fork/exec"), as os/exec's is, wrapping a
//     *forkexec.Error that names the failed step, such as "chdir" or
//     "exec".
//   - String renders the environment changes and the arguments quoted for a
//     POSIX shell, so that the result can be pasted into one. For a command
//     with no Env and plain arguments it is what os/exec's String gives.
//   - A nil Stdin, Stdout or Stderr connects the child to /dev/null, as in
//     os/exec, but through two descriptors of /dev/null (one read-only, one
//     write-only) opened once per program and shared by every child, rather
//     than one open per stream per child.
//
// # What virCommand adds
//
//   - Environment: EnvPass and EnvCommon build a clean environment from
//     named variables of this process, instead of inheriting all of it.
//   - PassFiles hands a descriptor to the child at a number of the caller's
//     choosing, optionally closing the parent's copy once the child has it.
//   - PidFile: a pidfile locked before the child starts and kept locked by
//     the child, through the descriptor it inherits, until it exits, so that
//     a second start with the same pidfile fails and anyone can test
//     liveness with the lock (PidFileOwner). The lock belongs to the open
//     file description (an OFD lock on Linux, flock on FreeBSD), so it is
//     taken by this process before the fork and held by the child after
//     this process closes its copy. The pid is written by this process
//     once the child has started, or, with Daemonize, by the middle
//     process; libvirt's child writes its own, which a child that runs no
//     Go code between fork and exec cannot do.
//   - Daemonize: the child in a session of its own, adopted by init, with
//     this program run again as the middle process (see Cmd.Daemonize for
//     what that implies).
//   - Buffers: an input buffer is Stdin = bytes.NewReader(b), as in
//     os/exec (libvirt's virCommandSetInputBuffer); LimitedBuffer bounds
//     the output kept from a child, which it keeps reading so that the
//     child never blocks; IgnoreExitStatus makes a non-zero exit or a death
//     by signal a status to read (Cmd.WaitStatus) rather than an error.
//   - Abort: SIGTERM, a grace period, SIGKILL, reap.
//
// # Waiting
//
// os/exec's Wait blocks an OS thread in the wait system call for as long as
// the child runs. On Linux this package asks the kernel for a pidfd when it
// starts the child (CLONE_PIDFD), registers it with the Go runtime's network
// poller, and parks the waiting goroutine until the pidfd becomes readable,
// which it does when the child exits; only then is the child reaped. The
// pidfd reaches the poller only if Wait finds the child still running: a
// command whose output has ended has usually exited already. Run copies
// the child's output in the goroutine that waits, and Output (or Run with
// both Stdout and Stderr buffers) takes both streams in that one
// goroutine, through an epoll instance of its own that the poller watches
// as one descriptor. A thousand children being waited on thus hold no
// thread each, nor a goroutine per stream. Where the
// kernel has no pidfds (before 5.3) and on FreeBSD, Wait falls back to the
// blocking wait os.Process.Wait does. FreeBSD's process descriptors
// (pdfork) and kqueue's EVFILT_PROC would serve there and are not used yet.
package exec
