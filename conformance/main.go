//go:build linux || freebsd

// Command conformance holds a fork/exec implementation against the
// stdlib's syscall.ForkExec and prints the result as a table.
//
//	go run ./conformance                      # every scenario on this machine
//	go run ./conformance -arch all            # ... and under qemu-user for every arch
//	go run ./conformance -arch arm64,386 -run '^files-' -json > run.json
//	go run ./conformance -compare run.json    # what changed since run.json
//	go run ./conformance -arch all -html table.html
//
// Each scenario is a ProcAttr/SysProcAttr combination (plus, for some,
// parent state such as ignored signals or raised limits). It is run through
// both implementations; the child is a small native C probe (see package
// probe) that reports what it inherited, and the reports are compared field
// by field with genuinely per-process values (pids, inode numbers, run
// directories) masked. Scenarios of extensions (forkexec's ResetSignals,
// CloseFDs and Spawn errors) are checked against their documentation, and
// are not applicable to an implementation without the extension. See
// package suite for how it runs and how to add a scenario or an
// implementation.
//
// Exit status: 0 when nothing differs where it must not; 1 when some
// scenario differs, fails its expectation or errors, or when a requested
// column ran nothing (no qemu-user for it, say) unless -allow-empty; 2 on
// usage errors (an unknown flag, arch or implementation, a -run matching
// no scenario, an unreadable -compare file).
//
// The suite runs on Linux and FreeBSD. On FreeBSD the host column is
// "freebsd" (run as root: go run ./conformance); on Linux that column
// reads "not run: no FreeBSD host", and on FreeBSD the Linux columns read
// "not run: no Linux host". Built for another system, the command only
// says it does not run there.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/forkexec/forkexec/conformance/suite"
)

func main() {
	os.Exit(run())
}

func usageError(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "conformance: "+format+"\n", args...)
	return 2
}

func run() int {
	flag.CommandLine.Init(os.Args[0], flag.ContinueOnError)
	arch := flag.String("arch", "host", `comma-separated columns: GOARCH values, "host", "freebsd", or "all" (`+strings.Join(suite.AllArches(), ",")+`)`)
	jsonOut := flag.Bool("json", false, "print the results as JSON (a record for -compare)")
	runRE := flag.String("run", "", "regexp selecting scenarios by name")
	impl := flag.String("impl", "", "implementation under test (default "+suite.DefaultUnderTest()+"; one of "+strings.Join(suite.ImplNames(), ", ")+")")
	list := flag.Bool("list", false, "list the scenarios and exit")
	parallel := flag.Int("parallel", 3, "worker processes run at once")
	quiet := flag.Bool("q", false, "no progress lines on stderr")
	qemuDir := flag.String("qemu-dir", "", "directory holding the qemu-user binaries (default: $PATH)")
	compare := flag.String("compare", "", "a JSON record of an earlier run (-json) to report changes against")
	htmlOut := flag.String("html", "", "also write the table as an HTML report to this file")
	allowEmpty := flag.Bool("allow-empty", false, "exit 0 even when a requested column ran no scenario")
	if err := flag.CommandLine.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flag.NArg() > 0 {
		return usageError("unexpected arguments %q", flag.Args())
	}
	if *list {
		for _, s := range suite.Scenarios() {
			fmt.Printf("%-28s %-9s %s\n", s.Name, s.Group, s.Doc)
		}
		return 0
	}
	cfg := suite.Config{UnderTest: *impl, Parallel: *parallel, QemuDir: *qemuDir}
	switch *arch {
	case "all":
		cfg.Arches = suite.AllArches()
	case "":
		cfg.Arches = []string{"host"}
	default:
		cfg.Arches = strings.Split(*arch, ",")
	}
	if *runRE != "" {
		re, err := regexp.Compile(*runRE)
		if err != nil {
			return usageError("-run: %v", err)
		}
		cfg.Filter = re
	}
	// The record is read after the run (the workers, this program again,
	// never return from suite.Run and need not parse it), but a missing
	// file is a usage error before anything runs.
	if *compare != "" {
		if _, err := os.Stat(*compare); err != nil {
			return usageError("-compare: %v", err)
		}
	}
	if !*quiet {
		cfg.Log = func(format string, args ...any) {
			fmt.Fprintf(os.Stderr, "conformance: "+format+"\n", args...)
		}
	}
	start := time.Now()
	out, err := suite.Run(context.Background(), cfg)
	if err != nil {
		if errors.Is(err, suite.ErrUsage) {
			return usageError("%v", err)
		}
		fmt.Fprintln(os.Stderr, "conformance:", err)
		return 1
	}
	var old *suite.Outcome
	if *compare != "" {
		if old, err = suite.ReadOutcome(*compare); err != nil {
			return usageError("-compare: %v", err)
		}
	}
	if *jsonOut {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", " ")
		enc.Encode(out)
	} else {
		suite.Table(os.Stdout, out)
		fmt.Printf("(%d scenarios x %d arches in %v)\n", len(out.Results)/max(1, len(out.Arches)), len(out.Arches), time.Since(start).Round(time.Second))
	}
	if old != nil {
		w := os.Stdout
		if *jsonOut {
			w = os.Stderr
		}
		suite.WriteChanges(w, old, out)
	}
	if *htmlOut != "" {
		if err := suite.WriteHTMLFile(*htmlOut, out, old); err != nil {
			fmt.Fprintln(os.Stderr, "conformance:", err)
			return 1
		}
	}
	status := 0
	if out.Bad() {
		status = 1
	}
	if empty := out.EmptyColumns(); len(empty) > 0 && !*allowEmpty {
		fmt.Fprintf(os.Stderr, "conformance: no scenario ran on %s (see the reasons above; -allow-empty accepts this)\n", strings.Join(empty, ", "))
		status = 1
	}
	return status
}
