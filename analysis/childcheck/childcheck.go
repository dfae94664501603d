package childcheck

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"
)

// Analyzer reports code reachable from //forkexec:child functions that may
// allocate, take a lock or grow the stack. See the package documentation.
var Analyzer = &analysis.Analyzer{
	Name:      "childcheck",
	Doc:       "check that code between fork and exec (functions marked //forkexec:child and their callees) neither allocates, nor locks, nor grows the stack",
	URL:       "https://pkg.go.dev/github.com/forkexec/forkexec/analysis/childcheck",
	Run:       run,
	FactTypes: []analysis.Fact{new(FuncInfo)},
}

// ChildDirective marks an entry point: a function whose body runs in the
// child between fork and exec.
const ChildDirective = "//forkexec:child"

// allowlist holds the functions (by types.Func.FullName, or by //go:linkname
// target for bodyless linkname declarations) that may be called in the child
// although they are not provably safe from their declaration alone. Every
// entry says why it is safe; keep it short.
var allowlist = map[string]string{
	// syscall.RawSyscall{,6} are //go:nosplit and //go:norace in the standard
	// library and end in the runtime's assembly system call entry without
	// allocating; they are what syscall.forkAndExecInChild1 itself uses.
	"syscall.RawSyscall":  "nosplit+norace in the standard library, ends in assembly",
	"syscall.RawSyscall6": "nosplit+norace in the standard library, ends in assembly",

	// The runtime's fork hooks, reached through local bodyless
	// //go:linkname declarations. The runtime implements them as
	// //go:nosplit functions (syscall_runtime_BeforeFork & co.) that only
	// block signals and adjust the stack guard; they are the very functions
	// syscall.forkAndExecInChild1 calls around fork.
	"syscall.runtime_BeforeFork":       "runtime fork hook, nosplit in the runtime",
	"syscall.runtime_AfterFork":        "runtime fork hook, nosplit in the runtime",
	"syscall.runtime_AfterForkInChild": "runtime fork hook, nosplit in the runtime, made to run in the child",
}

// safeBuiltins are builtins that neither allocate, lock nor call non-nosplit
// code. The unsafe package's functions (unsafe.Sizeof, unsafe.Pointer
// conversions, unsafe.Slice, ...) are always allowed: they are evaluated at
// compile time or compile to plain pointer arithmetic.
var safeBuiltins = map[string]string{
	"len":     "reads a header word, no allocation",
	"cap":     "reads a header word, no allocation",
	"copy":    "memmove, which is nosplit assembly",
	"min":     "compiled inline",
	"max":     "compiled inline",
	"real":    "compiled inline",
	"imag":    "compiled inline",
	"complex": "compiled inline",
}

// forbiddenPkgs are packages whose functions allocate or take locks; any call
// into them (or their subpackages, see isForbidden) is reported.
var forbiddenPkgs = []string{"fmt", "errors", "strconv", "strings", "sort", "sync", "log", "os", "time", "reflect"}

func isForbidden(path string) bool {
	// sync/atomic too: in a race build its functions and methods call
	// into the race runtime, which takes locks; a vfork child that holds
	// one at its exec leaves the parent deadlocked.
	for _, p := range forbiddenPkgs {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// Reasons, appended to every message: why the finding is unsafe in a child.
const (
	whyAlloc    = "may allocate; after fork the child must not touch the heap (the allocator's locks may be held by threads that do not exist in the child)"
	whyStack    = "may grow the stack; runtime_BeforeFork poisoned the stack guard, so a prologue calling morestack throws \"stack growth after fork\" (and a vfork child runs on the parent's stack)"
	whyDynamic  = "the callee is not known statically, so nothing shows it does not allocate, lock or grow the stack"
	whyLock     = "may take a lock; a lock held by another parent thread at fork time is never released in the child, which then deadlocks"
	whyChan     = "channel operations take the channel's lock and may park the goroutine, but the child has a single thread and no working scheduler"
	whyMap      = "map operations hash and may grow the map through runtime code that allocates and is not nosplit; after fork the child must not touch the heap"
	whyGlobal   = "the parent may hold it locked or be mid-update when it forks, and a vfork child's write lands in the parent's memory"
	whyPanic    = "panic allocates, runs deferred calls and prints under runtime locks; the child must report failure with raw syscalls and exit"
	whyDefer    = "defer may allocate a defer record and runs deferred calls through the runtime"
	whyGo       = "starting a goroutine allocates and needs the scheduler, neither of which works in the child"
	whyIface    = "boxing a value in an interface may allocate (runtime.convT); after fork the child must not touch the heap (the allocator's locks may be held by threads that do not exist in the child)"
	whyItab     = "asserting to an interface type may take the itab table lock and allocate an itab"
	whyLinkname = "a bodyless //go:linkname declaration is implemented elsewhere (usually in the runtime); it must be reviewed and added to the allowlist with a justification"
)

// FuncInfo is the fact exported for every function that is bodyless
// (assembly or //go:linkname) or marked //go:nosplit, so that callers in
// other packages can judge calls to it.
type FuncInfo struct {
	NoBody   bool   // declared without a body
	Nosplit  bool   // marked //go:nosplit
	Linkname string // //go:linkname target of a bodyless declaration, if any

	// For a nosplit function with a body: the first finding in it (or in
	// what it reaches), as if it were an entry point, and why it is unsafe.
	Unsafe, UnsafeWhy string
}

// AFact implements analysis.Fact.
func (*FuncInfo) AFact() {}

func (f *FuncInfo) String() string {
	var s []string
	if f.NoBody {
		s = append(s, "nobody")
	}
	if f.Nosplit {
		s = append(s, "nosplit")
	}
	if f.Linkname != "" {
		s = append(s, "linkname="+f.Linkname)
	}
	if f.Unsafe != "" {
		s = append(s, "unsafe")
	}
	return "funcinfo(" + strings.Join(s, ",") + ")"
}

func run(pass *analysis.Pass) (any, error) {
	idx := newIndex(pass.Pkg, pass.Files, pass.TypesInfo)
	importFact := func(fn *types.Func) *FuncInfo {
		fi := new(FuncInfo)
		if pass.ImportObjectFact(fn, fi) {
			return fi
		}
		return nil
	}
	for _, decl := range idx.all {
		fn, ok := pass.TypesInfo.Defs[decl.Name].(*types.Func)
		if !ok {
			continue
		}
		fi := &FuncInfo{NoBody: decl.Body == nil, Nosplit: hasDirective(decl.Doc, "//go:nosplit")}
		if fi.NoBody && decl.Recv == nil {
			fi.Linkname = idx.linkname[decl.Name.Name]
		}
		if fi.Nosplit && !fi.NoBody {
			fi.Unsafe, fi.UnsafeWhy = firstFinding(idx, decl, importFact)
		}
		if fi.NoBody || fi.Nosplit {
			pass.ExportObjectFact(fn, fi)
		}
	}
	c := &checker{
		idx: idx,
		report: func(pos token.Pos, what string, chain []string, why string) {
			pass.Reportf(pos, "childcheck: %s in child path (%s): %s", what, strings.Join(chain, " → "), why)
		},
		fact: importFact,
	}
	c.run(idx.entries)
	return nil, nil
}

// firstFinding walks a nosplit function as if it were an entry point and
// returns its first finding, if any.
func firstFinding(idx *index, decl *ast.FuncDecl, fact func(*types.Func) *FuncInfo) (what, why string) {
	c := &checker{idx: idx, fact: fact}
	c.report = func(pos token.Pos, w string, chain []string, y string) {
		if !c.stop {
			what, why = fmt.Sprintf("%s in %s", w, strings.Join(chain, " → ")), y
			c.stop = true
		}
	}
	c.run([]*ast.FuncDecl{decl})
	return what, why
}

// ChildFuncs returns the function declarations that run in a forked child:
// the //forkexec:child entry points of the package and every same-package
// function with a body statically reachable from them, in the order the
// analyzer visits them.
func ChildFuncs(pkg *types.Package, files []*ast.File, info *types.Info) []*ast.FuncDecl {
	c := &checker{idx: newIndex(pkg, files, info)}
	c.run(c.idx.entries)
	return c.order
}

// index describes one package's function declarations.
type index struct {
	pkg      *types.Package
	info     *types.Info
	all      []*ast.FuncDecl
	decls    map[*types.Func]*ast.FuncDecl
	linkname map[string]string // local function name -> link target
	entries  []*ast.FuncDecl
	written  map[*types.Var]bool // package-level variables written somewhere in the package
}

// constantLike reports whether v is a package-level variable of this package
// that is never written after initialization: nowhere in the package is it
// assigned, incremented or decremented, range-assigned, the receiver of a
// pointer method, or has its address converted to unsafe.Pointer. Taking the
// address of such a variable in the child (to pass a constant path to a
// system call, say) is a read.
func (idx *index) constantLike(v *types.Var) bool {
	return v.Pkg() == idx.pkg && !idx.written[v]
}

// findWrites fills idx.written.
func (idx *index) findWrites(files []*ast.File) {
	info := idx.info
	mark := func(e ast.Expr) {
		if e == nil {
			return
		}
		if v := varRoot(info, e); v != nil {
			idx.written[v] = true
		}
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for _, lhs := range n.Lhs {
					mark(lhs)
				}
			case *ast.IncDecStmt:
				mark(n.X)
			case *ast.RangeStmt:
				if n.Tok == token.ASSIGN {
					mark(n.Key)
					mark(n.Value)
				}
			case *ast.SelectorExpr:
				if sel := info.Selections[n]; sel != nil && sel.Kind() == types.MethodVal {
					if fn, ok := sel.Obj().(*types.Func); ok {
						if recv := fn.Type().(*types.Signature).Recv(); recv != nil {
							if _, ok := recv.Type().(*types.Pointer); ok {
								mark(n.X)
							}
						}
					}
				}
			case *ast.CallExpr:
				if isUnsafePointer(info.Types[unparen(n.Fun)]) && len(n.Args) == 1 {
					if u, ok := unparen(n.Args[0]).(*ast.UnaryExpr); ok && u.Op == token.AND {
						mark(u.X)
					}
				}
			}
			return true
		})
	}
}

func isUnsafePointer(tv types.TypeAndValue) bool {
	if !tv.IsType() {
		return false
	}
	b, ok := types.Unalias(tv.Type).(*types.Basic)
	return ok && b.Kind() == types.UnsafePointer
}

func newIndex(pkg *types.Package, files []*ast.File, info *types.Info) *index {
	idx := &index{pkg: pkg, info: info, decls: map[*types.Func]*ast.FuncDecl{}, linkname: map[string]string{}, written: map[*types.Var]bool{}}
	idx.findWrites(files)
	for _, f := range files {
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				fields := strings.Fields(c.Text)
				if len(fields) < 2 || fields[0] != "//go:linkname" {
					continue
				}
				target := pkg.Path() + "." + fields[1]
				if len(fields) >= 3 {
					target = fields[2]
				}
				idx.linkname[fields[1]] = target
			}
		}
		for _, d := range f.Decls {
			decl, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			idx.all = append(idx.all, decl)
			if fn, ok := info.Defs[decl.Name].(*types.Func); ok {
				idx.decls[fn] = decl
			}
			if decl.Body != nil && hasDirective(decl.Doc, ChildDirective) {
				idx.entries = append(idx.entries, decl)
			}
		}
	}
	return idx
}

// hasDirective reports whether the comment group has a line that is exactly
// the directive (trailing blanks aside).
func hasDirective(doc *ast.CommentGroup, directive string) bool {
	if doc == nil {
		return false
	}
	for _, c := range doc.List {
		if strings.TrimRight(c.Text, " \t\r") == directive {
			return true
		}
	}
	return false
}

type work struct {
	decl  *ast.FuncDecl
	chain []string
}

type checker struct {
	idx     *index
	report  func(pos token.Pos, what string, chain []string, why string) // nil: only compute reachability
	stop    bool                                                         // set by report to stop walking (fact computation)
	fact    func(fn *types.Func) *FuncInfo                               // facts of other packages' functions
	visited map[*ast.FuncDecl]bool
	queue   []work
	order   []*ast.FuncDecl
}

func (c *checker) run(entries []*ast.FuncDecl) {
	c.visited = map[*ast.FuncDecl]bool{}
	for _, e := range entries {
		c.enqueue(e, nil)
	}
	// Breadth first, so that each function is checked once, with the
	// shortest chain from the first entry point that reaches it.
	for len(c.queue) > 0 && !c.stop {
		w := c.queue[0]
		c.queue = c.queue[1:]
		c.order = append(c.order, w.decl)
		c.checkFunc(w)
	}
}

func (c *checker) enqueue(decl *ast.FuncDecl, chain []string) {
	if decl.Body == nil || c.visited[decl] {
		return
	}
	c.visited[decl] = true
	ch := append(append([]string(nil), chain...), declName(decl))
	c.queue = append(c.queue, work{decl, ch})
}

// declName is the name used for a function in chains: f, T.m or (*T).m.
func declName(decl *ast.FuncDecl) string {
	if decl.Recv == nil || len(decl.Recv.List) == 0 {
		return decl.Name.Name
	}
	t := decl.Recv.List[0].Type
	star := false
	if s, ok := t.(*ast.StarExpr); ok {
		star, t = true, s.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	name := "?"
	if id, ok := t.(*ast.Ident); ok {
		name = id.Name
	}
	if star {
		return "(*" + name + ")." + decl.Name.Name
	}
	return name + "." + decl.Name.Name
}

// funcWalk is the state of checking one function body.
type funcWalk struct {
	*checker
	chain      []string
	sigs       []*types.Signature // enclosing function signatures (FuncDecl, FuncLits)
	called     map[*ast.SelectorExpr]bool
	unsafeAddr map[*ast.UnaryExpr]bool // &x converted directly to unsafe.Pointer
	handledLit map[*ast.CompositeLit]bool
}

func (w *funcWalk) reportf(pos token.Pos, why, format string, args ...any) {
	if w.report == nil {
		return
	}
	what := fmt.Sprintf(format, args...)
	w.report(pos, what, w.chain, why)
}

func (w *funcWalk) qual(p *types.Package) string {
	if p == w.idx.pkg {
		return ""
	}
	return p.Name()
}

func (w *funcWalk) typeString(t types.Type) string { return types.TypeString(t, w.qual) }

func (w *funcWalk) funcString(fn *types.Func) string {
	sig := fn.Type().(*types.Signature)
	if recv := sig.Recv(); recv != nil {
		return "(" + w.typeString(recv.Type()) + ")." + fn.Name()
	}
	if q := w.qual(fn.Pkg()); q != "" {
		return q + "." + fn.Name()
	}
	return fn.Name()
}

func (c *checker) checkFunc(wk work) {
	info := c.idx.info
	w := &funcWalk{
		checker:    c,
		chain:      wk.chain,
		called:     map[*ast.SelectorExpr]bool{},
		unsafeAddr: map[*ast.UnaryExpr]bool{},
		handledLit: map[*ast.CompositeLit]bool{},
	}
	if fn, ok := info.Defs[wk.decl.Name].(*types.Func); ok {
		w.sigs = append(w.sigs, fn.Type().(*types.Signature))
	}
	var stack []ast.Node
	ast.Inspect(wk.decl.Body, func(n ast.Node) bool {
		if n == nil {
			if _, ok := stack[len(stack)-1].(*ast.FuncLit); ok {
				w.sigs = w.sigs[:len(w.sigs)-1]
			}
			stack = stack[:len(stack)-1]
			return true
		}
		w.visit(n)
		if lit, ok := n.(*ast.FuncLit); ok {
			sig, _ := info.TypeOf(lit).(*types.Signature)
			w.sigs = append(w.sigs, sig)
		}
		stack = append(stack, n)
		return true
	})
}

func unparen(e ast.Expr) ast.Expr { return ast.Unparen(e) }

func isInterface(t types.Type) bool {
	if t == nil {
		return false
	}
	if _, ok := types.Unalias(t).(*types.TypeParam); ok {
		return false
	}
	return types.IsInterface(t)
}

func (w *funcWalk) visit(n ast.Node) {
	info := w.idx.info
	switch n := n.(type) {
	case *ast.FuncLit:
		w.reportf(n.Pos(), whyAlloc, "func literal (closure)")
	case *ast.DeferStmt:
		w.reportf(n.Pos(), whyDefer, "defer statement")
	case *ast.GoStmt:
		w.reportf(n.Pos(), whyGo, "go statement")
	case *ast.SelectStmt:
		w.reportf(n.Pos(), whyChan, "select statement")
	case *ast.SendStmt:
		w.reportf(n.Pos(), whyChan, "channel send")
		if ch, ok := under(info.TypeOf(n.Chan)).(*types.Chan); ok {
			w.checkBox(n.Value, ch.Elem(), "sent value")
		}
	case *ast.UnaryExpr:
		switch n.Op {
		case token.ARROW:
			w.reportf(n.Pos(), whyChan, "channel receive")
		case token.AND:
			if lit, ok := unparen(n.X).(*ast.CompositeLit); ok {
				w.handledLit[lit] = true
				w.reportf(n.Pos(), whyAlloc, "address of composite literal &%s{...}", w.typeString(info.TypeOf(lit)))
			} else if v := w.pkgVarRoot(n.X); v != nil {
				if w.unsafeAddr[n] {
					w.reportf(n.Pos(), whyGlobal, "address of package-level variable %s converted to unsafe.Pointer (it may be written through)", v.Name())
				} else if !w.idx.constantLike(v) {
					w.reportf(n.Pos(), whyGlobal, "address of package-level variable %s taken (it is written elsewhere, or may be written through)", v.Name())
				}
			}
		}
	case *ast.CompositeLit:
		t := info.TypeOf(n)
		if t == nil {
			return
		}
		if !w.handledLit[n] {
			switch t.Underlying().(type) {
			case *types.Slice:
				w.reportf(n.Pos(), whyAlloc, "slice literal %s", w.typeString(t))
			case *types.Map:
				w.reportf(n.Pos(), whyAlloc, "map literal %s", w.typeString(t))
			}
		}
		w.checkLitBoxing(n, t)
	case *ast.BinaryExpr:
		if n.Op == token.ADD && isString(info.TypeOf(n)) && info.Types[n].Value == nil {
			w.reportf(n.OpPos, whyAlloc, "string concatenation")
		}
	case *ast.AssignStmt:
		for _, lhs := range n.Lhs {
			if v := w.pkgVarRoot(lhs); v != nil {
				w.reportf(lhs.Pos(), whyGlobal, "write to package-level variable %s", v.Name())
			}
		}
		if n.Tok == token.ADD_ASSIGN && len(n.Lhs) == 1 && isString(info.TypeOf(n.Lhs[0])) {
			w.reportf(n.TokPos, whyAlloc, "string concatenation")
		}
		if n.Tok == token.ASSIGN || n.Tok == token.DEFINE {
			targets := make([]types.Type, len(n.Lhs))
			for i, lhs := range n.Lhs {
				targets[i] = info.TypeOf(lhs)
			}
			w.checkBoxList(n.Rhs, targets, "assigned value")
		}
	case *ast.IncDecStmt:
		if v := w.pkgVarRoot(n.X); v != nil {
			w.reportf(n.Pos(), whyGlobal, "write to package-level variable %s", v.Name())
		}
	case *ast.RangeStmt:
		switch under(info.TypeOf(n.X)).(type) {
		case *types.Map:
			w.reportf(n.Pos(), whyMap, "range over map")
		case *types.Chan:
			w.reportf(n.Pos(), whyChan, "range over channel")
		case *types.Signature:
			w.reportf(n.Pos(), whyDynamic, "range over function iterator (calls a closure)")
		}
		if n.Tok == token.ASSIGN {
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if e == nil {
					continue
				}
				if v := w.pkgVarRoot(e); v != nil {
					w.reportf(e.Pos(), whyGlobal, "write to package-level variable %s", v.Name())
				}
			}
		}
	case *ast.IndexExpr:
		if t := info.TypeOf(n.X); t != nil {
			if _, ok := t.Underlying().(*types.Map); ok {
				w.reportf(n.Pos(), whyMap, "map index")
			}
		}
	case *ast.SliceExpr:
		if t := info.TypeOf(n.X); t != nil {
			if _, ok := t.Underlying().(*types.Array); ok {
				if v := w.pkgVarRoot(n.X); v != nil && !w.idx.constantLike(v) {
					w.reportf(n.Pos(), whyGlobal, "slicing package-level array %s takes its address (it is written elsewhere, or may be written through)", v.Name())
				}
			}
		}
	case *ast.SelectorExpr:
		sel := info.Selections[n]
		if sel == nil || sel.Kind() != types.MethodVal {
			return
		}
		if !w.called[n] {
			w.reportf(n.Sel.Pos(), whyAlloc, "method value %s (closure over the receiver)", n.Sel.Name)
		}
		// A pointer method on an addressable value takes its address.
		if fn, ok := sel.Obj().(*types.Func); ok {
			if recv := fn.Type().(*types.Signature).Recv(); recv != nil {
				if _, ptrRecv := recv.Type().(*types.Pointer); ptrRecv {
					if _, ptrX := under(info.TypeOf(n.X)).(*types.Pointer); !ptrX {
						if v := w.pkgVarRoot(n.X); v != nil {
							w.reportf(n.Pos(), whyGlobal, "pointer method %s on package-level variable %s takes its address (it may be written through)", n.Sel.Name, v.Name())
						}
					}
				}
			}
		}
	case *ast.TypeAssertExpr:
		if n.Type != nil && isInterface(info.TypeOf(n.Type)) {
			w.reportf(n.Pos(), whyItab, "type assertion to interface %s", w.typeString(info.TypeOf(n.Type)))
		}
	case *ast.TypeSwitchStmt:
		for _, s := range n.Body.List {
			cc := s.(*ast.CaseClause)
			for _, e := range cc.List {
				if tv := info.Types[e]; tv.IsType() && isInterface(tv.Type) {
					w.reportf(e.Pos(), whyItab, "type switch case on interface %s", w.typeString(tv.Type))
				}
			}
		}
	case *ast.ReturnStmt:
		if len(w.sigs) == 0 || w.sigs[len(w.sigs)-1] == nil {
			return
		}
		res := w.sigs[len(w.sigs)-1].Results()
		targets := make([]types.Type, res.Len())
		for i := range targets {
			targets[i] = res.At(i).Type()
		}
		if len(n.Results) > 0 {
			w.checkBoxList(n.Results, targets, "returned value")
		}
	case *ast.ValueSpec:
		if n.Type == nil {
			return
		}
		t := info.TypeOf(n.Type)
		targets := make([]types.Type, len(n.Names))
		for i := range targets {
			targets[i] = t
		}
		w.checkBoxList(n.Values, targets, "initial value")
	case *ast.CallExpr:
		w.visitCall(n)
	}
}

func isString(t types.Type) bool {
	if t == nil {
		return false
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

func isByteOrRuneSlice(t types.Type) bool {
	s, ok := t.Underlying().(*types.Slice)
	if !ok {
		return false
	}
	b, ok := s.Elem().Underlying().(*types.Basic)
	return ok && (b.Kind() == types.Byte || b.Kind() == types.Rune)
}

func isInteger(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

// pkgVarRoot returns the package-level variable that e denotes or reaches
// through field selections, indexing and dereferences, if any.
func (w *funcWalk) pkgVarRoot(e ast.Expr) *types.Var { return varRoot(w.idx.info, e) }

func varRoot(info *types.Info, e ast.Expr) *types.Var {
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.SelectorExpr:
			if sel := info.Selections[x]; sel != nil {
				if sel.Kind() != types.FieldVal {
					return nil
				}
				e = x.X
				continue
			}
			return pkgVar(info.Uses[x.Sel]) // qualified identifier
		case *ast.IndexExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.Ident:
			return pkgVar(info.Uses[x])
		default:
			return nil
		}
	}
}

func pkgVar(obj types.Object) *types.Var {
	v, ok := obj.(*types.Var)
	if !ok || v.IsField() || v.Pkg() == nil || v.Parent() != v.Pkg().Scope() {
		return nil
	}
	return v
}

// checkBox reports e if it is a non-interface value converted to the
// interface type target.
func (w *funcWalk) checkBox(e ast.Expr, target types.Type, ctx string) {
	if !isInterface(target) {
		return
	}
	tv, ok := w.idx.info.Types[e]
	if !ok || tv.Type == nil || tv.IsNil() {
		return
	}
	if isInterface(tv.Type) {
		return
	}
	if _, ok := types.Unalias(tv.Type).(*types.TypeParam); ok {
		return
	}
	w.reportf(e.Pos(), whyIface, "conversion of %s to interface %s (%s)", w.typeString(tv.Type), w.typeString(target), ctx)
}

// checkBoxList checks values assigned to targets, including the f() form
// where a single call yields a tuple.
func (w *funcWalk) checkBoxList(values []ast.Expr, targets []types.Type, ctx string) {
	if len(values) == 1 && len(targets) > 1 {
		tuple, ok := w.idx.info.TypeOf(values[0]).(*types.Tuple)
		if !ok {
			return
		}
		for i := 0; i < tuple.Len() && i < len(targets); i++ {
			t, src := targets[i], tuple.At(i).Type()
			if isInterface(t) && !isInterface(src) {
				w.reportf(values[0].Pos(), whyIface, "conversion of %s to interface %s (%s %d)", w.typeString(src), w.typeString(t), ctx, i+1)
			}
		}
		return
	}
	for i, v := range values {
		if i < len(targets) {
			w.checkBox(v, targets[i], ctx)
		}
	}
}

func (w *funcWalk) checkLitBoxing(lit *ast.CompositeLit, t types.Type) {
	switch u := t.Underlying().(type) {
	case *types.Struct:
		for i, elt := range lit.Elts {
			if kv, ok := elt.(*ast.KeyValueExpr); ok {
				if id, ok := kv.Key.(*ast.Ident); ok {
					if f, ok := w.idx.info.Uses[id].(*types.Var); ok {
						w.checkBox(kv.Value, f.Type(), "field "+f.Name())
					}
				}
			} else if i < u.NumFields() {
				w.checkBox(elt, u.Field(i).Type(), "field "+u.Field(i).Name())
			}
		}
	case *types.Slice, *types.Array, *types.Map:
		var key, elem types.Type
		switch u := u.(type) {
		case *types.Slice:
			elem = u.Elem()
		case *types.Array:
			elem = u.Elem()
		case *types.Map:
			key, elem = u.Key(), u.Elem()
		}
		for _, elt := range lit.Elts {
			if kv, ok := elt.(*ast.KeyValueExpr); ok {
				if key != nil {
					w.checkBox(kv.Key, key, "map key")
				}
				elt = kv.Value
			}
			w.checkBox(elt, elem, "element")
		}
	}
}

func (w *funcWalk) visitCall(call *ast.CallExpr) {
	info := w.idx.info
	fun := unparen(call.Fun)

	// Conversions.
	if tv := info.Types[fun]; tv.IsType() {
		if len(call.Args) != 1 {
			return
		}
		to, from := tv.Type, info.TypeOf(call.Args[0])
		if from == nil {
			return
		}
		if u, ok := unparen(call.Args[0]).(*ast.UnaryExpr); ok && u.Op == token.AND && isUnsafePointer(tv) {
			w.unsafeAddr[u] = true
		}
		switch {
		case isInterface(to):
			w.checkBox(call.Args[0], to, "conversion")
		case info.Types[call].Value != nil:
			// constant conversion, done at compile time
		case isString(to) && isByteOrRuneSlice(from), isByteOrRuneSlice(to) && isString(from):
			w.reportf(call.Pos(), whyAlloc, "conversion %s → %s", w.typeString(from), w.typeString(to))
		case isString(to) && isInteger(from):
			w.reportf(call.Pos(), whyAlloc, "conversion of integer %s to string", w.typeString(from))
		}
		return
	}

	// Builtins.
	var id *ast.Ident
	switch f := fun.(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
		w.called[f] = true
	}
	if id != nil {
		if b, ok := info.Uses[id].(*types.Builtin); ok {
			w.visitBuiltin(call, b, id)
			return
		}
	}

	sig, _ := under(info.TypeOf(fun)).(*types.Signature)
	callee := typeutil.StaticCallee(info, call)
	argsChecked := true
	if callee == nil {
		if sel, ok := fun.(*ast.SelectorExpr); ok {
			if s := info.Selections[sel]; s != nil && s.Kind() == types.MethodVal && isInterface(s.Recv()) {
				w.reportf(call.Pos(), whyDynamic, "dynamic call of interface method %s.%s", w.typeString(s.Recv()), sel.Sel.Name)
			} else {
				w.reportf(call.Pos(), whyDynamic, "dynamic call through function value %s", types.ExprString(fun))
			}
		} else {
			w.reportf(call.Pos(), whyDynamic, "dynamic call through function value %s", types.ExprString(fun))
		}
	} else {
		argsChecked = w.visitCallee(call, callee.Origin())
	}
	if sig == nil || !argsChecked {
		return
	}

	// Implicit conversions of arguments to interface parameters, and the
	// implicit slice of a variadic call.
	params := sig.Params()
	np := params.Len()
	if len(call.Args) == 1 && np > 1 {
		targets := make([]types.Type, np)
		for i := range targets {
			targets[i] = params.At(i).Type()
		}
		w.checkBoxList(call.Args, targets, "argument")
		return
	}
	for i, arg := range call.Args {
		var t types.Type
		switch {
		case sig.Variadic() && i >= np-1:
			t = params.At(np - 1).Type()
			if !call.Ellipsis.IsValid() {
				t = t.(*types.Slice).Elem()
			}
		case i < np:
			t = params.At(i).Type()
		}
		w.checkBox(arg, t, "argument")
	}
	if sig.Variadic() && !call.Ellipsis.IsValid() && len(call.Args) >= np {
		w.reportf(call.Pos(), whyAlloc, "variadic call of %s builds an implicit slice", types.ExprString(fun))
	}
}

// visitCallee judges a static call. It reports whether the arguments still
// need checking (not for calls into forbidden packages: one finding is
// enough there).
func (w *funcWalk) visitCallee(call *ast.CallExpr, fn *types.Func) bool {
	if _, ok := allowlist[fn.FullName()]; ok {
		return true
	}
	name := w.funcString(fn)
	if fn.Pkg() == w.idx.pkg {
		decl := w.idx.decls[fn]
		if decl == nil {
			w.reportf(call.Pos(), whyStack, "call to %s (declaration not found)", name)
			return true
		}
		if decl.Body == nil {
			if target, ok := w.idx.linkname[decl.Name.Name]; ok && decl.Recv == nil {
				if _, ok := allowlist[target]; !ok {
					w.reportf(call.Pos(), whyLinkname, "call to %s (//go:linkname to %s, not on the allowlist)", name, target)
				}
			}
			return true // assembly, or an allowlisted linkname
		}
		if !hasDirective(decl.Doc, "//go:nosplit") {
			w.reportf(call.Pos(), whyStack, "call to %s (not //go:nosplit)", name)
		}
		w.enqueue(decl, w.chain)
		return true
	}
	if fn.Pkg() != nil && isForbidden(fn.Pkg().Path()) {
		why := whyAlloc
		if p := fn.Pkg().Path(); p == "sync" || strings.HasPrefix(p, "sync/") {
			why = whyLock
		}
		w.reportf(call.Pos(), why, "call to %s", name)
		return false
	}
	var fi *FuncInfo
	if w.fact != nil {
		fi = w.fact(fn)
	}
	switch {
	case fi == nil:
		w.reportf(call.Pos(), whyStack, "call to %s (neither //go:nosplit, assembly nor allowlisted)", name)
	case fi.Nosplit && fi.Unsafe != "":
		w.reportf(call.Pos(), fi.UnsafeWhy, "call to %s (//go:nosplit, but it contains: %s)", name, fi.Unsafe)
	case fi.Nosplit:
	case fi.NoBody && fi.Linkname != "":
		w.reportf(call.Pos(), whyLinkname, "call to %s (//go:linkname to %s, not on the allowlist)", name, fi.Linkname)
	case fi.NoBody:
		// assembly
	}
	return true
}

func (w *funcWalk) visitBuiltin(call *ast.CallExpr, b *types.Builtin, id *ast.Ident) {
	info := w.idx.info
	if b.Pkg() != nil && b.Pkg().Path() == "unsafe" {
		return
	}
	if _, ok := unparen(call.Fun).(*ast.SelectorExpr); ok {
		return // unsafe.X: the only qualified builtins
	}
	name := b.Name()
	if _, ok := safeBuiltins[name]; ok {
		return
	}
	switch name {
	case "make", "new", "append":
		w.reportf(call.Pos(), whyAlloc, "call to builtin %s", name)
	case "panic":
		w.reportf(call.Pos(), whyPanic, "call to builtin panic")
	case "print", "println":
		w.reportf(call.Pos(), whyLock, "call to builtin %s (runtime print lock)", name)
	case "close":
		w.reportf(call.Pos(), whyChan, "call to builtin close")
	case "delete":
		w.reportf(call.Pos(), whyMap, "call to builtin delete")
	case "clear":
		if len(call.Args) == 1 {
			if _, ok := under(info.TypeOf(call.Args[0])).(*types.Map); ok {
				w.reportf(call.Pos(), whyMap, "call to builtin clear on a map")
			}
		}
	default:
		w.reportf(call.Pos(), whyDynamic, "call to builtin %s, which is not on the allowlist", name)
	}
	_ = id
}

// Allowlist returns a copy of the allowlist: function (or //go:linkname
// target) name to the reason it is safe in a forked child.
func Allowlist() map[string]string {
	m := make(map[string]string, len(allowlist))
	for k, v := range allowlist {
		m[k] = v
	}
	return m
}

// under is t's underlying type, or nil.
func under(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	return t.Underlying()
}
