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
#     child checker and the probe protocol; the conformance suite and
#     internal/probe are Linux-only by design).
# The childcheck analyzer and escape check for the FreeBSD targets run in
# .ci/childcheck.sh.
set -euo pipefail
source "$(dirname "$0")/../internal/targets/targets.sh"

mapfile -t freebsd_arches < <(target_arches freebsd)
# Packages that must build for FreeBSD besides ./forkexec.
portable=(./forkexec/... ./internal/mksysnb ./analysis/... ./cmd/... ./conformance/probe)

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
	unset GOOS GOARCH CGO_ENABLED
done

if ((${#failed[@]})); then
	echo "== freebsd: FAILED: ${failed[*]}" >&2
	exit 1
fi
echo "== freebsd: all ${#freebsd_arches[@]} targets clean (compiled and vetted only: no FreeBSD host ran the tests)"
