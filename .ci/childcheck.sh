#!/usr/bin/env bash
# CI step for issue 4: machine check of the code that runs between fork and
# exec. Run from the repository root: bash .ci/childcheck.sh
#
#  1. tests of the checker itself (analysis/childcheck, cmd/childcheck);
#  2. the childcheck analyzer (go vet -vettool) on ./forkexec for every target;
#  3. the compiler escape-analysis cross-check (childcheck -escape) on
#     ./forkexec for every target: no "escapes to heap"/"moved to heap"
#     inside a //forkexec:child function or anything it reaches.
set -euo pipefail
source "$(dirname "$0")/../internal/targets/targets.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=$tmp/childcheck

echo "== childcheck: testing the checker"
go test ./analysis/... ./cmd/...
go build -o "$bin" ./cmd/childcheck

if ! compgen -G 'forkexec/*.go' >/dev/null; then
	echo "== childcheck: SKIP: package ./forkexec does not exist yet; nothing to check"
	exit 0
fi
if ! go build ./forkexec 2>"$tmp/build.err"; then
	cat "$tmp/build.err" >&2
	echo "== childcheck: SKIP: ./forkexec does not build (yet) for the host; not checking it"
	exit 0
fi

# Every target of the list whose GOOS has files in ./forkexec.
targets=()
for goos in $(target_gooses); do
	if ! compgen -G "forkexec/*_$goos*.go" >/dev/null; then
		echo "== childcheck: no forkexec/*_$goos*.go files: $goos targets skipped"
		continue
	fi
	for arch in $(target_arches "$goos"); do targets+=("$goos/$arch"); done
done

failed=()
for target in "${targets[@]}"; do
	goos=${target%/*} goarch=${target#*/}
	echo "== childcheck: analyzer, $goos/$goarch"
	if GOOS=$goos GOARCH=$goarch CGO_ENABLED=0 go vet -vettool="$bin" ./forkexec; then
		echo "   ok"
	else
		failed+=("analyzer $goos/$goarch")
	fi
	echo "== childcheck: escape analysis, $goos/$goarch"
	if ! "$bin" -escape -goos "$goos" -goarch "$goarch" ./forkexec; then
		failed+=("escape $goos/$goarch")
	fi
done

if ((${#failed[@]})); then
	echo "== childcheck: FAILED: ${failed[*]}" >&2
	exit 1
fi
echo "== childcheck: all ${#targets[@]} targets clean"
