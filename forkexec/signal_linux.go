//go:build linux && !mips64le

package forkexec

// The kernel's signal numbering here: signals 1 to 64, and the sigset_t that
// rt_sigaction and rt_sigprocmask take is 64 bits.
const (
	lastSignal  = 64
	sigsetBytes = 8
)
