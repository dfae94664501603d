// Package childcheck defines an Analyzer that checks the code a process runs
// between fork (or vfork/clone) and exec.
//
// # Why
//
// After fork the child is a copy of the parent with exactly one thread: the
// one that called fork. Every other thread of the parent is gone, together
// with whatever it was doing at that instant. After vfork (or clone with
// CLONE_VM|CLONE_VFORK) the child even runs on the parent's memory and, until
// it execs or exits, on the parent's stack. Go's runtime is not built for
// either situation, so the child may only run code that
//
//   - does not allocate: the allocator, the garbage collector and the
//     scheduler take locks that another (now vanished) thread may have held at
//     the moment of fork; they are never released in the child, which then
//     deadlocks or corrupts the heap. In a vfork child an allocation would
//     also mutate the parent's heap behind its back.
//   - does not take a lock: same reason, a lock held at fork time by another
//     thread is held forever in the child.
//   - does not grow the stack: runtime_BeforeFork poisons the goroutine's
//     stack guard so that any function prologue that wants more stack calls
//     morestack, which throws "stack growth after fork" (and growing a vfork
//     child's stack would move the parent's frames).
//
// # Entry points
//
// A function is an entry point if its doc comment contains the directive line
//
//	//forkexec:child
//
// exactly, on a line of its own, like a //go: directive. The whole body of an
// entry point is checked, including any code that runs only in the parent.
// The entry point itself need not be //go:nosplit (the stack guard is only
// poisoned inside it, by runtime_BeforeFork), but everything it calls must be.
//
// # Rules
//
// Starting from each entry point the analyzer follows every static call.
// Functions of the same package are walked (their bodies are checked too,
// with the chain "entry → f → g" in the message); functions of other packages
// are judged from facts exported when their package was analyzed (bodyless,
// //go:nosplit, //go:linkname target, and for a nosplit function the first
// finding in its own body, as if it were an entry point). It reports:
//
//   - calls to functions that are neither assembly (a declaration without a
//     body and without //go:linkname), nor //go:nosplit, nor on the allowlist
//     (see allowlist in childcheck.go, every entry carries its justification).
//     A non-nosplit function has a stack-check prologue that may grow the
//     stack. A bodyless //go:linkname declaration is implemented elsewhere
//     (usually in the runtime), so it must be reviewed and allowlisted by its
//     link target. Nosplit functions of the same package are walked as well:
//     nosplit only rules out stack growth, not allocation.
//   - calls into fmt, errors, strconv, strings, sort, sync, log, os, time,
//     reflect (and their subpackages, sync/atomic included: in a race build
//     it calls into the race runtime, which takes locks): they allocate or
//     take locks.
//   - dynamic calls (through function values or interface methods): the
//     callee cannot be checked. Method values (x.M not immediately called)
//     and func literals allocate closures.
//   - make, new, append, &T{...}, slice and map literals, implicit variadic
//     slices, string concatenation, string <-> []byte/[]rune conversions and
//     integer -> string conversions: they may allocate.
//   - conversion of a non-interface value to an interface, explicit or
//     implicit (arguments, assignments, returns, composite literal elements):
//     boxing may allocate. Type assertions to interface types may take the
//     itab table lock and allocate.
//   - defer (defer records, runtime unwinding), go (goroutine creation needs
//     the allocator and the scheduler), panic (allocates, unwinds and prints
//     under runtime locks), print/println (runtime print lock).
//   - select, channel send, receive, close and range: channel operations take
//     the channel lock and may park the goroutine, but the child has no
//     working scheduler.
//   - map index, assignment, delete, clear and range: map code hashes, may
//     grow the map (allocate) and is not nosplit.
//   - writes to package-level variables (assignment, ++/--, range
//     assignment), and taking their address where it may be for a write:
//     converting it to unsafe.Pointer, or taking the address of (or slicing,
//     or calling a pointer method on) a variable that is written somewhere in
//     the package. The parent may hold such variables locked or be in the
//     middle of updating them, and a vfork child's write lands in the
//     parent's memory. Reading package-level variables is fine, and so is
//     passing &v[0] of a constant-like variable (never written anywhere in
//     the package, e.g. a NUL-terminated path) as a typed pointer.
//
// Implicit runtime panics (index out of range, nil dereference, division by
// zero) are not reported, nor are writes through pointers that were derived
// from a package-level variable earlier (p := &v[0]; *p = 1); code in the
// child must avoid them by construction.
//
// # Escape analysis cross-check
//
// The package also provides [EscapeCheck], an independent second check that
// builds a package with -gcflags=-m=1 for a given GOOS/GOARCH and fails if
// the compiler reports "escapes to heap" or "moved to heap" inside a child
// function (an entry point or any same-package function it reaches). The
// childcheck command exposes it as
//
//	childcheck -escape [-goos linux] [-goarch amd64] [-C dir] package
package childcheck
