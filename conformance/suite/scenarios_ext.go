package suite

import (
	"errors"
	"fmt"
	"maps"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// registerExtensions registers the scenarios of extensions: judged by
// Expect against the documented behaviour, and not applicable to an
// implementation without the feature (the stdlib has none).
func registerExtensions() {
	Register(Scenario{Name: "ext-reset-signals", Group: "extension", Isolated: true,
		Doc: "ResetSignals with parent ignoring, catching and blocking signals: child all SIG_DFL, empty mask",
		Ext: Ext{ResetSignals: true}, Setup: ignoreAndBlockSignals, Expect: expectAllDefault})
	Register(Scenario{Name: "ext-reset-signals-plain", Group: "extension", Doc: "ResetSignals with a default parent",
		Ext: Ext{ResetSignals: true}, Setup: noSetup, Expect: expectAllDefault})
	Register(Scenario{Name: "ext-reset-signals-off", Group: "extension", Isolated: true,
		Doc:   "ResetSignals off: ignored signals stay ignored, mask kept (as the stdlib)",
		Needs: []Feature{ResetSignals},
		Setup: func(c *Ctx) error {
			signal.Ignore(syscall.SIGUSR1)
			return blockSignals(syscall.SIGUSR2)
		},
		Expect: func(c *Ctx, f Fields) []string {
			return expectEqual(f, map[string]string{"sig.SIGUSR1": "ign", "sig.SIGUSR2": "dfl+blocked"})
		}})
	Register(Scenario{Name: "ext-closefds", Group: "extension", Doc: "CloseFDs with 50 leaked descriptors and one at 900: child has exactly 0, 1, 2",
		Ext: Ext{CloseFDs: true}, Setup: leakFDs(50), Expect: expectFDs(0, 1, 2)})
	Register(Scenario{Name: "ext-closefds-closed-slot", Group: "extension", Doc: "CloseFDs with Files {a, -1, b}: child has exactly 0 and 2",
		Ext: Ext{CloseFDs: true},
		Setup: func(c *Ctx) error {
			c.Attr.Files = []uintptr{c.File("a"), closedFD, c.File("b")}
			return leakFDs(5)(c)
		},
		Expect: expectFDs(0, 2)})
	Register(Scenario{Name: "ext-closefds-nil", Group: "extension", Doc: "CloseFDs with Files nil: child has no descriptors",
		Ext: Ext{CloseFDs: true},
		Setup: func(c *Ctx) error {
			err := leakFDs(5)(c)
			c.Attr.Files = nil
			return err
		},
		Expect: expectFDs()})
	Register(Scenario{Name: "ext-closefds-high-slot", Group: "extension", Doc: "CloseFDs keeps a Files slot numbered 40 and closes the rest",
		Ext: Ext{CloseFDs: true},
		Setup: func(c *Ctx) error {
			err := leakFDs(5)(c)
			f := make([]uintptr, 41)
			for i := range f {
				f[i] = closedFD
			}
			f[40] = c.File("a")
			c.Attr.Files = f
			return err
		},
		Expect: expectFDs(40)})
	Register(Scenario{Name: "ext-closefds-off", Group: "extension", Doc: "CloseFDs off: leaked descriptors are inherited (as the stdlib)",
		Needs: []Feature{CloseFDs}, Setup: leakFDs(3),
		Expect: func(c *Ctx, f Fields) []string {
			if f["fd.900"] == "" {
				return []string{"fd 900 not inherited"}
			}
			return nil
		}})
	Register(Scenario{Name: "ext-both", Group: "extension", Doc: "ResetSignals and CloseFDs together", Isolated: true,
		Ext: Ext{ResetSignals: true, CloseFDs: true},
		Setup: func(c *Ctx) error {
			signal.Ignore(syscall.SIGPIPE)
			return leakFDs(3)(c)
		},
		Expect: func(c *Ctx, f Fields) []string { return append(expectAllDefault(c, f), expectFDs(0, 1, 2)(c, f)...) }})
	Register(Scenario{Name: "ext-spawn-ok", Group: "extension", Doc: "Spawn of a good program behaves as ForkExec",
		Ext: Ext{StepErrors: true}, Setup: noSetup,
		Expect: func(c *Ctx, f Fields) []string {
			return expectEqual(f, map[string]string{"error": "none", "exit": "exit 0", "argv[1]": `"x"`})
		}})

	// Spawn's step-named errors, on the setups of the error scenarios.
	Register(
		stepError("err-missing-program", "exec", syscall.ENOENT, "/nope"),
		stepError("err-enoexec", "exec", syscall.ENOEXEC, "garbage"),
		stepError("err-dir-missing", "chdir", syscall.ENOENT, "/nope"),
		stepError("err-chroot-missing", "chroot", syscall.ENOENT, "/nope"),
		stepError("err-bad-fd", "dup", syscall.EBADF, "987"),
		stepError("err-nul-env", "convert", syscall.EINVAL, ""),
		stepError("err-setsid-setpgid", "setpgid", syscall.EPERM, ""),
		stepError("err-ctty-not-tty", "set ctty", syscall.ENOTTY, ""),
		stepError("err-ctty-out-of-range", "check SysProcAttr", 0, ""),
		stepError("err-noctty-not-tty", "detach ctty", syscall.ENOTTY, ""),
		stepError("err-foreground-not-tty", "set foreground", syscall.ENOTTY, ""),
		stepError("err-pdeathsig-invalid", "set pdeathsig", syscall.EINVAL, ""),
	)
	Register(stepErrorsLinux()...)
	s := stepError("err-cred-nonroot", "setgroups", syscall.EPERM, "")
	s.Isolated, s.NeedsRoot = true, true // as err-cred-nonroot
	Register(s)
}

func noSetup(*Ctx) error { return nil }

// ignoreAndBlockSignals makes the (isolated) parent ignore SIGPIPE,
// SIGUSR1, SIGHUP and signal 40 and block SIGUSR2, SIGTERM and signal 38.
func ignoreAndBlockSignals(c *Ctx) error {
	signal.Ignore(syscall.SIGPIPE, syscall.SIGUSR1, syscall.SIGHUP, syscall.Signal(40))
	return blockSignals(syscall.SIGUSR2, syscall.SIGTERM, syscall.Signal(38))
}

// blockSignals blocks sigs on the calling (locked) thread.
func blockSignals(sigs ...syscall.Signal) error {
	var set unix.Sigset_t
	for _, s := range sigs {
		sigsetAdd(&set, s)
	}
	return blockThreadSignals(&set)
}

// expectAllDefault checks that every signal is SIG_DFL and unblocked.
func expectAllDefault(c *Ctx, f Fields) []string {
	if f["error"] != "none" {
		return []string{"start failed: " + f["error"]}
	}
	var v []string
	for sig := 1; sig <= 64; sig++ {
		if d := f["sig."+sigName(sig)]; d != "dfl" {
			v = append(v, fmt.Sprintf("%s is %s, want dfl", sigName(sig), d))
		}
	}
	return v
}

// expectEqual checks that f has the values of want.
func expectEqual(f Fields, want map[string]string) []string {
	var v []string
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if f[k] != want[k] {
			v = append(v, fmt.Sprintf("%s is %q, want %q", k, f[k], want[k]))
		}
	}
	return v
}

// leakFDs returns a Setup that opens n descriptors without close-on-exec,
// and moves one to 900, which the child inherits unless CloseFDs.
func leakFDs(n int) func(c *Ctx) error {
	return func(c *Ctx) error {
		syscall.ForkLock.Lock()
		defer syscall.ForkLock.Unlock()
		for i := 0; i < n; i++ {
			fd, err := syscall.Open(filepath.Join(c.Run.Dir, "leak"), syscall.O_RDWR|syscall.O_CREAT, 0o666)
			if err != nil {
				return err
			}
			c.Defer(func() { syscall.Close(fd) })
		}
		if err := unix.Dup3(int(c.Attr.Files[0]), 900, 0); err != nil {
			return err
		}
		c.Defer(func() { syscall.Close(900) })
		return nil
	}
}

// expectFDs returns an Expect checking that the child had exactly the
// descriptors want.
func expectFDs(want ...int) func(c *Ctx, f Fields) []string {
	return func(c *Ctx, f Fields) []string {
		var v []string
		if f["error"] != "none" {
			return []string{"start failed: " + f["error"]}
		}
		if f["fd.count"] != fmt.Sprint(len(want)) {
			var got []string
			for k := range f {
				if strings.HasPrefix(k, "fd.") && k != "fd.count" {
					got = append(got, k[3:])
				}
			}
			v = append(v, fmt.Sprintf("child had %s descriptors (%s), want %d %v", f["fd.count"], strings.Join(got, ","), len(want), want))
		}
		for _, fd := range want {
			if _, ok := f[fmt.Sprintf("fd.%d", fd)]; !ok {
				v = append(v, fmt.Sprintf("fd %d missing", fd))
			}
		}
		return v
	}
}

// stepError is the StepErrors scenario on the setup of the error scenario
// base: the start fails with a *StepError naming step, with errno (what
// the stdlib returns for the same setup, where that differs, as under
// emulation) and a message mentioning detail.
func stepError(base, step string, errno syscall.Errno, detail string) Scenario {
	return Scenario{
		Name:  "ext-spawn-" + strings.TrimPrefix(base, "err-"),
		Group: "extension",
		Doc:   fmt.Sprintf("Spawn names step %q (%v) for %s", step, unix.ErrnoName(errno), base),
		Ext:   Ext{StepErrors: true},
		Setup: func(c *Ctx) error { return Lookup(base).Setup(c) },
		Expect: func(c *Ctx, f Fields) []string {
			err := c.Err
			want := errno
			if pid, serr := syscall.ForkExec(c.Argv0, c.Argv, c.Attr); serr == nil {
				WaitTimeout(pid, 10*time.Second)
			} else if e, ok := serr.(syscall.Errno); ok && errno != 0 {
				want = e
			}
			var se *StepError
			if !errors.As(err, &se) {
				return []string{fmt.Sprintf("error is %T %v, want a *suite.StepError", err, err)}
			}
			var v []string
			// qemu-user refuses some clone flags (CLONE_NEWUSER) that
			// the kernel takes, so there the clone itself may fail,
			// for the stdlib too, and "clone" is then the right step.
			wantStep := step
			if c.W.Emulated && se.Step == "clone" {
				wantStep = se.Step
			}
			if se.Step != wantStep {
				v = append(v, fmt.Sprintf("step %q, want %q", se.Step, wantStep))
			}
			if want != 0 && se.Errno != want {
				v = append(v, fmt.Sprintf("errno %v, want %v", unix.ErrnoName(se.Errno), unix.ErrnoName(want)))
			}
			if want != 0 && !errors.Is(err, want) {
				v = append(v, "errors.Is(err, errno) is false")
			}
			msg := err.Error()
			if !strings.Contains(msg, wantStep) {
				v = append(v, fmt.Sprintf("message %q does not name the step %q", msg, wantStep))
			}
			if detail != "" && !strings.Contains(msg, detail) {
				v = append(v, fmt.Sprintf("message %q does not mention %q", msg, detail))
			}
			return v
		},
	}
}
