package main

import (
	"fmt"
	"go/parser"
	"go/token"
	"regexp"
	"strings"
	"unicode"
)

// decl is one //sysnb or //sysvfork declaration.
type decl struct {
	pos     string  // file:line, for messages
	vfork   bool    // //sysvfork: call through rawVforkSyscall
	name    string  // Go name of the stub
	params  []field // arguments, in kernel order
	results []field // at most one value and at most one syscall.Errno
	sysno   string  // SYS_ constant in golang.org/x/sys/unix
}

// field is a named parameter or result.
type field struct {
	name, typ string
}

func (f field) isPointer() bool {
	return strings.HasPrefix(f.typ, "*") || f.typ == "unsafe.Pointer"
}

// is64 reports whether f is a 64-bit integer, which takes two argument slots
// on a 32-bit target.
func (f field) is64() bool { return f.typ == "int64" || f.typ == "uint64" }

// asUintptr is the expression that passes f to the kernel.
func (f field) asUintptr() string {
	switch {
	case f.typ == "uintptr":
		return f.name
	case f.typ == "unsafe.Pointer":
		return "uintptr(" + f.name + ")"
	case f.isPointer():
		return "uintptr(unsafe.Pointer(" + f.name + "))"
	default:
		return "uintptr(" + f.name + ")"
	}
}

// declRE matches the text after "//sysnb " or "//sysvfork ":
// name(params) (results) [= SYS_NAME]
var declRE = regexp.MustCompile(`^(\w+)\(([^)]*)\)\s*(?:\(([^)]*)\))?\s*(?:=\s*(SYS_\w+))?\s*$`)

// argTypes are the parameter types a stub can pass to the kernel: each must
// convert to uintptr without allocating.
var argTypes = map[string]bool{
	"int": true, "int32": true, "int64": true, "uint": true, "uint32": true, "uint64": true,
	"uintptr": true, "unsafe.Pointer": true, "syscall.Signal": true,
}

// resultTypes are the value results a stub can return: conversions of r1.
var resultTypes = map[string]bool{"int": true, "uintptr": true, "int32": true}

// parseFile returns the package name and the declarations in src, which must
// be a Go file: declarations live in comments of an ordinary source file.
func parseFile(name string, src []byte) (string, []decl, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return "", nil, err
	}
	var decls []decl
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			var rest string
			var vfork bool
			switch {
			case strings.HasPrefix(c.Text, "//sysnb "):
				rest = strings.TrimPrefix(c.Text, "//sysnb ")
			case strings.HasPrefix(c.Text, "//sysvfork "):
				rest, vfork = strings.TrimPrefix(c.Text, "//sysvfork "), true
			default:
				continue
			}
			pos := fset.Position(c.Pos())
			d, err := parseDecl(strings.TrimSpace(rest))
			if err != nil {
				return "", nil, fmt.Errorf("%s:%d: %v", name, pos.Line, err)
			}
			d.pos = fmt.Sprintf("%s:%d", name, pos.Line)
			d.vfork = vfork
			decls = append(decls, d)
		}
	}
	return f.Name.Name, decls, nil
}

// parseDecl parses "name(params) (results) [= SYS_NAME]".
func parseDecl(s string) (decl, error) {
	m := declRE.FindStringSubmatch(s)
	if m == nil {
		return decl{}, fmt.Errorf("malformed declaration %q: want name(params) (results) [= SYS_NAME]", s)
	}
	d := decl{name: m[1], sysno: m[4]}
	if !strings.HasPrefix(d.name, "raw") || len(d.name) == 3 {
		return decl{}, fmt.Errorf("%s: stub names start with raw, so callers see they are raw system calls", d.name)
	}
	var err error
	if d.params, err = parseFields(m[2]); err != nil {
		return decl{}, fmt.Errorf("%s: %v", d.name, err)
	}
	if d.results, err = parseFields(m[3]); err != nil {
		return decl{}, fmt.Errorf("%s: %v", d.name, err)
	}
	for _, p := range d.params {
		if !argTypes[p.typ] && !strings.HasPrefix(p.typ, "*") {
			return decl{}, fmt.Errorf("%s: parameter %s has type %s, which a raw system call cannot pass", d.name, p.name, p.typ)
		}
	}
	values, errnos := 0, 0
	for _, r := range d.results {
		switch {
		case r.typ == "syscall.Errno":
			errnos++
		case resultTypes[r.typ]:
			values++
		default:
			return decl{}, fmt.Errorf("%s: result %s has type %s; want int, int32, uintptr or syscall.Errno", d.name, r.name, r.typ)
		}
	}
	if values > 1 || errnos > 1 {
		return decl{}, fmt.Errorf("%s: at most one value result and one syscall.Errno result", d.name)
	}
	if d.sysno == "" && strings.HasSuffix(d.name, "Args") {
		return decl{}, fmt.Errorf("%s: say which system call with = SYS_NAME", d.name)
	}
	if d.sysno == "" {
		d.sysno = "SYS_" + strings.ToUpper(strings.TrimPrefix(d.name, "raw"))
	}
	return d, nil
}

// parseFields parses "a int, b *byte" (every field named, one name each).
func parseFields(s string) ([]field, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var fs []field
	for _, part := range strings.Split(s, ",") {
		f := strings.Fields(part)
		if len(f) != 2 || !isIdent(f[0]) {
			return nil, fmt.Errorf("malformed field %q: want name type", strings.TrimSpace(part))
		}
		fs = append(fs, field{name: f[0], typ: f[1]})
	}
	return fs, nil
}

func isIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || i > 0 && unicode.IsDigit(r)) {
			return false
		}
	}
	return s != ""
}
