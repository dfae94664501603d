//go:build linux

package forkexec

import "syscall"

// Test hooks for the stress, fuzz, exhaustion and RLIMIT_NOFILE tests.

// NofileToRestore is nofileToRestore: the RLIMIT_NOFILE a child should get
// back, and whether it should.
func NofileToRestore() (syscall.Rlimit, bool) { return nofileToRestore() }
