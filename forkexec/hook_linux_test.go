//go:build linux

package forkexec_test

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/forkexec/forkexec/forkexec"
)

// hookPaths runs f on each path a child with a ParentHook may take here:
// the own stack where this architecture and kernel have it, and the fork
// path.
func hookPaths(t *testing.T, f func(t *testing.T, path string)) {
	for _, fork := range []bool{false, true} {
		name := map[bool]string{false: "own stack", true: "fork"}[fork]
		t.Run(name, func(t *testing.T) {
			forkexec.SetForceHookFork(fork)
			defer forkexec.SetForceHookFork(false)
			plan, err := forkexec.NewPlan(probePath, nil, &forkexec.ProcAttr{Sys: &forkexec.SysProcAttr{ParentHook: func(int) error { return nil }}})
			if err != nil {
				t.Fatal(err)
			}
			if !fork && plan.Path != "own stack, parent hook" {
				t.Skipf("no own-stack path for a hook here: %s", plan.Decisions[0].Why)
			}
			f(t, plan.Path)
		})
	}
}

// TestParentHookRunsWhileChildWaits: the hook sees the child in /proc,
// still this test program (not exec'd), asleep; meanwhile it runs
// ordinary Go code that allocates, collects, grows its stack and starts
// a process (which needs ForkLock); the child then runs with its
// namespaces configured from outside.
func TestParentHookRunsWhileChildWaits(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	hookPaths(t, func(t *testing.T, path string) {
		checkNoZombie(t)
		before := openFDs(t)
		var seen struct {
			pid         int
			exe, state  string
			ranTrue     error
			deepResult  int
			allocations int
		}
		hook := func(pid int) error {
			seen.pid = pid
			seen.exe, _ = os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
			// The child may still be on its way to its wait (on the fork
			// path the parent does not wait for it to get there): it must
			// be asleep there soon, and stay there.
			for deadline := time.Now().Add(2 * time.Second); seen.state != "S" && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
				if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
					// pid (comm) state ...
					if i := strings.LastIndexByte(string(b), ')'); i > 0 && i+2 < len(b) {
						seen.state = string(b[i+2])
					}
				}
			}
			// Ordinary Go: allocate, collect, move this goroutine's stack,
			// start a process.
			var keep [][]byte
			for i := 0; i < 1000; i++ {
				keep = append(keep, make([]byte, 4096))
			}
			seen.allocations = len(keep)
			runtime.GC()
			seen.deepResult = deep(2000)
			seen.ranTrue = exec.Command("/bin/true").Run()
			return nil
		}
		pid, r, err := startProbe(t, forkexec.Spawn, probePath, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{ParentHook: hook}})
		if err != nil {
			t.Fatal(err)
		}
		rep := readReport(t, pid, r)
		if seen.pid != pid || rep.Pid != pid {
			t.Errorf("hook saw pid %d, spawn returned %d, the program ran as %d", seen.pid, pid, rep.Pid)
		}
		if seen.exe != self {
			t.Errorf("hook saw /proc/PID/exe %q, want this test binary %q (the child not yet exec'd)", seen.exe, self)
		}
		if seen.state != "S" {
			t.Errorf("hook saw the child in state %q, want S (waiting)", seen.state)
		}
		if seen.ranTrue != nil || seen.deepResult != 2001 {
			t.Errorf("hook's own work: /bin/true %v, recursion %d", seen.ranTrue, seen.deepResult)
		}
		checkNoZombie(t)
		if after := openFDs(t); after != before {
			t.Errorf("descriptors: %d before, %d after", before, after)
		}
	})
}

// deep recurses n times with a frame big enough to grow the stack.
func deep(n int) int {
	var pad [256]byte
	pad[n%256] = 1
	if n == 0 {
		return int(pad[0])
	}
	return deep(n-1) + int(pad[n%256])
}

var errHook = errors.New("no cgroup for you")

// TestParentHookError: a failing hook kills and reaps the child, the
// program never runs, and the hook's error reaches the caller of Spawn
// and of ForkExec, wrapped in an *Error that says so.
func TestParentHookError(t *testing.T) {
	hookPaths(t, func(t *testing.T, path string) {
		for _, fail := range []error{errHook, syscall.EACCES} {
			checkNoZombie(t)
			before := openFDs(t)
			var hookPid int
			attr := &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{
				ParentHook: func(pid int) error { hookPid = pid; return fail },
			}}
			for _, spawn := range []spawnFunc{forkexec.Spawn, forkexec.ForkExec} {
				r, w, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				a := *attr
				a.Files = append(stdio(), w.Fd())
				_, err = spawn(probePath, []string{"probe", "-report", "3", "report"}, &a)
				w.Close()
				out, _ := io.ReadAll(r)
				r.Close()
				var e *forkexec.Error
				if !errors.As(err, &e) || e.Step != forkexec.StepParentHook || !errors.Is(err, fail) || e.Index != -1 {
					t.Fatalf("error %v (%#v), want a StepParentHook *Error wrapping %v", err, e, fail)
				}
				want := "forkexec: parent hook for pid " + strconv.Itoa(hookPid) + " failed; the child was killed and reaped: " + fail.Error()
				if err.Error() != want {
					t.Errorf("message %q, want %q", err, want)
				}
				if fail == syscall.EACCES && e.Errno != syscall.EACCES {
					t.Errorf("Errno %v, want the hook's EACCES", e.Errno)
				}
				if len(out) != 0 {
					t.Errorf("the program ran and wrote %q", out)
				}
				if _, err := os.Stat("/proc/" + strconv.Itoa(hookPid)); err == nil {
					t.Errorf("child %d still exists", hookPid)
				}
			}
			checkNoZombie(t)
			if after := openFDs(t); after != before {
				t.Errorf("descriptors: %d before, %d after", before, after)
			}
		}
	})
}

// TestParentHookPanic: a hook that panics leaves no child behind either.
func TestParentHookPanic(t *testing.T) {
	hookPaths(t, func(t *testing.T, path string) {
		var hookPid int
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			forkexec.Spawn(probePath, []string{"probe", "exit", "0"}, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{
				ParentHook: func(pid int) error { hookPid = pid; panic("hook") },
			}})
		}()
		if _, err := os.Stat("/proc/" + strconv.Itoa(hookPid)); err == nil {
			t.Errorf("child %d still exists", hookPid)
		}
		checkNoZombie(t)
	})
}

// TestParentHookConfiguresNamespaces: the hook runs once the child's
// namespaces exist and the id maps the parent writes are written (as
// network setup from outside needs), and before the actions, which then
// run as the mapped root.
func TestParentHookConfiguresNamespaces(t *testing.T) {
	requireRoot(t)
	hookPaths(t, func(t *testing.T, path string) {
		wide := []forkexec.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 65536}}
		var uidMap string
		rep := runProbe(t, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWUTS,
			UidMappings: wide, GidMappings: wide,
			ParentHook: func(pid int) error {
				b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/uid_map")
				uidMap = strings.Join(strings.Fields(string(b)), " ")
				return err
			},
			Actions: []forkexec.Action{forkexec.Sethostname("hooked")},
		}})
		if uidMap != "0 0 65536" {
			t.Errorf("hook read uid_map %q, want the maps written before it", uidMap)
		}
		if rep.Hostname != "hooked" || rep.Uid[0] != 0 {
			t.Errorf("program: hostname %q uid %v", rep.Hostname, rep.Uid)
		}
	})
}

// TestParentHookConcurrent: spawns with hooks from many goroutines at once,
// some failing, share nothing they should not (run with -race).
func TestParentHookConcurrent(t *testing.T) {
	hookPaths(t, func(t *testing.T, path string) {
		checkNoZombie(t)
		before := openFDs(t)
		const goroutines, spawns = 6, 15
		errs := make(chan error, goroutines)
		for g := range goroutines {
			go func() {
				errs <- func() error {
					for i := range spawns {
						fail := (g+i)%3 == 0
						var seen int
						pid, err := forkexec.Spawn(probePath, []string{probePath, "exit", strconv.Itoa(i)}, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{
							ParentHook: func(pid int) error {
								seen = pid
								if fail {
									return errHook
								}
								return nil
							},
						}})
						if fail {
							if !errors.Is(err, errHook) {
								return err
							}
							continue
						}
						if err != nil || seen != pid {
							return errors.Join(err, errors.New("hook saw pid "+strconv.Itoa(seen)+", spawn returned "+strconv.Itoa(pid)))
						}
						var ws syscall.WaitStatus
						if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil || ws.ExitStatus() != i {
							return errors.Join(err, errors.New(describe(ws)))
						}
					}
					return nil
				}()
			}()
		}
		for range goroutines {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		checkNoZombie(t)
		if after := openFDs(t); after != before {
			t.Errorf("descriptors: %d before, %d after", before, after)
		}
	})
}

// TestParentHookParentDies: a child waiting for a hook whose process dies
// does not wait forever in memory nobody else uses: it looks whether its
// parent is still there every second, and exits.
func TestParentHookParentDies(t *testing.T) {
	hookPaths(t, func(t *testing.T, path string) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		middle, err := forkexec.ForkExec(probePath, []string{probePath, "-report", "3", "spawn", "hook-orphan"}, &forkexec.ProcAttr{
			Files: []uintptr{0, 1, 2, w.Fd()},
		})
		w.Close()
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 32)
		n, _ := r.Read(buf)
		grandchild, err := strconv.Atoi(string(buf[:n]))
		if err != nil {
			syscall.Kill(middle, syscall.SIGKILL)
			wait(t, middle)
			t.Fatalf("middle wrote %q", buf[:n])
		}
		syscall.Kill(middle, syscall.SIGKILL)
		wait(t, middle)
		// Reparented to init, which reaps it once it exits.
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			b, err := os.ReadFile("/proc/" + strconv.Itoa(grandchild) + "/stat")
			if err != nil || strings.Contains(string(b), ") Z ") {
				break
			}
			if time.Now().After(deadline) {
				syscall.Kill(grandchild, syscall.SIGKILL)
				t.Fatalf("the child %d still waits 5 s after its parent died: %s", grandchild, b)
			}
		}
	})
}

// TestParentHookSlowInNewPidNamespace: a hook that takes longer than the
// child's wake-ups, for a child in a new pid namespace, where getppid says
// 0: the child must go on waiting, not take its parent for dead.
func TestParentHookSlowInNewPidNamespace(t *testing.T) {
	requireRoot(t)
	hookPaths(t, func(t *testing.T, path string) {
		attr := &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{
			Cloneflags: syscall.CLONE_NEWPID,
			ParentHook: func(pid int) error { time.Sleep(1500 * time.Millisecond); return nil },
		}}
		pid, err := forkexec.Spawn(probePath, []string{probePath, "exit", "0"}, attr)
		if err != nil {
			t.Fatalf("Spawn: %v", err)
		}
		if ws := wait(t, pid); !ws.Exited() || ws.ExitStatus() != 0 {
			t.Errorf("child: %v", describe(ws))
		}
	})
}

// TestSignalDuringSetup: a SIGTERM sent to the child while it waits for
// ParentHook, from a parent with a Notify for SIGTERM, kills it at its default action, without running a Go handler
// in the child and without the program running. Without ResetSignals the
// runtime's reset has unblocked it before the wait, so it kills the child
// there; with ResetSignals signals stay blocked until the reset just
// before exec, which sets SIGTERM to SIG_DFL first: the pending signal
// then kills the child at that step.
func TestSignalDuringSetup(t *testing.T) {
	// With a Notify, the runtime's handler would not kill the child but
	// queue the signal and return, and the program would run.
	notified := make(chan os.Signal, 8)
	signal.Notify(notified, syscall.SIGTERM)
	defer signal.Stop(notified)
	hookPaths(t, func(t *testing.T, path string) {
		for _, reset := range []bool{false, true} {
			t.Run("ResetSignals="+strconv.FormatBool(reset), func(t *testing.T) {
				checkNoZombie(t)
				before := openFDs(t)
				hook := func(pid int) error { return syscall.Kill(pid, syscall.SIGTERM) }
				sys := &forkexec.SysProcAttr{ParentHook: hook, ResetSignals: reset}
				pid, r, err := startProbe(t, forkexec.Spawn, probePath, &forkexec.ProcAttr{Files: stdio(), Sys: sys})
				if err != nil {
					t.Fatal(err)
				}
				report, _ := io.ReadAll(r)
				r.Close()
				var ws syscall.WaitStatus
				if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
					t.Fatal(err)
				}
				if !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
					t.Errorf("wait status %#x (exited %v, code %d), want killed by SIGTERM", uint32(ws), ws.Exited(), ws.ExitStatus())
				}
				if len(report) != 0 {
					t.Errorf("the program ran and reported %q", report)
				}
				checkNoZombie(t)
				if after := openFDs(t); after != before {
					t.Errorf("descriptors: %d before, %d after", before, after)
				}
			})
		}
	})
}
