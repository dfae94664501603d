package suite

import (
	"errors"
	"fmt"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/forkexec/forkexec/forkexec"
	"golang.org/x/sys/unix"
)

type forkexecImpl struct{}

func (forkexecImpl) Name() string { return "forkexec" }
func (forkexecImpl) ForkExec(argv0 string, argv []string, attr *syscall.ProcAttr) (int, error) {
	return forkexec.ForkExec(argv0, argv, ToForkexec(attr))
}

// Forkexec is the implementation under test: forkexec.ForkExec through
// [ToForkexec].
var Forkexec Impl = forkexecImpl{}

func init() { RegisterImpl(Forkexec) }

// ToForkexec converts a syscall.ProcAttr into forkexec's mirror types,
// field by field (nil stays nil; the extensions stay off). The PidFD
// pointer is shared, so the caller sees the pidfd.
func ToForkexec(a *syscall.ProcAttr) *forkexec.ProcAttr {
	if a == nil {
		return nil
	}
	fa := &forkexec.ProcAttr{Dir: a.Dir, Env: a.Env, Files: a.Files}
	s := a.Sys
	if s == nil {
		return fa
	}
	fs := &forkexec.SysProcAttr{
		Chroot:                     s.Chroot,
		Ptrace:                     s.Ptrace,
		Setsid:                     s.Setsid,
		Setpgid:                    s.Setpgid,
		Setctty:                    s.Setctty,
		Noctty:                     s.Noctty,
		Ctty:                       s.Ctty,
		Foreground:                 s.Foreground,
		Pgid:                       s.Pgid,
		Pdeathsig:                  s.Pdeathsig,
		Cloneflags:                 s.Cloneflags,
		Unshareflags:               s.Unshareflags,
		GidMappingsEnableSetgroups: s.GidMappingsEnableSetgroups,
		AmbientCaps:                s.AmbientCaps,
		UseCgroupFD:                s.UseCgroupFD,
		CgroupFD:                   s.CgroupFD,
		PidFD:                      s.PidFD,
	}
	if c := s.Credential; c != nil {
		fs.Credential = &forkexec.Credential{Uid: c.Uid, Gid: c.Gid, Groups: c.Groups, NoSetGroups: c.NoSetGroups}
	}
	conv := func(m []syscall.SysProcIDMap) []forkexec.SysProcIDMap {
		if m == nil {
			return nil
		}
		out := make([]forkexec.SysProcIDMap, len(m))
		for i, e := range m {
			out[i] = forkexec.SysProcIDMap{ContainerID: e.ContainerID, HostID: e.HostID, Size: e.Size}
		}
		return out
	}
	fs.UidMappings = conv(s.UidMappings)
	fs.GidMappings = conv(s.GidMappings)
	fa.Sys = fs
	return fa
}

// fxStart makes the run start through forkexec directly, with mod applied
// to the converted attributes; spawn selects Spawn instead of ForkExec.
func fxStart(c *Ctx, spawn bool, mod func(*forkexec.SysProcAttr)) {
	c.Start = func() (int, error) {
		a := ToForkexec(c.Attr)
		if a.Sys == nil {
			a.Sys = &forkexec.SysProcAttr{}
		}
		if mod != nil {
			mod(a.Sys)
		}
		if spawn {
			return forkexec.Spawn(c.Argv0, c.Argv, a)
		}
		return forkexec.ForkExec(c.Argv0, c.Argv, a)
	}
}

// leakFDs opens n descriptors without close-on-exec, one of them moved to
// 900, which the child inherits unless CloseFDs.
func leakFDs(c *Ctx, n int) error {
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

// expectFDs checks that the child had exactly the descriptors want.
func expectFDs(f Fields, want ...int) []string {
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

func init() { late = append(late, extensionScenarios) }

// extensionScenarios registers the forkexec-only scenarios; it runs after
// every other init, since the Spawn scenarios reuse error setups.
func extensionScenarios() {
	ext := func(name, doc string, isolated bool, setup func(c *Ctx) error, check func(c *Ctx, f Fields) []string) {
		add(&Scenario{Name: name, Group: "extension", Doc: doc, Kind: Extension, Isolated: isolated, Setup: setup, Check: check})
	}
	allDefault := func(c *Ctx, f Fields) []string {
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
	ext("ext-reset-signals", "ResetSignals with parent ignoring, catching and blocking signals: child all SIG_DFL, empty mask", true,
		func(c *Ctx) error {
			signal.Ignore(syscall.SIGPIPE, syscall.SIGUSR1, syscall.SIGHUP, syscall.Signal(40))
			var set unix.Sigset_t
			sigsetAdd(&set, syscall.SIGUSR2)
			sigsetAdd(&set, syscall.SIGTERM)
			sigsetAdd(&set, syscall.Signal(38))
			if err := unix.PthreadSigmask(unix.SIG_BLOCK, &set, nil); err != nil {
				return err
			}
			fxStart(c, false, func(s *forkexec.SysProcAttr) { s.ResetSignals = true })
			return nil
		}, allDefault)
	ext("ext-reset-signals-plain", "ResetSignals with a default parent", false,
		func(c *Ctx) error {
			fxStart(c, false, func(s *forkexec.SysProcAttr) { s.ResetSignals = true })
			return nil
		}, allDefault)
	ext("ext-reset-signals-off", "ResetSignals off: ignored signals stay ignored, mask kept (as the stdlib)", true,
		func(c *Ctx) error {
			signal.Ignore(syscall.SIGUSR1)
			var set unix.Sigset_t
			sigsetAdd(&set, syscall.SIGUSR2)
			if err := unix.PthreadSigmask(unix.SIG_BLOCK, &set, nil); err != nil {
				return err
			}
			fxStart(c, false, nil)
			return nil
		}, func(c *Ctx, f Fields) []string {
			var v []string
			if f["sig.SIGUSR1"] != "ign" {
				v = append(v, "SIGUSR1 is "+f["sig.SIGUSR1"]+", want ign")
			}
			if f["sig.SIGUSR2"] != "dfl+blocked" {
				v = append(v, "SIGUSR2 is "+f["sig.SIGUSR2"]+", want dfl+blocked")
			}
			return v
		})
	ext("ext-closefds", "CloseFDs with 50 leaked descriptors and one at 900: child has exactly 0, 1, 2", false,
		func(c *Ctx) error {
			fxStart(c, false, func(s *forkexec.SysProcAttr) { s.CloseFDs = true })
			return leakFDs(c, 50)
		}, func(c *Ctx, f Fields) []string { return expectFDs(f, 0, 1, 2) })
	ext("ext-closefds-closed-slot", "CloseFDs with Files {a, -1, b}: child has exactly 0 and 2", false,
		func(c *Ctx) error {
			c.Attr.Files = []uintptr{c.File("a"), closedFD, c.File("b")}
			fxStart(c, false, func(s *forkexec.SysProcAttr) { s.CloseFDs = true })
			return leakFDs(c, 5)
		}, func(c *Ctx, f Fields) []string { return expectFDs(f, 0, 2) })
	ext("ext-closefds-nil", "CloseFDs with Files nil: child has no descriptors", false,
		func(c *Ctx) error {
			if err := leakFDs(c, 5); err != nil {
				return err
			}
			c.Attr.Files = nil
			fxStart(c, false, func(s *forkexec.SysProcAttr) { s.CloseFDs = true })
			return nil
		}, func(c *Ctx, f Fields) []string { return expectFDs(f) })
	ext("ext-closefds-high-slot", "CloseFDs keeps a Files slot numbered 40 and closes the rest", false,
		func(c *Ctx) error {
			f := make([]uintptr, 41)
			for i := range f {
				f[i] = closedFD
			}
			f[40] = c.File("a")
			if err := leakFDs(c, 5); err != nil {
				return err
			}
			c.Attr.Files = f
			fxStart(c, false, func(s *forkexec.SysProcAttr) { s.CloseFDs = true })
			return nil
		}, func(c *Ctx, f Fields) []string { return expectFDs(f, 40) })
	ext("ext-closefds-off", "CloseFDs off: leaked descriptors are inherited (as the stdlib)", false,
		func(c *Ctx) error {
			fxStart(c, false, nil)
			return leakFDs(c, 3)
		}, func(c *Ctx, f Fields) []string {
			if f["fd.900"] == "" {
				return []string{"fd 900 not inherited"}
			}
			return nil
		})
	ext("ext-both", "ResetSignals and CloseFDs together", true,
		func(c *Ctx) error {
			signal.Ignore(syscall.SIGPIPE)
			fxStart(c, false, func(s *forkexec.SysProcAttr) { s.CloseFDs, s.ResetSignals = true, true })
			return leakFDs(c, 3)
		}, func(c *Ctx, f Fields) []string { return append(allDefault(c, f), expectFDs(f, 0, 1, 2)...) })
	ext("ext-spawn-ok", "Spawn of a good program behaves as ForkExec", false,
		func(c *Ctx) error { fxStart(c, true, nil); return nil },
		func(c *Ctx, f Fields) []string {
			if f["error"] != "none" || f["exit"] != "exit 0" || f["argv[1]"] != `"x"` {
				return []string{fmt.Sprintf("error %s, exit %s", f["error"], f["exit"])}
			}
			return nil
		})

	// Spawn's step-named errors, on the setups of the error scenarios.
	spawn := func(base string, step forkexec.Step, errno syscall.Errno, detail string) {
		b := find(base)
		ext("ext-spawn-"+strings.TrimPrefix(base, "err-"), fmt.Sprintf("Spawn names step %q (%v) for %s", step, unix.ErrnoName(errno), base), b.Isolated,
			func(c *Ctx) error {
				if err := b.Setup(c); err != nil {
					return err
				}
				fxStart(c, true, nil)
				return nil
			}, func(c *Ctx, f Fields) []string {
				err := c.err
				// The errno to expect is what the stdlib returns for
				// the same setup here (it may differ under emulation,
				// e.g. ENOSYS for clone3 under qemu-user 7.2).
				if pid, serr := syscall.ForkExec(c.Argv0, c.Argv, c.Attr); serr == nil {
					WaitTimeout(pid, 10*time.Second)
				} else if e, ok := serr.(syscall.Errno); ok && errno != 0 {
					errno = e
				}
				var fe *forkexec.Error
				if !errors.As(err, &fe) {
					return []string{fmt.Sprintf("error is %T %v, want *forkexec.Error", err, err)}
				}
				var v []string
				// qemu-user refuses some clone flags (CLONE_NEWUSER) that
				// the kernel takes, so there the clone itself may fail,
				// for the stdlib too, and "clone" is then the right step.
				want := step
				if c.W.Emulated && fe.Step == forkexec.StepClone {
					want = fe.Step
				}
				if fe.Step != want {
					v = append(v, fmt.Sprintf("step %q, want %q", fe.Step, want))
				}
				if errno != 0 && fe.Errno != errno {
					v = append(v, fmt.Sprintf("errno %v, want %v", unix.ErrnoName(fe.Errno), unix.ErrnoName(errno)))
				}
				if errno != 0 && !errors.Is(err, errno) {
					v = append(v, "errors.Is(err, errno) is false")
				}
				msg := err.Error()
				if !strings.HasPrefix(msg, "forkexec: "+want.String()) {
					v = append(v, fmt.Sprintf("message %q does not start with %q", msg, "forkexec: "+want.String()))
				}
				if detail != "" && !strings.Contains(msg, detail) {
					v = append(v, fmt.Sprintf("message %q does not mention %q", msg, detail))
				}
				return v
			})
	}
	spawn("err-missing-program", forkexec.StepExec, syscall.ENOENT, "/nope")
	spawn("err-enoexec", forkexec.StepExec, syscall.ENOEXEC, "garbage")
	spawn("err-dir-missing", forkexec.StepChdir, syscall.ENOENT, "/nope")
	spawn("err-chroot-missing", forkexec.StepChroot, syscall.ENOENT, "/nope")
	spawn("err-bad-fd", forkexec.StepDup, syscall.EBADF, "987")
	spawn("err-nul-env", forkexec.StepArgs, syscall.EINVAL, "")
	spawn("err-setsid-setpgid", forkexec.StepSetpgid, syscall.EPERM, "")
	spawn("err-ctty-not-tty", forkexec.StepSetctty, syscall.ENOTTY, "")
	spawn("err-ctty-out-of-range", forkexec.StepAttr, 0, "")
	spawn("err-noctty-not-tty", forkexec.StepNoctty, syscall.ENOTTY, "")
	spawn("err-foreground-not-tty", forkexec.StepForeground, syscall.ENOTTY, "")
	spawn("err-pdeathsig-invalid", forkexec.StepPdeathsig, syscall.EINVAL, "")
	spawn("err-ambient-invalid", forkexec.StepAmbientCaps, syscall.EINVAL, "")
	spawn("err-unshare-invalid", forkexec.StepUnshare, syscall.EINVAL, "")
	spawn("err-cgroupfd-bad", forkexec.StepClone, syscall.EBADF, "")
	spawn("err-cred-nonroot", forkexec.StepSetgroups, syscall.EPERM, "")
	spawn("err-uidmap-overlap", forkexec.StepIDMap, syscall.EINVAL, "")
}
