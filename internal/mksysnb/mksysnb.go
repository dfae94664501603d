// Command mksysnb turns the //sysnb and //sysvfork declarations of package
// forkexec into raw system call stubs, for one GOOS/GOARCH or for every
// target of a GOOS at once.
//
// Usage:
//
//	go run ./internal/mksysnb -goos linux -dir forkexec [-sysnum DIR] forkexec/syscall_linux.go
//	go run ./internal/mksysnb -goos linux -goarch amd64 [-sysnum DIR] decl.go... > stubs.go
//
// With -dir, as mkall.sh runs it, it generates the stubs of every GOARCH
// that internal/targets/targets.txt lists for the GOOS and merges them, as
// x/sys/unix's internal/mkmerge does: the stubs that are the same on every
// one go in DIR/zsyscall_GOOS.go, built for those arches only, and each
// arch's others in DIR/zsyscall_GOOS_GOARCH.go; an arch with no stub of its
// own gets no file, and a stale one is removed. With -goarch, it writes all
// the stubs for one target to standard output, in one file.
//
// A declaration is a line comment of the form
//
//	//sysnb rawDup3(oldfd int, newfd int, flags int) (err syscall.Errno)
//	//sysnb rawGetpid() (pid int)
//	//sysnb rawExit(code int) = SYS_EXIT
//	//sysvfork rawCloneArgs(flags uintptr, stack uintptr, ptid *int32) = SYS_CLONE
//
// The system call is SYS_ followed by the name less its "raw" prefix,
// upper-cased, unless "= SYS_NAME" says otherwise (a name ending in Args
// must say). Parameters are integers (syscall.Signal among them), uintptr,
// unsafe.Pointer or pointers; results are at most one int, int32 or uintptr
// and one syscall.Errno. //sysnb stubs call syscall.RawSyscall6, which is
// nosplit and never enters the scheduler. A //sysvfork stub makes no call
// and declares no results: it returns the trap and up to three arguments in
// the kernel's order, for the caller to pass to the package's assembly
// rawVforkSyscall, which keeps its return address out of the stack a vfork
// child shares with its parent. The example above is Linux's;
// TestDocExample checks that it generates for every Linux target.
//
// Every stub is //go:nosplit (the child of a fork must not grow its stack),
// //go:norace and //go:nocheckptr (instrumentation calls into the runtime),
// and allocates nothing. Where an architecture differs, the table in arch.go
// says so and the generator applies it: 16-bit-uid system calls on Linux 386
// and arm are replaced by their 32-bit forms, fcntl by fcntl64 on 32-bit Linux
// targets, clone's first two arguments swapped on s390x, and on 32-bit targets
// an int64 or uint64 argument is passed in two slots, low word first, starting
// at an even slot on arm (EABI). With -sysnum, the generator reads x/sys/unix's
// zsysnum_GOOS_GOARCH.go from DIR and refuses a declaration whose system call
// the target does not have (dup2 on linux/arm64, for example).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/forkexec/forkexec/internal/targets"
)

func main() {
	goos := flag.String("goos", "", "target GOOS")
	goarch := flag.String("goarch", "", "target GOARCH: write its stubs, all in one file, to standard output")
	dir := flag.String("dir", "", "write the stubs of every GOARCH that "+targets.File+" lists for -goos into `DIR`, merged")
	sysnum := flag.String("sysnum", "", "directory holding x/sys/unix's zsysnum_GOOS_GOARCH.go, to check each system call exists on the target")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: mksysnb -goos GOOS (-goarch GOARCH | -dir DIR) [-sysnum DIR] decl.go...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *goos == "" || (*goarch == "") == (*dir == "") || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if *goarch != "" {
		out, err := run(*goos, *goarch, *sysnum, flag.Args())
		if err != nil {
			fmt.Fprintf(os.Stderr, "mksysnb: %v\n", err)
			os.Exit(1)
		}
		os.Stdout.Write(out)
		return
	}
	files, err := runMerged(*goos, *dir, *sysnum, flag.Args())
	if err == nil {
		err = writeFiles(*dir, *goos, files)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "mksysnb: %v\n", err)
		os.Exit(1)
	}
}

// run generates the stub file for goos/goarch alone, every stub in it.
func run(goos, goarch, sysnumDir string, files []string) ([]byte, error) {
	target, ok := lookupTarget(goos, goarch)
	if !ok {
		return nil, fmt.Errorf("unsupported target %s/%s", goos, goarch)
	}
	pkg, stubs, err := generateStubs(target, sysnumDir, files)
	if err != nil {
		return nil, err
	}
	// The first line names a command that makes the same file on any machine:
	// -sysnum only checks, so its machine-specific directory is left out.
	cmdline := fmt.Sprintf("go run ./internal/mksysnb -goos %s -goarch %s %s", goos, goarch, strings.Join(files, " "))
	return stubFile(cmdline, "", goos+" && "+goarch, pkg, stubs)
}

// runMerged generates the stub files for every arch the target list gives
// goos, as merge splits them: the stubs every arch shares in
// zsyscall_GOOS.go, each arch's others in zsyscall_GOOS_GOARCH.go, and no
// file for an arch with none of its own. It returns the files by base name;
// dir only goes into their header, naming the command that makes them.
func runMerged(goos, dir, sysnumDir string, files []string) (map[string][]byte, error) {
	arches := targets.Arches(goos)
	if len(arches) == 0 {
		return nil, fmt.Errorf("%s lists no %s targets", targets.File, goos)
	}
	stubsOf := map[string][]stub{}
	pkg := ""
	for _, arch := range arches {
		target, ok := lookupTarget(goos, arch)
		if !ok {
			return nil, fmt.Errorf("%s lists %s/%s, but arch.go has no entry for it", targets.File, goos, arch)
		}
		p, stubs, err := generateStubs(target, sysnumDir, files)
		if err != nil {
			return nil, err
		}
		pkg, stubsOf[arch] = p, stubs
	}
	shared, own, err := merge(arches, stubsOf)
	if err != nil {
		return nil, err
	}
	cmdline := fmt.Sprintf("go run ./internal/mksysnb -goos %s -dir %s %s", goos, dir, strings.Join(files, " "))
	out := map[string][]byte{}
	if len(shared) > 0 {
		// Name the arches rather than rely on the file name's GOOS: the
		// stubs are checked only for these, and a GOARCH the list lacks
		// must fail to build for want of a stub, not build with a wrong one.
		constraint := goos + " && " + arches[0]
		if len(arches) > 1 {
			constraint = goos + " && (" + strings.Join(arches, " || ") + ")"
		}
		why := fmt.Sprintf("The stubs that are the same on every %s target of %s;\nthose that differ are in %s.", goos, targets.File, ownFile(goos, "$GOARCH"))
		src, err := stubFile(cmdline, why, constraint, pkg, shared)
		if err != nil {
			return nil, err
		}
		out[sharedFile(goos)] = src
	}
	for _, arch := range arches {
		if len(own[arch]) == 0 {
			continue
		}
		why := fmt.Sprintf("The stubs that differ between %s/%s and some other %s target;\nthe rest are in %s.", goos, arch, goos, sharedFile(goos))
		src, err := stubFile(cmdline, why, goos+" && "+arch, pkg, own[arch])
		if err != nil {
			return nil, err
		}
		out[ownFile(goos, arch)] = src
	}
	return out, nil
}

// generateStubs parses the declaration files and generates one stub per
// declaration for target t, in declaration order. With sysnumDir, a
// declaration whose system call t lacks is an error.
func generateStubs(t target, sysnumDir string, files []string) (pkg string, stubs []stub, err error) {
	var known map[string]bool
	if sysnumDir != "" {
		src, err := os.ReadFile(filepath.Join(sysnumDir, "zsysnum_"+t.goos+"_"+t.goarch+".go"))
		if err != nil {
			return "", nil, err
		}
		known = sysnumNames(src)
	}
	var decls []decl
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			return "", nil, err
		}
		p, ds, err := parseFile(filepath.Base(name), src)
		if err != nil {
			return "", nil, err
		}
		if pkg != "" && p != pkg {
			return "", nil, fmt.Errorf("%s: package %s, want %s", name, p, pkg)
		}
		pkg = p
		decls = append(decls, ds...)
	}
	if len(decls) == 0 {
		return "", nil, fmt.Errorf("no //sysnb or //sysvfork declarations in %s", strings.Join(files, " "))
	}
	for _, d := range decls {
		d.sysno = t.sysno(d.sysno)
		if known != nil && !known[d.sysno] {
			return "", nil, fmt.Errorf("%s: %s/%s has no %s", d.pos, t.goos, t.goarch, d.sysno)
		}
		src, err := t.stubSource(d)
		if err != nil {
			return "", nil, err
		}
		stubs = append(stubs, stub{name: d.name, src: src})
	}
	return pkg, stubs, nil
}

// sysnumNames returns the SYS_ constants defined in a zsysnum file.
func sysnumNames(src []byte) map[string]bool {
	names := map[string]bool{}
	for _, line := range strings.Split(string(src), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && strings.HasPrefix(f[0], "SYS_") && f[1] == "=" {
			names[f[0]] = true
		}
	}
	return names
}

// stubFile writes a file of stubs: the command line, the DO NOT EDIT
// marker, a comment saying what the file holds (about, lines of text; none
// if empty), the build constraint, the package clause, the imports the
// stubs use, then the stubs in the order given.
func stubFile(cmdline, about, constraint, pkg string, stubs []stub) ([]byte, error) {
	var body bytes.Buffer
	for _, s := range stubs {
		body.WriteString(s.src)
		body.WriteString("\n")
	}
	imports, err := usedImports(pkg, body.Bytes())
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// %s\n", cmdline)
	fmt.Fprintf(&b, "// %s\n\n", generatedMarker)
	if about != "" {
		for _, line := range strings.Split(about, "\n") {
			fmt.Fprintf(&b, "// %s\n", line)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "//go:build %s\n\n", constraint)
	fmt.Fprintf(&b, "package %s\n\n", pkg)
	b.WriteString("import (\n")
	for _, path := range imports {
		if path == "" {
			b.WriteString("\n")
		} else {
			fmt.Fprintf(&b, "\t%q\n", path)
		}
	}
	b.WriteString(")\n\n")
	b.Write(body.Bytes())
	out, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting generated code: %v\n%s", err, b.Bytes())
	}
	return out, nil
}

// stubPackages are the packages a stub may refer to, by the name it uses.
var stubPackages = map[string]string{
	"syscall": "syscall",
	"unsafe":  "unsafe",
	"unix":    "golang.org/x/sys/unix",
}

// usedImports returns the import paths body (stub declarations of package
// pkg) refers to: the standard library's, then "" to separate them, then
// the others. A file of //sysvfork stubs alone calls nothing in syscall, and
// one whose stubs take no pointer needs no unsafe, so imports follow the
// stubs a file holds rather than a fixed list.
func usedImports(pkg string, body []byte) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "", append([]byte("package "+pkg+"\n\n"), body...), parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parsing generated code: %v\n%s", err, body)
	}
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && stubPackages[id.Name] != "" {
				used[stubPackages[id.Name]] = true
			}
		}
		return true
	})
	var std, other []string
	for path := range used {
		if strings.Contains(path, ".") {
			other = append(other, path)
		} else {
			std = append(std, path)
		}
	}
	sort.Strings(std)
	sort.Strings(other)
	if len(std) > 0 && len(other) > 0 {
		std = append(std, "")
	}
	return append(std, other...), nil
}

// stubSource returns the stub for d on target t: the directives that keep
// it safe in a child, then the function.
func (t target) stubSource(d decl) (string, error) {
	var b strings.Builder
	args := t.kernelArgs(d.params)
	if d.sysno == "SYS_CLONE" && t.cloneSwapsFirstTwo && len(args) >= 2 {
		// The s390x kernel takes clone's stack before its flags.
		args[0], args[1] = args[1], args[0]
	}
	if d.vfork {
		// A vfork child overwrites the frame of every Go function between
		// the clone and its caller, so the stub cannot make the call: it
		// returns the trap and arguments in kernel order, and the caller
		// passes them straight to rawVforkSyscall.
		if len(args) > 3 {
			return "", fmt.Errorf("%s: a //sysvfork call takes at most 3 arguments", d.pos)
		}
		if len(d.results) != 0 {
			return "", fmt.Errorf("%s: a //sysvfork declaration has no results: its stub returns (trap, a1, a2, a3 uintptr)", d.pos)
		}
		for len(args) < 3 {
			args = append(args, "0")
		}
		fmt.Fprintf(&b, "//go:nosplit\n//go:norace\n//go:nocheckptr\n")
		fmt.Fprintf(&b, "func %s(%s) (trap, a1, a2, a3 uintptr) {\n", d.name, joinFields(d.params))
		fmt.Fprintf(&b, "\treturn unix.%s, %s\n}\n", d.sysno, strings.Join(args, ", "))
		return b.String(), nil
	}
	// Always RawSyscall6, even for three arguments: RawSyscall only
	// calls it, and in a build without inlining (a debugger's) that
	// is one more frame in the child's chain of nosplit frames,
	// which the linker limits to a few hundred bytes.
	if len(args) > 6 {
		return "", fmt.Errorf("%s: %s takes %d arguments, at most 6 are supported", d.pos, d.name, len(args))
	}
	for len(args) < 6 {
		args = append(args, "0")
	}
	call := fmt.Sprintf("syscall.RawSyscall6(unix.%s, %s)", d.sysno, strings.Join(args, ", "))

	fmt.Fprintf(&b, "//go:nosplit\n//go:norace\n//go:nocheckptr\n")
	fmt.Fprintf(&b, "func %s(%s) (%s) {\n", d.name, joinFields(d.params), joinFields(d.results))
	var value, errno *field
	for i := range d.results {
		if d.results[i].typ == "syscall.Errno" {
			errno = &d.results[i]
		} else {
			value = &d.results[i]
		}
	}
	r1, e := "_", "_"
	if value != nil {
		r1 = "r1"
	}
	if errno != nil {
		e = "e"
	}
	switch {
	case value == nil && errno == nil:
		fmt.Fprintf(&b, "\t%s\n", call)
	default:
		fmt.Fprintf(&b, "\t%s, _, %s := %s\n", r1, e, call)
	}
	switch {
	case value == nil:
	case value.typ == "uintptr":
		fmt.Fprintf(&b, "\t%s = r1\n", value.name)
	default:
		fmt.Fprintf(&b, "\t%s = %s(r1)\n", value.name, value.typ)
	}
	if errno != nil {
		fmt.Fprintf(&b, "\t%s = e\n", errno.name)
	}
	b.WriteString("\treturn\n}\n")
	return b.String(), nil
}

// kernelArgs returns the expressions that pass params to the kernel, one
// per argument slot: a 64-bit parameter takes two slots on a 32-bit target,
// aligned to an even slot where the target wants it.
func (t target) kernelArgs(params []field) []string {
	var args []string
	for _, p := range params {
		if !t.words32 || !p.is64() {
			args = append(args, p.asUintptr())
			continue
		}
		if t.pairsEven && len(args)%2 == 1 {
			args = append(args, "0")
		}
		args = append(args, "uintptr("+p.name+")", "uintptr("+p.name+">>32)")
	}
	return args
}

func joinFields(fs []field) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = f.name + " " + f.typ
	}
	return strings.Join(s, ", ")
}
