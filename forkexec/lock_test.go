//go:build linux

package forkexec_test

import (
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/forkexec/forkexec/forkexec"
	"golang.org/x/sys/unix"
)

// TestForkLockIsSyscalls: forkexec and the standard library guard the same
// lock, so a descriptor created under either's read lock cannot leak into
// the other's child.
func TestForkLockIsSyscalls(t *testing.T) {
	if forkexec.ForkLock != &syscall.ForkLock {
		t.Fatal("forkexec.ForkLock is not &syscall.ForkLock")
	}
}

// TestForkLockBlocksSpawn: a goroutine holding ForkLock for reading, as
// code making a descriptor and then marking it close-on-exec does, holds
// off a spawn until it is done.
func TestForkLockBlocksSpawn(t *testing.T) {
	syscall.ForkLock.RLock()
	done := make(chan error, 1)
	go func() {
		pid, err := forkexec.ForkExec(probePath, []string{probePath, "exit", "0"}, &forkexec.ProcAttr{Files: stdio()})
		if err == nil {
			var ws syscall.WaitStatus
			syscall.Wait4(pid, &ws, 0, nil)
		}
		done <- err
	}()
	select {
	case err := <-done:
		syscall.ForkLock.RUnlock()
		t.Fatalf("spawn finished (%v) while ForkLock was read-locked", err)
	case <-time.After(100 * time.Millisecond):
	}
	syscall.ForkLock.RUnlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestNoLeakAcrossImplementations runs goroutines that create descriptors
// the way ForkLock's contract allows (made inheritable, marked
// close-on-exec, all under the read lock) alongside goroutines spawning
// through forkexec and through os/exec. No child may inherit one.
func TestNoLeakAcrossImplementations(t *testing.T) {
	requireCProbe(t)
	stop := make(chan struct{})
	var makers sync.WaitGroup
	for range 2 {
		makers.Add(1)
		go func() {
			defer makers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				syscall.ForkLock.RLock()
				fd, err := syscall.Open("/dev/null", syscall.O_RDONLY, 0) // not O_CLOEXEC
				if err == nil {
					syscall.CloseOnExec(fd)
				}
				syscall.ForkLock.RUnlock()
				if err == nil {
					syscall.Close(fd)
				}
			}
		}()
	}
	defer func() { close(stop); makers.Wait() }()

	// Descriptors this process already has without close-on-exec (from
	// whoever started the test) are inherited by design, not leaks.
	already := inheritable(t)
	leaks := make(chan string, 200)
	var spawners sync.WaitGroup
	for g := range 4 {
		spawners.Add(1)
		go func() {
			defer spawners.Done()
			for range 25 {
				if g%2 == 0 {
					rep := runCProbe(t, forkexec.ForkExec, &forkexec.ProcAttr{Files: stdio()})
					for fd, f := range rep.fds {
						if fd > 2 && !already[fd] {
							report(leaks, "forkexec child got fd "+strconv.Itoa(fd)+" "+f.Target)
						}
					}
					continue
				}
				r, w, err := os.Pipe()
				if err != nil {
					report(leaks, err.Error())
					return
				}
				cmd := exec.Command(cprobePath, "3")
				cmd.ExtraFiles = []*os.File{w}
				err = cmd.Start()
				w.Close()
				if err != nil {
					r.Close()
					report(leaks, err.Error())
					return
				}
				out, _ := io.ReadAll(r)
				r.Close()
				cmd.Wait()
				for fd, f := range parseCProbeOutput(out).fds {
					if fd > 3 && !already[fd] {
						report(leaks, "os/exec child got fd "+strconv.Itoa(fd)+" "+f.Target)
					}
				}
			}
		}()
	}
	spawners.Wait()
	close(leaks)
	for l := range leaks {
		t.Error(l)
	}
}

// report sends msg unless the channel is full: enough has been reported.
func report(ch chan<- string, msg string) {
	select {
	case ch <- msg:
	default:
	}
}

// inheritable returns the descriptors this process has open without
// close-on-exec.
func inheritable(t *testing.T) map[int]bool {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	fds := map[int]bool{}
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil && flags&unix.FD_CLOEXEC == 0 {
			fds[fd] = true
		}
	}
	return fds
}
