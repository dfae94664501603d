#!/usr/bin/env bash
# mkall.sh regenerates every generated file of package forkexec: the raw
# system call stubs, from the //sysnb and //sysvfork declarations in
# forkexec/syscall_$GOOS.go, for each target of internal/targets/targets.txt.
# The stubs every arch of a GOOS shares go in forkexec/zsyscall_$GOOS.go, the
# rest in forkexec/zsyscall_$GOOS_$GOARCH.go (see internal/mksysnb).
# Run it from anywhere after changing a declaration, the generator or the
# target list; CI checks that it leaves the tree unchanged.
set -euo pipefail
cd "$(dirname "$0")"
source internal/targets/targets.sh

# The generator checks each system call against x/sys/unix's tables for the
# target, so a call a target lacks (dup2 on arm64) fails here, not at run time.
sysnum="$(go list -m -f '{{.Dir}}' golang.org/x/sys)/unix"
gen="$(mktemp -d)/mksysnb"
trap 'rm -rf "$(dirname "$gen")"' EXIT
go build -o "$gen" ./internal/mksysnb

# One run per GOOS; the generator reads the GOOS's arches from the list.
for goos in $(target_gooses); do
	"$gen" -goos "$goos" -dir forkexec -sysnum "$sysnum" "forkexec/syscall_$goos.go"
done
