//go:build linux

package forkexec_test

import (
	"os"
	"strconv"
	"syscall"
	"testing"

	"github.com/forkexec/forkexec/forkexec"
	"golang.org/x/sys/unix"
)

// TestResetSignals spawns from a parent that ignores SIGPIPE and started
// with SIGUSR1 blocked (the Go runtime gives every thread the mask the
// process started with, so that is how a Go program blocks a signal): the
// probe, started through cprobe -block. Without ResetSignals the child
// inherits both, as from syscall.ForkExec; with it, neither.
func TestResetSignals(t *testing.T) {
	requireCProbe(t)
	const pipeBit, usr1Bit = 1 << (syscall.SIGPIPE - 1), 1 << (syscall.SIGUSR1 - 1)
	for _, c := range []struct {
		impl           string
		wantIgn, wantB uint64
	}{
		{"syscall", pipeBit, usr1Bit},
		{"forkexec", pipeBit, usr1Bit},
		{"reset", 0, 0},
	} {
		t.Run(c.impl, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			argv := []string{cprobePath, "-block", strconv.Itoa(int(syscall.SIGUSR1)), probePath, "-report", "3", "spawn", "signals", c.impl, cprobePath}
			pid, err := forkexec.ForkExec(cprobePath, argv, &forkexec.ProcAttr{Files: []uintptr{0, 1, 2, w.Fd()}})
			w.Close()
			if err != nil {
				t.Fatal(err)
			}
			rep := parseCProbe(t, pid, r)
			if rep.sigIgn != c.wantIgn || rep.sigBlk != c.wantB {
				t.Errorf("SigIgn %#x SigBlk %#x, want %#x and %#x", rep.sigIgn, rep.sigBlk, c.wantIgn, c.wantB)
			}
		})
	}
}

// TestCloseFDs leaves a descriptor open without close-on-exec in the
// parent: the child inherits it, unless CloseFDs is set. Both the
// close_range path and the /proc/self/fd fallback are run.
func TestCloseFDs(t *testing.T) {
	fd, err := unix.Open("/dev/null", unix.O_RDONLY, 0) // no O_CLOEXEC, on purpose
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	// Hundreds more, as a busy parent has.
	var many []*os.File
	for range 300 {
		f, err := os.Open("/dev/null")
		if err != nil {
			t.Fatal(err)
		}
		many = append(many, f)
		syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_SETFD, 0)
	}
	defer func() {
		for _, f := range many {
			f.Close()
		}
	}()
	for _, c := range []struct {
		name              string
		closeFDs, viaProc bool
	}{
		{"inherit", false, false},
		{"close_range", true, false},
		{"proc", true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			forkexec.SetForceCloseFDsByProc(c.viaProc)
			defer forkexec.SetForceCloseFDsByProc(false)
			rep := runCProbe(t, forkexec.ForkExec, &forkexec.ProcAttr{Files: stdio(), Sys: &forkexec.SysProcAttr{CloseFDs: c.closeFDs}})
			extra := 0
			for n := range rep.fds {
				if n >= 3 {
					extra++
				}
			}
			_, inherited := rep.fds[fd]
			switch {
			case c.closeFDs && extra != 0:
				t.Errorf("CloseFDs: child has %d descriptors above 2: %v", extra, rep.fds)
			case !c.closeFDs && (!inherited || extra < 301):
				t.Errorf("without CloseFDs the child should inherit fd %d and the 300 others; has %d above 2", fd, extra)
			}
		})
	}
}
