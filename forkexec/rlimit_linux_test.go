//go:build linux

package forkexec_test

import (
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/forkexec/forkexec/forkexec"
	"golang.org/x/sys/unix"
)

// stdlibChildNofile runs cprobe through syscall.ForkExec and returns the
// RLIMIT_NOFILE it got: what nofileToRestore must agree with. cprobe is C,
// so it reports the limit it was given; a Go program raises its own.
func stdlibChildNofile(t *testing.T) [2]uint64 {
	t.Helper()
	requireCProbe(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pid, err := syscall.ForkExec(cprobePath, []string{cprobePath, "0"}, &syscall.ProcAttr{Files: []uintptr{w.Fd()}})
	w.Close()
	if err != nil {
		r.Close()
		t.Fatal(err)
	}
	return parseCProbe(t, pid, r).nofile
}

// checkNofileToRestore holds NofileToRestore against the limit a child of
// syscall.ForkExec gets in this process now, and returns what it said.
func checkNofileToRestore(t *testing.T) (syscall.Rlimit, bool) {
	t.Helper()
	lim, ok := forkexec.NofileToRestore()
	stdlib := stdlibChildNofile(t)
	var cur syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &cur); err != nil {
		t.Fatal(err)
	}
	switch {
	case ok && stdlib != [2]uint64{lim.Cur, lim.Max}:
		t.Errorf("NofileToRestore = %v, true; syscall.ForkExec's child got %v", lim, stdlib)
	case !ok && stdlib != [2]uint64{cur.Cur, cur.Max}:
		t.Errorf("NofileToRestore = false (keep the current %v); syscall.ForkExec's child got %v", cur, stdlib)
	}
	return lim, ok
}

// TestNofileToRestore holds nofileToRestore against syscall.ForkExec's
// children: in this process, whatever limit it started with, and in
// helper processes that start with a soft limit the syscall package
// raises (set with prlimit while the helper is stopped at its exec, before
// the Go runtime starts), where it must say true and give that soft limit.
func TestNofileToRestore(t *testing.T) {
	checkNofileToRestore(t)
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Max < 2*helperNofileSoft {
		t.Skipf("hard RLIMIT_NOFILE %d: too low to start a helper below it", lim.Max)
	}
	low := func(pid int) error {
		return unix.Prlimit(pid, unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: helperNofileSoft, Max: lim.Max}, nil)
	}
	for _, helper := range []string{"TestHelperNofileRaised", "TestHelperNofileSetFirst"} {
		t.Run(helper, func(t *testing.T) {
			out := runHelper(t, helper, helperOpts{atExec: low})
			if testing.Verbose() {
				t.Log(out)
			}
		})
	}
}

// helperNofileSoft is the soft RLIMIT_NOFILE the helpers start with.
const helperNofileSoft = 256

// TestHelperNofileRaised: the syscall package raised the limit at start-up.
// nofileToRestore gives the original; once the program sets the limit
// itself, neither the stdlib nor forkexec restores it.
func TestHelperNofileRaised(t *testing.T) {
	skipUnlessHelper(t, "TestHelperNofileRaised")
	start := time.Now()
	forkexec.NofileToRestore()
	first := time.Since(start)
	lim, ok := checkNofileToRestore(t)
	if !ok || lim.Cur != helperNofileSoft {
		t.Fatalf("NofileToRestore = %v, %v; want soft limit %d, true", lim, ok, helperNofileSoft)
	}
	const calls = 100000
	start = time.Now()
	for range calls {
		forkexec.NofileToRestore()
	}
	each := time.Since(start) / calls
	// For scale, the cheapest system call there is, on this machine now.
	start = time.Now()
	for range calls {
		syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0)
	}
	t.Logf("cost: first call %v (starts and reaps one traced child); later calls %v each (a bare getppid: %v)",
		first, each, time.Since(start)/calls)

	// The program lowers its own limit by one: the stdlib's children keep
	// it (syscall.Setrlimit forgets the original), and forkexec's must too.
	var cur syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &cur); err != nil {
		t.Fatal(err)
	}
	cur.Cur--
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &cur); err != nil {
		t.Fatal(err)
	}
	if lim, ok := checkNofileToRestore(t); ok {
		t.Errorf("after Setrlimit(%v): NofileToRestore = %v, true; want false", cur, lim)
	}
}

// TestHelperNofileSetFirst: the program set the limit itself before its
// first spawn, to the very value the syscall package had raised it to, so
// nothing but the syscall package's forgotten original tells that the
// stdlib no longer restores: the child started to learn the limit must see
// it, and nofileToRestore say false.
func TestHelperNofileSetFirst(t *testing.T) {
	skipUnlessHelper(t, "TestHelperNofileSetFirst")
	var cur syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &cur); err != nil {
		t.Fatal(err)
	}
	if cur.Cur != cur.Max-1 {
		t.Fatalf("limit %v at start: the syscall package did not raise it to hard-1", cur)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &cur); err != nil {
		t.Fatal(err)
	}
	if lim, ok := checkNofileToRestore(t); ok {
		t.Errorf("NofileToRestore = %v, true; want false", lim)
	}
}

// BenchmarkNofileToRestore measures a call after the first, in this
// process: one getrlimit where the syscall package raised the limit, an
// atomic load where it did not.
func BenchmarkNofileToRestore(b *testing.B) {
	forkexec.NofileToRestore()
	var lim syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	b.Log("RLIMIT_NOFILE " + strconv.FormatUint(lim.Cur, 10) + "/" + strconv.FormatUint(lim.Max, 10))
	for b.Loop() {
		forkexec.NofileToRestore()
	}
}
