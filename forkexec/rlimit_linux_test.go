//go:build linux

package forkexec_test

import (
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"
	"unsafe"

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
	// And end to end, as the stdlib's TestRlimitRestored holds it: a child
	// of forkexec gets what a child of syscall.ForkExec gets.
	if got := runCProbe(t, forkexec.ForkExec, &forkexec.ProcAttr{}).nofile; got != stdlib {
		t.Errorf("forkexec.ForkExec's child got RLIMIT_NOFILE %v, syscall.ForkExec's %v", got, stdlib)
	}
	return lim, ok
}

// TestNofileToRestore holds nofileToRestore, and the limit forkexec's
// children get, against syscall.ForkExec's children: in this process,
// whatever limit it started with, and in helper processes that start with
// a soft limit the syscall package raises, where it must say true and give
// that soft limit.
func TestNofileToRestore(t *testing.T) {
	checkNofileToRestore(t)
	low := startLowNofile(t)
	for _, helper := range []string{"TestHelperNofileRaised", "TestHelperNofileSetFirst", "TestHelperNofileReaper", "TestHelperNofilePtraceRefused"} {
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

// startLowNofile returns, for helperOpts.atExec, what starts a helper with
// soft RLIMIT_NOFILE helperNofileSoft: set with prlimit while the helper is
// stopped at its exec, before the Go runtime raises it.
func startLowNofile(t *testing.T) func(pid int) error {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Max < 2*helperNofileSoft {
		t.Skipf("hard RLIMIT_NOFILE %d: too low to start a helper below it", lim.Max)
	}
	return func(pid int) error {
		return unix.Prlimit(pid, unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: helperNofileSoft, Max: lim.Max}, nil)
	}
}

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

// TestHelperNofileReaper: another goroutine reaps every child with
// Wait4(-1) while the first call learns the limit. The call must come back,
// with the right answer or with false, and leave no child.
func TestHelperNofileReaper(t *testing.T) {
	skipUnlessHelper(t, "TestHelperNofileReaper")
	stop := make(chan struct{})
	reaped := make(chan []int)
	go func() {
		var pids []int
		for {
			select {
			case <-stop:
				reaped <- pids
				return
			default:
			}
			var ws syscall.WaitStatus
			if pid, err := syscall.Wait4(-1, &ws, syscall.WALL|syscall.WNOHANG, nil); err == nil && pid > 0 {
				pids = append(pids, pid)
			}
		}
	}()
	lim, ok := forkexec.NofileToRestore()
	close(stop)
	t.Logf("NofileToRestore = %v, %v; the reaper took %v", lim, ok, <-reaped)
	checkNoChildren(t)
	if got, got2 := checkNofileToRestore(t); got != lim || got2 != ok {
		t.Errorf("later call: %v, %v; first %v, %v", got, got2, lim, ok)
	}
}

// TestHelperNofilePtraceRefused: under a seccomp policy that refuses
// ptrace the limit cannot be learned: the call says false, at once, and
// leaves nothing behind. (syscall.ForkExec's children still get the
// original: there forkexec's keep the raised limit, the documented
// difference.)
func TestHelperNofilePtraceRefused(t *testing.T) {
	skipUnlessHelper(t, "TestHelperNofilePtraceRefused")
	refusePtrace(t)
	before := openFDs(t)
	start := time.Now()
	if lim, ok := forkexec.NofileToRestore(); ok {
		t.Errorf("NofileToRestore = %v, true with ptrace refused", lim)
	}
	t.Logf("first call with ptrace refused: %v", time.Since(start))
	checkNoChildren(t)
	if after := openFDs(t); after != before {
		t.Errorf("%d descriptors open after, %d before", after, before)
	}
}

// refusePtrace installs, on every thread of this process, a seccomp
// filter under which ptrace fails with EPERM.
func refusePtrace(t *testing.T) {
	t.Helper()
	if runtime.GOARCH != "amd64" {
		t.Skip("the filter below checks amd64 system call numbers only")
	}
	filter := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0}, // seccomp_data.nr
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 0, Jf: 1, K: unix.SYS_PTRACE},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW},
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		t.Skipf("no_new_privs: %v", err)
	}
	if _, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&prog))); e != 0 {
		t.Skipf("seccomp: %v", e)
	}
	if err := unix.PtraceAttach(os.Getppid()); err != syscall.EPERM {
		t.Fatalf("ptrace under the filter: %v, want EPERM", err)
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
