//go:build linux

package forkexec_test

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/forkexec/forkexec/forkexec"
)

// A program moves from syscall.ForkExec to forkexec.ForkExec by changing
// its import: the types, fields and errors are the same.
func ExampleForkExec() {
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	pid, err := forkexec.ForkExec("/bin/echo", []string{"echo", "hello"}, &forkexec.ProcAttr{
		Files: []uintptr{0, w.Fd(), 2}, // the child's stdout is the pipe
	})
	w.Close()
	if err != nil {
		panic(err)
	}
	out, _ := io.ReadAll(r)
	var ws syscall.WaitStatus
	syscall.Wait4(pid, &ws, 0, nil)
	fmt.Printf("%s", out)
	fmt.Println("exit status", ws.ExitStatus())
	// Output:
	// hello
	// exit status 0
}

// Spawn says which step of starting the process failed.
func ExampleSpawn() {
	_, err := forkexec.Spawn("/bin/true", []string{"true"}, &forkexec.ProcAttr{Dir: "/no/such/dir"})
	fmt.Println(err)

	var e *forkexec.Error
	if errors.As(err, &e) {
		fmt.Println("step:", e.Step, "| errno:", int(e.Errno), "| detail:", e.Detail)
	}
	fmt.Println("not exist:", errors.Is(err, fs.ErrNotExist))
	// Output:
	// forkexec: chdir /no/such/dir: no such file or directory
	// step: chdir | errno: 2 | detail: /no/such/dir
	// not exist: true
}

// ForkExec itself keeps returning the bare errno, as syscall.ForkExec does.
func ExampleForkExec_error() {
	_, err := forkexec.ForkExec("/no/such/program", nil, nil)
	fmt.Println(err == syscall.ENOENT)
	// Output:
	// true
}

// ResetSignals starts the program with every signal at its default action
// and none blocked, whatever the parent ignores or blocks; CloseFDs gives
// it exactly the descriptors in Files.
func ExampleSysProcAttr() {
	attr := &forkexec.ProcAttr{
		Files: []uintptr{0, 1, 2},
		Sys: &forkexec.SysProcAttr{
			Setsid:       true,
			ResetSignals: true,
			CloseFDs:     true,
		},
	}
	pid, err := forkexec.ForkExec("/bin/true", []string{"true"}, attr)
	if err != nil {
		panic(err)
	}
	var ws syscall.WaitStatus
	syscall.Wait4(pid, &ws, 0, nil)
	fmt.Println("exit status", ws.ExitStatus())
	// Output:
	// exit status 0
}
