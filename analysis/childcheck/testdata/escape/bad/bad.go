// Package bad has a child function in which the compiler moves a local to
// the heap, and a reachable helper in which a value escapes.
package bad

var sink *int

var sinkSlice []byte

//forkexec:child
func child(n int) *int {
	x := n // moved to heap: x
	helper(n)
	return &x
}

//go:nosplit
func helper(n int) {
	sinkSlice = make([]byte, n) // make([]byte, n) escapes to heap
}

// parentOnly is not reached from a child function: its escape is ignored.
func parentOnly(n int) {
	y := n
	sink = &y
}
