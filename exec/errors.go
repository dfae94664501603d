package exec

import (
	"errors"
	stdexec "os/exec"
)

// Error is returned by LookPath when it cannot classify a file as an
// executable. It is os/exec's Error itself (a type alias), so that
// errors.As with either package's type matches.
type Error = stdexec.Error

// ExitError reports an unsuccessful exit. It is os/exec's ExitError itself
// (a type alias): it embeds the command's *os.ProcessState, and Output fills
// its Stderr with part of the standard error when nothing else collects it.
type ExitError = stdexec.ExitError

// ErrNotFound is the error of a LookPath that found no executable: os/exec's
// own value.
var ErrNotFound = stdexec.ErrNotFound

// ErrDot is the error of a path lookup whose result is relative to the
// current directory, through an implicit or explicit "." in PATH: os/exec's
// own value. Test with errors.Is(err, ErrDot).
var ErrDot = stdexec.ErrDot

// ErrWaitDelay is returned by Wait when the process exited successfully but
// WaitDelay ran out before its I/O was done: os/exec's own value.
var ErrWaitDelay = stdexec.ErrWaitDelay

// Errors of misuse, in os/exec's words.
var (
	errNoCommand   = errors.New("exec: no command")
	errStarted     = errors.New("exec: already started")
	errNotStarted  = errors.New("exec: not started")
	errWaited      = errors.New("exec: Wait was already called")
	errCancelNoCtx = errors.New("exec: command with a non-nil Cancel was not created with CommandContext")
	errNUL         = errors.New("exec: environment variable contains NUL")
	errStdoutSet   = errors.New("exec: Stdout already set")
	errStderrSet   = errors.New("exec: Stderr already set")
	errStdinSet    = errors.New("exec: Stdin already set")
)

// prefixedError adds what was being done to an error, keeping it
// reachable with errors.Is and errors.As.
type prefixedError struct {
	doing string
	err   error
}

func (e prefixedError) Error() string { return e.doing + ": " + e.err.Error() }
func (e prefixedError) Unwrap() error { return e.err }

// LookPath searches the directories in PATH for an executable named file,
// or, if file contains a slash, checks file itself. It is os/exec's
// LookPath: a result relative to the current directory comes with an
// error satisfying errors.Is(err, ErrDot) (unless GODEBUG has
// execerrdot=0), and a miss is an *Error wrapping ErrNotFound.
func LookPath(file string) (string, error) {
	return stdexec.LookPath(file)
}
