//go:build !linux

package main

import (
	"fmt"
	"os"
	"runtime"
)

// main explains that the conformance suite needs Linux: its probe reads
// /proc and its scenarios use Linux's SysProcAttr.
func main() {
	fmt.Fprintf(os.Stderr, "conformance: the suite runs on Linux only, not %s.\n", runtime.GOOS)
	if runtime.GOOS == "freebsd" {
		fmt.Fprintln(os.Stderr, "On FreeBSD, the tests that hold forkexec against the stdlib there run with, as root:\n\n\tgo test ./forkexec")
	}
	os.Exit(2)
}
