// Command childcheck checks that code running between fork and exec
// (functions marked //forkexec:child and everything they call) neither
// allocates, nor takes locks, nor grows the stack.
//
// Usage:
//
//	childcheck [analysis flags] packages          # standalone
//	go vet -vettool=$(which childcheck) packages  # as a vet tool
//	childcheck -escape [-goos os] [-goarch arch] [-C dir] package
//
// The -escape mode (it must be the first argument) is an independent second
// check: it builds the package with -gcflags=-m=1 for the target and fails if
// the compiler reports a heap escape inside a child function.
//
// See package github.com/forkexec/forkexec/analysis/childcheck for the rules.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"

	"github.com/forkexec/forkexec/analysis/childcheck"
	"golang.org/x/tools/go/analysis/singlechecker"
)

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "-escape" || os.Args[1] == "--escape") {
		os.Exit(escapeMain(os.Args[2:]))
	}
	singlechecker.Main(childcheck.Analyzer)
}

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func escapeMain(args []string) int {
	fs := flag.NewFlagSet("childcheck -escape", flag.ContinueOnError)
	goos := fs.String("goos", getenv("GOOS", runtime.GOOS), "target GOOS")
	goarch := fs.String("goarch", getenv("GOARCH", runtime.GOARCH), "target GOARCH")
	dir := fs.String("C", "", "run the go commands in this directory")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: childcheck -escape [-goos os] [-goarch arch] [-C dir] package...\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	status := 0
	for _, pkg := range fs.Args() {
		res, err := childcheck.EscapeCheck(childcheck.EscapeConfig{Dir: *dir, GOOS: *goos, GOARCH: *goarch, Package: pkg})
		if err != nil {
			fmt.Fprintf(os.Stderr, "childcheck -escape: %v\n", err)
			return 2
		}
		if len(res.ChildFuncs) == 0 {
			fmt.Fprintf(os.Stderr, "childcheck -escape: %s %s/%s: no //forkexec:child function found, nothing checked\n", res.Package, *goos, *goarch)
			status = 1
			continue
		}
		for _, f := range res.Findings {
			fmt.Fprintln(os.Stderr, f)
		}
		if len(res.Findings) > 0 {
			fmt.Fprintf(os.Stderr, "childcheck -escape: %s %s/%s: %d heap escape(s) in child functions\n", res.Package, *goos, *goarch, len(res.Findings))
			status = 1
			continue
		}
		fmt.Printf("childcheck -escape: %s %s/%s: no heap escapes in %d child function(s) %v\n", res.Package, *goos, *goarch, len(res.ChildFuncs), res.ChildFuncs)
	}
	return status
}
