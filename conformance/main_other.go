//go:build !linux && !freebsd

package main

import (
	"fmt"
	"os"
	"runtime"
)

// main explains that the conformance suite needs Linux or FreeBSD: its
// probe reads the kernel's view of a process through interfaces of those
// two (/proc; sysctl and procctl), and its scenarios use their
// SysProcAttr.
func main() {
	fmt.Fprintf(os.Stderr, "conformance: the suite runs on Linux and FreeBSD only, not %s.\n", runtime.GOOS)
	os.Exit(2)
}
