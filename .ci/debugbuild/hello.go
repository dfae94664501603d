//go:build ignore

// hello is the smallest program that links forkexec's child path in, for
// .ci/debugbuild.sh to build as a user's debugger would:
//
//	go build -gcflags='all=-N -l' -o /dev/null .ci/debugbuild/hello.go
//
// It is a file rather than a package (.ci is no import path), built as
// command-line-arguments of this module.
package main

import (
	"fmt"

	"github.com/forkexec/forkexec/forkexec"
)

func main() {
	pid, err := forkexec.ForkExec("/bin/true", []string{"true"}, &forkexec.ProcAttr{})
	fmt.Println(pid, err)
}
