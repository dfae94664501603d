//go:build race

package forkexec_test

// raceEnabled: the race detector is on, and its instrumentation moves some
// of the spawn's stack variables to the heap.
const raceEnabled = true
