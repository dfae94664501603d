package forkexec

// MIPS has 128 signals, and the kernel's sigset_t has a bit for each.
const (
	lastSignal  = 128
	sigsetBytes = 16
)
