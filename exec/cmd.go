package exec

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/forkexec/forkexec/forkexec"
)

// Cmd is an external command being prepared or run. It has every field and
// method of os/exec's Cmd, with the same meaning, and a few more (after
// WaitDelay below).
//
// A Cmd cannot be reused after calling its Run, Output or CombinedOutput
// methods.
type Cmd struct {
	// Path is the path of the command to run: the only field that must be
	// set. A relative Path is relative to Dir.
	Path string

	// Args holds the command-line arguments, the command's name first (as
	// it usually is). An empty Args runs Path with Args {Path}.
	Args []string

	// Env is the environment of the process, each entry "key=value". A nil
	// Env means this process's environment (with PWD set to Dir's absolute
	// path if Dir is set); an empty, non-nil Env means an empty one. Where
	// a key appears more than once, the last value wins. EnvCommon and
	// EnvPass build a clean environment from chosen variables.
	Env []string

	// Dir is the working directory of the command; empty means the
	// caller's.
	Dir string

	// Stdin is the process's standard input. Nil means /dev/null. An
	// *os.File is handed to the child as it is; any other reader is copied
	// into a pipe by a goroutine, and Wait does not return until the copy
	// has stopped (at Stdin's end, an error, or the pipe's closing).
	Stdin io.Reader

	// Stdout and Stderr are the process's standard output and error. Nil
	// means /dev/null. An *os.File is handed to the child as it is; any
	// other writer is fed from a pipe by a goroutine, and Wait waits for
	// it. If both are the same writer (compared with ==), the child gets one
	// descriptor for both and at most one goroutine writes at a time.
	Stdout io.Writer
	Stderr io.Writer

	// ExtraFiles are further open files for the child: entry i becomes
	// descriptor 3+i. A nil entry leaves that number closed.
	ExtraFiles []*os.File

	// SysProcAttr holds optional attributes of the new process: forkexec's
	// SysProcAttr, every field of syscall.SysProcAttr and forkexec's
	// extensions. Its CloseFDs and ResetSignals are forced on unless
	// InheritFDs or InheritSignals is set (see those).
	SysProcAttr *forkexec.SysProcAttr

	// Process is the underlying process, once started.
	Process *os.Process

	// ProcessState holds how the process ended; Wait and Run set it.
	ProcessState *os.ProcessState

	// Err is an error from building the command, such as a failed LookPath
	// in Command. Start returns it without starting anything.
	Err error

	// Cancel, if not nil, is called when the Context of CommandContext is
	// done before the command has finished; CommandContext sets it to kill
	// the Process. An error from Cancel that is not os.ErrProcessDone is
	// returned by Wait, wrapped; after a successful Cancel, Wait returns
	// the Context's error if the command would otherwise have succeeded.
	// Setting Cancel on a Cmd not made by CommandContext makes Start fail.
	Cancel func() error

	// WaitDelay bounds the time Wait waits once either the Context is done
	// or the process has exited: when it runs out, Wait kills the process
	// if it is still running, closes the pipes to and from the copying
	// goroutines, and returns ErrWaitDelay if the command would otherwise
	// have succeeded. It is for children whose own children keep the pipes
	// open. Zero means no limit.
	WaitDelay time.Duration

	// InheritFDs lets the child inherit every descriptor of this process
	// that is not marked close-on-exec, as os/exec's children do. By
	// default the child gets exactly the descriptors the Cmd gives it
	// (SysProcAttr.CloseFDs is forced on).
	InheritFDs bool

	// InheritSignals lets the child inherit the signals this process
	// ignores and the starting thread's signal mask, as os/exec's children
	// do. By default every signal is at its default disposition and none is
	// blocked when the program starts (SysProcAttr.ResetSignals is forced
	// on).
	InheritSignals bool

	// PassFiles are files handed to the child at descriptor numbers of the
	// caller's choosing, which must not be 0 to 2 or taken by ExtraFiles.
	PassFiles []PassFile

	// PidFile, if set, names a file that Start locks before the child
	// starts and fills with the child's pid once it has; Start fails with
	// ErrPidFileLocked while another process holds the lock. The child
	// gets the file, open and locked, as its highest descriptor (after
	// ExtraFiles and PassFiles) and holds the lock until it exits, or
	// closes that descriptor. See the package documentation and
	// PidFileOwner.
	PidFile string

	// Daemonize runs the command as a daemon, as libvirt's
	// virCommandDaemonize does: in a session of its own, of which it is not
	// the leader (so it cannot acquire a controlling terminal), and as the
	// child of a middle process that exits at once, so that init (or the
	// nearest subreaper) adopts it. Start returns once the daemon has been
	// spawned, with Process referring to it (signals still go through a
	// pidfd). Wait returns at once, since the daemon is not this process's
	// child, with ProcessState describing the middle process, and releases
	// Process (to signal the daemon later, use os.FindProcess with its
	// pid); Abort stops the daemon, in place of Wait. With PidFile, the
	// middle process writes the daemon's pid, and the daemon holds the
	// lock. Stdin, Stdout and Stderr must be nil or *os.File (nothing can
	// copy for a process that outlives Wait), Chroot is refused, and the
	// Context of CommandContext only stops a daemon from starting.
	//
	// The middle process is this program, run again (/proc/self/exe on
	// Linux): this package's init function spawns the daemon and exits
	// before main. Init functions of packages initialized before this one
	// run in it too; a program whose init functions have effects outside
	// the process should not use Daemonize. A set-user-ID, set-group-ID or
	// file-capability program cannot: its Start fails, since an environment
	// variable its caller could set decides what the middle process runs.
	Daemonize bool

	// IgnoreExitStatus makes Wait, Run and Output return no error for a
	// child that exited non-zero or died of a signal (libvirt's "raw wait
	// status"): read the outcome from ProcessState or WaitStatus.
	IgnoreExitStatus bool

	ctx     context.Context
	started atomic.Bool
	waited  bool
	// runInline: Run has no WaitDelay, so Wait may do one copy in its own
	// goroutine rather than start one for it.
	runInline bool
	// muxOutputs: Wait's inline copy takes stdout and stderr together
	// (copyOutputs), through descriptors off the runtime's poller.
	muxOutputs bool

	// What Start hands to forkexec, kept here rather than allocated.
	attr  forkexec.ProcAttr
	sys   forkexec.SysProcAttr
	files [8]uintptr

	// Pipe ends the child gets that Start made, closed once the child has
	// them: raw descriptors for copying, and the *os.File ends of
	// StdinPipe, StdoutPipe and StderrPipe.
	childFDs   []int
	childFiles []*os.File
	// This process's ends of StdinPipe, StdoutPipe and StderrPipe, closed
	// after Wait.
	parentPipes []io.Closer
	// The copies between the streams and pipes of ours: run by copying's
	// goroutines, or by Wait (those Run leaves it, in inlineCopies and
	// Wait's own goroutine).
	copiers      []copier
	copying      *copyGroup
	inlineCopies sync.WaitGroup
	// Room for the three streams, so that the slices above need no
	// allocation of their own.
	childFDsArr    [3]int
	parentPipesArr [3]io.Closer
	copiersArr     [3]copier
	argsArr        [4]string

	exit        exitWatcher
	watcher     chan watchResult
	middleState *os.ProcessState // Daemonize's middle process, reaped by Start
}

// PassFile is a file the child gets at descriptor number FD.
type PassFile struct {
	File *os.File
	FD   int
	// CloseAfterStart closes File in this process once the child has it
	// (also if Start fails), for a descriptor only the child should hold.
	CloseAfterStart bool
}

// Command returns a Cmd to run the program name with the given arguments.
// It sets only Path and Args. A name without a slash is looked up with
// LookPath; if that fails, the Cmd's Err says why (and Path is LookPath's
// result where it gave one, as with ErrDot). Otherwise name is used as it
// is, relative to Dir if relative.
func Command(name string, arg ...string) *Cmd {
	c := &Cmd{Path: name}
	c.Args = append(append(c.argsArr[:0], name), arg...)
	if filepath.Base(name) == name {
		path, err := LookPath(name)
		if path != "" {
			c.Path = path
		}
		c.Err = err
	}
	return c
}

// CommandContext is Command with a Context: if ctx is done before the
// command has finished, Start fails or Cancel is called. Cancel is set to
// kill the Process, and WaitDelay is left at zero; change either before
// Start. ctx must not be nil.
func CommandContext(ctx context.Context, name string, arg ...string) *Cmd {
	if ctx == nil {
		panic("nil Context")
	}
	c := Command(name, arg...)
	c.ctx = ctx
	c.Cancel = func() error { return c.Process.Kill() }
	return c
}

// Run starts the command and waits for it: Start, then Wait. Its error is
// nil if the command ran, exited 0 and had no trouble with its I/O; an
// *ExitError for an unsuccessful exit; something else for other failures.
func (c *Cmd) Run() error {
	c.runInline = c.WaitDelay == 0
	if err := c.Start(); err != nil {
		return err
	}
	return c.Wait()
}

// WaitStatus returns the raw wait status of the finished command, for use
// with IgnoreExitStatus. It is valid only once Wait has returned.
func (c *Cmd) WaitStatus() syscall.WaitStatus {
	if c.ProcessState == nil {
		return 0
	}
	ws, _ := c.ProcessState.Sys().(syscall.WaitStatus)
	return ws
}
