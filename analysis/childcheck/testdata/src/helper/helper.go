// Package helper is a dependency of the test packages: its functions are
// judged through the facts exported when it is analyzed.
package helper

import _ "unsafe"

// Asm is implemented in assembly (no body, no linkname): fine.
func Asm(x uintptr) uintptr

// Nosplit is marked nosplit: fine.
//
//go:nosplit
func Nosplit(x uintptr) uintptr { return x + 1 }

// Plain has a stack-check prologue: reported.
func Plain(x uintptr) uintptr { return x + 2 }

// Linked is a bodyless linkname declaration: reported unless allowlisted.
//
//go:linkname Linked runtime.someInternal
func Linked()

// T has methods.
type T struct{ N int }

// Get is not nosplit.
func (t *T) Get() int { return t.N }

// Fast is nosplit.
//
//go:nosplit
func (t *T) Fast() int { return t.N }

// Counter is a package-level variable of another package.
var Counter int

// NosplitBad is nosplit but allocates through a nosplit callee: reported
// at the call site in the child, through the fact.
//
//go:nosplit
func NosplitBad(n int) []int { return grow(n) }

//go:nosplit
func grow(n int) []int { return make([]int, n) }
