// Command conformance holds a fork/exec implementation against the
// stdlib's syscall.ForkExec and prints the result as a table.
//
//	go run ./conformance                 # every scenario on this machine
//	go run ./conformance -arch all       # ... and under qemu-user for every arch
//	go run ./conformance -arch arm64,386 -run '^files-' -json
//
// Each scenario is a ProcAttr/SysProcAttr combination (plus, for some,
// parent state such as ignored signals or raised limits). It is run through
// both implementations; the child is a small native C probe (see package
// probe) that reports what it inherited, and the reports are compared field
// by field with genuinely per-process values (pids, inode numbers, run
// directories) masked. Extension scenarios (forkexec's ResetSignals,
// CloseFDs and Spawn errors) are checked against their documentation.
//
// Workers: the scenarios run in worker processes, this same binary in a
// hidden mode (first argument -worker). Scenarios that change process-wide
// state run each implementation in a fresh worker. For -arch, the command
// cross-compiles itself (go build, so run it from inside the module) for
// each GOARCH and runs it under Debian's qemu-user-static, invoked
// explicitly; the probe stays native. Workers pin RLIMIT_NOFILE with
// syscall.Setrlimit at start-up, so the documented rlimit difference of
// forkexec shows only in the scenarios made to show it.
//
// Exit status: 0 when nothing differs where it must not, 1 when some
// scenario differs, fails its expectation or errors, 2 on usage errors.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/forkexec/forkexec/conformance/suite"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-worker" {
		os.Exit(suite.WorkerMain(os.Args[2:]))
	}
	arch := flag.String("arch", "host", `comma-separated GOARCH list, "host", or "all" (`+strings.Join(suite.AllArches, ",")+`)`)
	jsonOut := flag.Bool("json", false, "print the results as JSON")
	run := flag.String("run", "", "regexp selecting scenarios by name")
	impl := flag.String("impl", "", "implementation under test (default "+suite.DefaultUnderTest()+"; one of "+strings.Join(suite.ImplNames(), ", ")+")")
	list := flag.Bool("list", false, "list the scenarios and exit")
	parallel := flag.Int("parallel", 3, "worker processes run at once")
	quiet := flag.Bool("q", false, "no progress lines on stderr")
	flag.Parse()

	if *list {
		for _, s := range suite.Scenarios() {
			fmt.Printf("%-28s %-9s %s\n", s.Name, s.Group, s.Doc)
		}
		return
	}
	cfg := suite.Config{UnderTest: *impl, Package: "github.com/forkexec/forkexec/conformance", Parallel: *parallel}
	switch *arch {
	case "all":
		cfg.Arches = suite.AllArches
	case "host", "":
		cfg.Arches = []string{suite.HostArch()}
	default:
		cfg.Arches = strings.Split(*arch, ",")
	}
	if *run != "" {
		re, err := regexp.Compile(*run)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		cfg.Filter = re
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	cfg.Self = []string{self, "-worker"}
	if !*quiet {
		cfg.Log = func(format string, args ...any) {
			fmt.Fprintf(os.Stderr, "conformance: "+format+"\n", args...)
		}
	}
	start := time.Now()
	out, err := suite.Run(context.Background(), cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(2)
	}
	if *jsonOut {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(out)
	} else {
		suite.Table(os.Stdout, out)
		fmt.Printf("(%d scenarios x %d arches in %v)\n", len(out.Results)/max(1, len(out.Arches)), len(out.Arches), time.Since(start).Round(time.Second))
	}
	if out.Bad() {
		os.Exit(1)
	}
}
