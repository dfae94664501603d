package suite

import (
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// registerSettings registers the scenarios of the settings a runtime
// applies between clone and exec (forkexec's issue-11 fields): each judged
// by Expect against the documented behaviour, not applicable to an
// implementation without the feature.
func registerSettings() {
	mask := func(m int) *int { return &m }
	Register(Scenario{Name: "ext-umask", Group: "extension", Doc: "Umask 077: the child's umask is 0077",
		Ext: Ext{Umask: mask(0o077)}, Setup: noSetup, Expect: expectFields(map[string]string{"status.Umask": "0077"})})
	Register(Scenario{Name: "ext-umask-zero", Group: "extension", Doc: "Umask 0 is a mask like any other: the child's umask is 0000",
		Ext: Ext{Umask: mask(0)}, Setup: noSetup, Expect: expectFields(map[string]string{"status.Umask": "0000"})})
	Register(Scenario{Name: "ext-rlimits", Group: "extension", Doc: "Rlimits CORE 0/0 and FSIZE 1 MiB: the child has exactly those",
		Ext:    Ext{Rlimits: []Rlimit{{Resource: unix.RLIMIT_CORE}, {Resource: unix.RLIMIT_FSIZE, Cur: 1 << 20, Max: 1 << 20}}},
		Setup:  noSetup,
		Expect: expectFields(map[string]string{"rlimit.CORE": "0/0", "rlimit.FSIZE": "1048576/1048576"})})
	Register(Scenario{Name: "ext-signal-mask", Group: "extension", Isolated: true,
		Doc:   "SignalMask {USR1, TERM} with the parent blocking USR2: the child has exactly USR1 and TERM blocked",
		Ext:   Ext{SignalMask: []syscall.Signal{syscall.SIGUSR1, syscall.SIGTERM}},
		Setup: func(c *Ctx) error { return blockSignals(syscall.SIGUSR2) },
		Expect: expectFields(map[string]string{
			"sig.SIGUSR1": "dfl+blocked", "sig.SIGTERM": "dfl+blocked", "sig.SIGUSR2": "dfl",
		})})
	Register(Scenario{Name: "ext-no-new-privs", Group: "extension", Doc: "NoNewPrivs (Go 1.28's field): the child has no_new_privs 1",
		Ext: Ext{NoNewPrivs: true}, Setup: noSetup, Expect: expectFields(noNewPrivsFields)})
	registerSettingsLinux()
	Register(Scenario{Name: "ext-dirfd", Group: "extension", Doc: "DirFD of a directory of the parent and Dir \"sub\": the child starts in its sub",
		Setup: func(c *Ctx) error {
			dir := filepath.Join(c.Run.Dir, "dirfd")
			if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
				return err
			}
			fd := int(c.MustOpen(dir, syscall.O_RDONLY|syscall.O_DIRECTORY, 0))
			c.Ext.DirFD = &fd
			c.Attr.Dir = "sub"
			return nil
		},
		Ext:    Ext{DirFD: new(int)},
		Expect: expectFields(map[string]string{"cwd": "$RUN/dirfd/sub"})})
	Register(Scenario{Name: "ext-execfd", Group: "extension", Doc: "ExecFD of the probe, opened by the parent: the child runs it by descriptor (AT_EXECFN /dev/fd/N)",
		Setup: func(c *Ctx) error {
			fd := int(c.MustOpen(c.Argv0, syscall.O_RDONLY, 0))
			c.Ext.ExecFD = &fd
			// Run by descriptor, the probe writes its report in its
			// working directory.
			c.Attr.Dir = c.Run.Dir
			return nil
		},
		Ext: Ext{ExecFD: new(int)},
		Expect: func(c *Ctx, f Fields) []string {
			if f["error"] != "none" {
				return []string{"start failed: " + f["error"]}
			}
			return execByFD(f)
		}})
	registerSettingsLinuxLate(mask)
	Register(Scenario{Name: "ext-retry-text-busy", Group: "extension", Doc: "RetryTextBusy with a program nobody writes: the exec succeeds at once",
		Ext: Ext{RetryTextBusy: time.Second}, Setup: noSetup, Expect: expectFields(map[string]string{})})
}

// expectFields is an Expect that the start succeeded and the fields are
// as given.
func expectFields(want map[string]string) func(c *Ctx, f Fields) []string {
	return func(c *Ctx, f Fields) []string {
		if f["error"] != "none" {
			return []string{"start failed: " + f["error"]}
		}
		return expectEqual(f, want)
	}
}
