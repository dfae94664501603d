// Package suite holds the fork/exec conformance scenarios, runs them
// against two implementations (the stdlib's syscall.ForkExec as reference
// and an implementation under test), compares what the children got, and
// renders the verdicts as a table, JSON or an HTML report.
//
// # How a run works
//
// [Run] builds a small C probe with the machine's cc (embedded in package
// probe; statically where the C library allows). It then starts worker
// processes: the calling program itself, started again with the
// FORKEXEC_CONFORMANCE_WORKER variable in its environment, natively for
// the host column, cross-compiled and run under qemu-user for the others. A
// worker reaches its own call of Run, which runs the scenarios it was
// given and exits there; so implementations and scenarios registered in
// init functions are known to the workers too, and nothing else is asked
// of a program that calls Run; but what it does before calling Run, each
// worker does too, so keep that cheap. (In a test binary the worker runs
// only the test that called Run. Emulated workers are cross-compiled with
// go build, or go test -c, of the program's main package in the current
// directory: run the program from inside its module, or set
// Config.Package.) Each worker prints one [Record] per scenario and
// implementation; the driver judges them ([Judge]) into one [Result] per
// scenario and column of the [Outcome].
//
// # FreeBSD
//
// The suite, the worker and the probe build for FreeBSD too; there the
// host column is "freebsd", and on Linux that column reads "not run: no
// FreeBSD host" (the Linux columns read "not run: no Linux host" on
// FreeBSD; neither makes a run fail). On a FreeBSD host, as root, from a
// checkout of this module:
//
//	pkg install -y go      # Go 1.26 or later (go.mod); cc (clang) is in the base system
//	go run ./conformance   # the freebsd column; add -json > freebsd.json or -html report.html
//
// The probe is linked with cc -static against the base system's libc.a
// (else dynamically, and the chroot scenarios are not run); as another
// user the credential scenarios are "not run: needs root". FreeBSD runs
// the scenarios of the SysProcAttr fields it has (credentials, sessions,
// terminals, Pdeathsig, Ptrace, chroot, files, signals, parent state) and
// the extensions forkexec has there (ResetSignals, CloseFDs, Spawn's
// errors, Umask, Rlimits, SignalMask, NoNewPrivs, DirFD, ExecFD,
// RetryTextBusy); the scenarios of Linux-only fields and features
// (namespaces, capabilities, cgroups, pidfds, seccomp, hostname,
// oom_score_adj) are not registered there (scenarios_linux.go). The probe
// reports the same fields from sysctl and procctl, leaving out those with
// no FreeBSD meaning. None of this has run on a FreeBSD host yet: it is
// compiled and vetted for every FreeBSD target (.ci/freebsd.sh), and the
// probe's FreeBSD branch is not even compiled here, as no FreeBSD headers
// can be had on the Linux machines that build it.
//
// # Testing your own implementation
//
// From any module:
//
//	type mine struct{}
//
//	func (mine) Name() string { return "mine" }
//	func (mine) ForkExec(argv0 string, argv []string, attr *syscall.ProcAttr) (int, error) {
//		return mypkg.ForkExec(argv0, argv, attr)
//	}
//
//	func init() { suite.RegisterImpl(mine{}) }
//
//	func main() {
//		out, err := suite.Run(context.Background(), suite.Config{UnderTest: "mine"})
//		if err != nil {
//			log.Fatal(err)
//		}
//		suite.Table(os.Stdout, out)
//	}
//
// An implementation with extensions implements [Extended] too (it lists
// its [Feature] values and takes an [Ext]); one that documents where it
// differs from the stdlib implements [Documented]. Scenarios that need a
// feature an implementation lacks show as "n/a" (not applicable) with the
// feature named; the stdlib has none of them.
//
// # Adding a scenario
//
// One call of [Register] with a [Scenario] literal, in an init function
// (here, or in your own package for your own scenarios):
//
//	suite.Register(suite.Scenario{
//		Name: "setsid", Group: "session", Doc: "Setsid: the child leads a new session",
//		Setup: func(c *suite.Ctx) error { c.Sys().Setsid = true; return nil },
//	})
//
// A scenario of a SysProcAttr field or feature that only one kernel has
// goes in a file of that kernel (scenarios_linux.go), registered from the
// shared registration functions at its place in the table.
//
// Setup starts from a plain run of the probe (c.Argv0, c.Argv, c.Attr with
// /dev/null on 0, 1, 2 and one environment variable) and changes what the
// scenario is about. The run goes through the stdlib and the
// implementation under test, and every field the probe reports (argv,
// env, ids, groups, session, terminal, signals, descriptors, limits,
// namespaces, capabilities, ...; see [Ctx.ExecProbe]) must agree, after
// per-process values such as pids are masked. Other fields of Scenario
// say what else it needs:
//
//   - parent state (signal.Ignore, setrlimit, a new session): set Isolated,
//     so each implementation runs alone in a fresh worker, and undo
//     anything with c.Defer;
//   - root (it sets credentials or changes the worker's ids): NeedsRoot,
//     so a non-root run shows "not run: needs root";
//   - something qemu-user cannot emulate: NotUnderQemu, with the reason;
//   - a chroot: NeedsStatic.
//
// A scenario of an extension asks for it in Ext and judges the
// implementation under test alone with Expect, which returns the broken
// expectations (nil when met). Declaring the feature is the Ext field
// itself; nothing else is needed for "not applicable" to work:
//
//	suite.Register(suite.Scenario{
//		Name: "ext-closefds", Group: "extension", Doc: "CloseFDs: the child has exactly 0, 1, 2",
//		Ext: suite.Ext{CloseFDs: true}, Setup: leakSomeFDs,
//		Expect: func(c *suite.Ctx, f suite.Fields) []string { return checkFDs(f, 0, 1, 2) },
//	})
//
// A scenario about an extension switched off sets Needs instead of Ext.
//
// # Adding a feature
//
// For a new SysProcAttr field of forkexec (NoNewPrivs, Umask, Rlimits,
// Seccomp, ...): add a [Feature] constant; add a field to [Ext] with the
// tag feature:"<name>" (any type: a bool, or the value to set), in
// ext_linux.go and, if FreeBSD has it too, ext_freebsd.go; in the
// forkexec adapter list the feature in Features (impl_forkexec_linux.go,
// impl_forkexec_freebsd.go) and copy the field (forkExecExt in
// impl_forkexec.go for a field both have, ForkExecExt of the kernel's file
// otherwise); then register its scenarios as above.
// Other implementations see them as "n/a" until they list the feature.
// If the probe does not yet report what the feature changes, add it to
// probe/c/probe.c (both branches, where FreeBSD has it) and to
// [probe.Report] and flatten it in Ctx.flatten (or flattenOS, for a field
// one kernel has).
package suite
