//go:build linux || freebsd

package forkexec

import (
	"sync"
	"syscall"
	_ "unsafe" // for go:linkname
)

// ForkLock is the lock that keeps file descriptors being created from leaking
// into a child while it is forked. It is the syscall package's own
// syscall.ForkLock, not a copy: os, net and os/exec take syscall.ForkLock
// (for reading, around the few descriptor-creating calls that cannot set
// close-on-exec atomically; for writing, around their forks), and a second
// lock would let one of their descriptors, created between its open and its
// FD_CLOEXEC, leak into a forkexec child, or one of ours into theirs. With
// one lock the guarantee holds in both directions.
//
// It is a *sync.RWMutex because Go cannot make a second name for a variable:
// ForkLock.Lock() and ForkLock.RLock() read as they do on syscall.ForkLock,
// but code that took syscall.ForkLock's address must drop the &.
var ForkLock = &syscall.ForkLock

// Forks do not serialize behind each other: the first of a run of
// concurrent forks write-locks ForkLock and the last one out unlocks it, so
// ForkLock is held for writing whenever any fork is in progress, as its
// contract requires, while the forks themselves overlap. forkingLock guards
// forking, the number of forks in progress. The syscall package counts its
// own forks the same way with its own counter; the two meet only at
// ForkLock, so a forkexec spawn waits for an os/exec spawn in progress and
// the other way round, never for one of its own kind.
var (
	forkingLock sync.Mutex
	forking     int
)

// hasWaitingReaders reports whether a goroutine is blocked in rw.RLock. The
// sync package provides it for the syscall package under this name.
//
//go:linkname hasWaitingReaders syscall.hasWaitingReaders
func hasWaitingReaders(rw *sync.RWMutex) bool

// acquireForkLock takes this goroutine's share of the write lock on ForkLock.
func acquireForkLock() {
	forkingLock.Lock()
	defer forkingLock.Unlock()

	if forking == 0 {
		ForkLock.Lock()
		forking++
		return
	}
	// ForkLock is already write-locked by a fork in progress. If a reader is
	// waiting, a steady stream of overlapping forks could keep it waiting
	// forever, so let the forks in progress drain and the reader in first.
	if hasWaitingReaders(ForkLock) {
		forkingLock.Unlock()
		// Empty on purpose, as in the syscall package's acquireForkLock:
		// taking the read lock is the point, waiting until the forks in
		// progress are done and the waiting reader has had its turn.
		ForkLock.RLock()
		//lint:ignore SA2001 the wait for the read lock is the purpose
		ForkLock.RUnlock()
		forkingLock.Lock()
		if forking == 0 {
			ForkLock.Lock()
		}
	}
	forking++
}

// releaseForkLock gives back what acquireForkLock took.
func releaseForkLock() {
	forkingLock.Lock()
	defer forkingLock.Unlock()

	if forking <= 0 {
		panic("forkexec: releaseForkLock without acquireForkLock")
	}
	forking--
	if forking == 0 {
		ForkLock.Unlock()
	}
}
