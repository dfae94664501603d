package childcheck

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"
)

// EscapeConfig configures EscapeCheck.
type EscapeConfig struct {
	Dir     string // directory the go commands run in; "" means the current one
	GOOS    string // target; "" means the environment's (or the host's) value
	GOARCH  string
	Package string // a single package pattern, e.g. "./forkexec"
}

// EscapeFinding is one compiler escape diagnostic inside a child function.
type EscapeFinding struct {
	File     string // absolute file name
	Line     int
	Func     string // the child function containing the line
	Compiler string // the compiler's output line, verbatim
}

func (f EscapeFinding) String() string {
	return fmt.Sprintf("%s (in child function %s): heap allocation after fork", f.Compiler, f.Func)
}

// EscapeResult is the outcome of EscapeCheck.
type EscapeResult struct {
	Package    string
	ChildFuncs []string // names of the checked functions
	Findings   []EscapeFinding
}

type lineRange struct {
	file       string
	start, end int
	name       string
}

var mLine = regexp.MustCompile(`^(.+?\.go):(\d+):(\d+): (.*)$`)

// EscapeCheck builds cfg.Package with -gcflags=-m=1 for cfg.GOOS/cfg.GOARCH
// (CGO_ENABLED=0) and returns the compiler's "escapes to heap" and "moved to
// heap" diagnostics that fall inside child functions: the //forkexec:child
// entry points and the same-package functions reachable from them (see
// ChildFuncs). A non-nil error means the check could not be run.
func EscapeCheck(cfg EscapeConfig) (*EscapeResult, error) {
	dir := cfg.Dir
	if dir == "" {
		dir = "."
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	env := os.Environ()
	if cfg.GOOS != "" {
		env = append(env, "GOOS="+cfg.GOOS)
	}
	if cfg.GOARCH != "" {
		env = append(env, "GOARCH="+cfg.GOARCH)
	}
	env = append(env, "CGO_ENABLED=0")

	pkgs, err := packages.Load(&packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo,
		Dir:  dir,
		Env:  env,
	}, cfg.Package)
	if err != nil {
		return nil, err
	}
	if len(pkgs) != 1 {
		return nil, fmt.Errorf("pattern %q matched %d packages, want exactly one", cfg.Package, len(pkgs))
	}
	pkg := pkgs[0]
	if len(pkg.Errors) > 0 {
		var msgs []string
		for _, e := range pkg.Errors {
			msgs = append(msgs, e.Error())
		}
		return nil, fmt.Errorf("loading %s: %s", cfg.Package, strings.Join(msgs, "; "))
	}
	res := &EscapeResult{Package: pkg.PkgPath}
	var ranges []lineRange
	for _, decl := range ChildFuncs(pkg.Types, pkg.Syntax, pkg.TypesInfo) {
		start, end := pkg.Fset.Position(decl.Pos()), pkg.Fset.Position(decl.End())
		ranges = append(ranges, lineRange{filepath.Clean(start.Filename), start.Line, end.Line, declName(decl)})
		res.ChildFuncs = append(res.ChildFuncs, declName(decl))
	}

	cmd := exec.Command("go", "build", "-gcflags=-m=1", cfg.Package)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go build -gcflags=-m=1 %s (GOOS=%s GOARCH=%s): %v\n%s", cfg.Package, cfg.GOOS, cfg.GOARCH, err, out)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		m := mLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		msg := m[4]
		if !strings.Contains(msg, "escapes to heap") && !strings.Contains(msg, "moved to heap") {
			continue
		}
		file := m[1]
		if !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
		file = filepath.Clean(file)
		n, _ := strconv.Atoi(m[2])
		for _, r := range ranges {
			if r.file == file && r.start <= n && n <= r.end {
				res.Findings = append(res.Findings, EscapeFinding{File: file, Line: n, Func: r.name, Compiler: line})
				break
			}
		}
	}
	sort.SliceStable(res.Findings, func(i, j int) bool {
		a, b := res.Findings[i], res.Findings[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return res, sc.Err()
}
