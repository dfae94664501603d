#!/usr/bin/env bash
# CI step for issue 6: the FreeBSD port, checked from a Linux host. Run from
# the repository root: bash .ci/freebsd.sh
#
# No FreeBSD machine is available to CI, so for each FreeBSD target this
# cross-checks what can be checked without one:
#  1. the generated stubs are what mkall.sh makes (internal/mksysnb's tests,
#     on the host);
#  2. ./forkexec/... vets clean (asmdecl checks vfork_freebsd_$GOARCH.s
#     against its Go declaration; the other analyzers the Go code);
#  3. ./forkexec and its tests compile and link (go test -c), so the FreeBSD
#     tests are ready to run on a FreeBSD host with `go test ./forkexec`;
#  4. every package meant to build on FreeBSD builds (the generator, the
#     child checker, the conformance suite, worker and command;
#     internal/probe is Linux-only by design);
#  5. ./conformance/... vets clean and its tests compile, so that
#     `go run ./conformance` is ready to run on a FreeBSD host. The C probe's
#     FreeBSD branch (conformance/probe/c/probe.c, #ifdef __FreeBSD__) is not
#     compiled here: no FreeBSD headers or cross C compiler can be had from
#     the registries this machine reaches.
# The childcheck analyzer and escape check for the FreeBSD targets run in
# .ci/childcheck.sh.
set -euo pipefail
source "$(dirname "$0")/../internal/targets/targets.sh"

mapfile -t freebsd_arches < <(target_arches freebsd)
# Packages that must build for FreeBSD besides ./forkexec.
portable=(./forkexec/... ./internal/mksysnb ./analysis/... ./cmd/... ./conformance/...)

echo "== freebsd: generated stubs up to date"
go test -count=1 -run 'TestGeneratedUpToDate|TestMergedMatchesSingleTarget|TestTargetTableMatchesList|TestInt64Split|TestArmOddSlotPadding|TestSysnumCheck' ./internal/mksysnb

failed=()
for arch in "${freebsd_arches[@]}"; do
	export GOOS=freebsd GOARCH=$arch CGO_ENABLED=0
	echo "== freebsd/$arch: build"
	go build "${portable[@]}" || failed+=("build $arch")
	echo "== freebsd/$arch: vet ./forkexec/..."
	go vet ./forkexec/... || failed+=("vet $arch")
	echo "== freebsd/$arch: test -c ./forkexec"
	go test -c -o /dev/null ./forkexec || failed+=("test-compile $arch")
	echo "== freebsd/$arch: vet ./conformance/..., test -c ./conformance/suite"
	go vet ./conformance/... || failed+=("vet conformance $arch")
	go test -c -o /dev/null ./conformance/suite || failed+=("test-compile conformance $arch")
	unset GOOS GOARCH CGO_ENABLED
done

if ((${#failed[@]})); then
	echo "== freebsd: FAILED: ${failed[*]}" >&2
	exit 1
fi
echo "== freebsd: all ${#freebsd_arches[@]} targets clean (compiled and vetted only: no FreeBSD host ran the tests)"
