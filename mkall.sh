#!/usr/bin/env bash
# mkall.sh regenerates every generated file of package forkexec: the raw
# system call stubs zsyscall_$GOOS_$GOARCH.go, from the //sysnb and
# //sysvfork declarations in syscall_$GOOS.go, for each supported target.
# Run it from anywhere after changing a declaration or the generator; CI
# checks that it leaves the tree unchanged.
set -euo pipefail
cd "$(dirname "$0")"

linux_arches="amd64 arm64 386 arm riscv64 ppc64le s390x loong64 mips64le"
freebsd_arches="amd64 arm64 386 arm riscv64"

# The generator checks each system call against x/sys/unix's tables for the
# target, so a call a target lacks (dup2 on arm64) fails here, not at run time.
sysnum="$(go list -m -f '{{.Dir}}' golang.org/x/sys)/unix"
gen="$(mktemp -d)/mksysnb"
trap 'rm -rf "$(dirname "$gen")"' EXIT
go build -o "$gen" ./internal/mksysnb

for arch in $linux_arches; do
	"$gen" -goos linux -goarch "$arch" -sysnum "$sysnum" forkexec/syscall_linux.go >"forkexec/zsyscall_linux_$arch.go"
done

for arch in $freebsd_arches; do
	"$gen" -goos freebsd -goarch "$arch" -sysnum "$sysnum" forkexec/syscall_freebsd.go >"forkexec/zsyscall_freebsd_$arch.go"
done
