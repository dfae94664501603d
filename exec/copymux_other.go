//go:build !linux

package exec

import "io"

// copyOutputs copies nothing here: Wait's inline copies take a goroutine
// for each output after the first (see copymux_linux.go).
func copyOutputs([]copier) (done bool, err error) { return false, nil }

// muxable is false here: there is no copyOutputs.
func muxable(io.Reader, io.Writer, io.Writer) bool { return false }
