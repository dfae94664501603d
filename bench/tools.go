//go:build tools

// Package tools pins the tools bench/run.sh runs with go run, so that
// go.mod keeps them (benchstat) at a known version.
package tools

import _ "golang.org/x/perf/cmd/benchstat"
