//go:build linux

package forkexec_test

import (
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/forkexec/forkexec/forkexec"
	"golang.org/x/sys/unix"
)

// everyField sets every field the Linux child acts on, for a plan.
func everyField() *forkexec.ProcAttr {
	return &forkexec.ProcAttr{Dir: "/tmp", Env: []string{"PATH=/bin"}, Files: []uintptr{0, 1, 2, 5}, Sys: &forkexec.SysProcAttr{
		Chroot: "/srv/root", Credential: &forkexec.Credential{Uid: 1000, Gid: 100, Groups: []uint32{100, 27}},
		Setsid: true, Setctty: true, Ctty: 3, Pdeathsig: syscall.SIGTERM, Ptrace: true,
		Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID, Unshareflags: syscall.CLONE_NEWNS,
		UidMappings: []forkexec.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 65536}},
		GidMappings: []forkexec.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 65536}},
		AmbientCaps: []uintptr{unix.CAP_NET_BIND_SERVICE}, Noctty: true,
		ResetSignals: true, CloseFDs: true,
	}}
}

// TestPlanOrder holds the plan of a spawn with every field set to the
// order the package documentation gives for the child.
func TestPlanOrder(t *testing.T) {
	plan, err := forkexec.NewPlan("/bin/true", []string{"true", "-x"}, everyField())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%v", plan)
	var got []string
	for _, s := range plan.Steps {
		got = append(got, s.Step.String())
	}
	want := []string{
		"set keepcaps", "write id map", "setsid", "unshare", "make / private", "chroot",
		"setgroups", "setgid", "setuid", "set capabilities", "raise ambient capability", "chdir",
		"set pdeathsig", "dup", "close fds", "detach ctty", "set ctty", "reset signal", "ptrace", "exec",
	}
	// RLIMIT_NOFILE is restored where the program's original is known.
	if i := indexOf(got, "restore RLIMIT_NOFILE"); i >= 0 {
		got = append(got[:i], got[i+1:]...)
	}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("steps\n%s\nwant\n%s", strings.Join(got, ", "), strings.Join(want, ", "))
	}
	last := plan.Steps[len(plan.Steps)-1]
	if last.Args != `/bin/true ["true" "-x"]` {
		t.Errorf("exec args %q", last.Args)
	}
	for _, s := range plan.Steps {
		switch s.Step {
		case forkexec.StepChroot:
			if s.Args != "/srv/root" {
				t.Errorf("chroot args %q", s.Args)
			}
		case forkexec.StepSetgroups:
			if s.Args != "[100 27]" {
				t.Errorf("setgroups args %q", s.Args)
			}
		case forkexec.StepDup:
			if s.Args != "Files [0 1 2 5]" {
				t.Errorf("dup args %q", s.Args)
			}
		}
	}
	text := plan.String()
	for _, line := range []string{" 5 chroot /srv/root\n", "report: ", "id maps: the parent writes them"} {
		if !strings.Contains(text, line) {
			t.Errorf("String() lacks %q:\n%s", line, text)
		}
	}
}

// TestPlanRuntimeSignals: the runtime's reset of its handlers comes after
// setsid, setpgid and the foreground, where the stdlib's child unblocks
// signals; with ResetSignals it is left out, since the reset before exec
// resets every handler, the runtime's included, and signals stay blocked
// until then.
func TestPlanRuntimeSignals(t *testing.T) {
	for _, reset := range []bool{false, true} {
		sys := &forkexec.SysProcAttr{Setsid: true, Setpgid: true, Chroot: "/srv", ResetSignals: reset}
		plan, err := forkexec.NewPlan("/bin/true", nil, &forkexec.ProcAttr{Sys: sys})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range plan.Steps {
			if s.Step != forkexec.StepRestoreNofile { // where the original is known
				got = append(got, s.Step.String())
			}
		}
		want := "setsid, setpgid, restore signals, chroot, dup, exec"
		if reset {
			want = "setsid, setpgid, chroot, dup, reset signal, exec"
		}
		if g := strings.Join(got, ", "); g != want {
			t.Errorf("ResetSignals %v: steps\n%s\nwant\n%s", reset, g, want)
		}
	}
}

// TestPlanDecisions: the path and the report mode follow from the
// attributes as documented.
func TestPlanDecisions(t *testing.T) {
	for _, c := range []struct {
		name string
		sys  *forkexec.SysProcAttr
		path string
	}{
		{"plain", nil, "vfork"},
		{"unshare user", &forkexec.SysProcAttr{Unshareflags: syscall.CLONE_NEWUSER}, "vfork"},
		{"parent writes maps", &forkexec.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: []forkexec.SysProcIDMap{{ContainerID: 0, HostID: 1000, Size: 10}}}, map[bool]string{true: "own stack", false: "fork"}[forkexec.OwnStackAvailable()]},
	} {
		plan, err := forkexec.NewPlan("/bin/true", nil, &forkexec.ProcAttr{Sys: c.sys})
		if err != nil {
			t.Fatal(err)
		}
		if plan.Path != c.path {
			t.Errorf("%s: path %q, want %q", c.name, plan.Path, c.path)
		}
		for _, d := range plan.Decisions {
			if d.Why == "" {
				t.Errorf("%s: decision %q has no reason", c.name, d.What)
			}
		}
	}
}

// TestPlanRefusesBadInput: NewPlan refuses what Spawn refuses, with the
// same error, and starts nothing.
func TestPlanRefusesBadInput(t *testing.T) {
	attr := &forkexec.ProcAttr{Dir: "/\x00"}
	_, perr := forkexec.NewPlan("/bin/true", nil, attr)
	_, serr := forkexec.Spawn("/bin/true", nil, attr)
	var e *forkexec.Error
	if !errors.As(perr, &e) || e.Step != forkexec.StepArgs || perr.Error() != serr.Error() || e.Index != -1 {
		t.Errorf("NewPlan: %v; Spawn: %v", perr, serr)
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
