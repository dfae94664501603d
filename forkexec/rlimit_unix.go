//go:build linux || freebsd

package forkexec

import "syscall"

// nofileToRestore returns the RLIMIT_NOFILE this program started with, and
// true, when the syscall package raised the soft limit at start-up and a
// child should get the original back, as syscall.ForkExec's children do.
// It is called by the parent for every spawn, so it must be cheap after
// the first call.
//
// Not yet known: the original is in an unexported variable of the syscall
// package. Until a way to learn it lands, children keep the raised limit
// (the documented difference).
func nofileToRestore() (lim syscall.Rlimit, ok bool) { return lim, false }
