//go:build !race

package forkexec_test

const raceEnabled = false
