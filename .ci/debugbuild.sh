#!/usr/bin/env bash
# CI step for issue 10: debug builds link. For every target of
# internal/targets/targets.txt, builds with -gcflags=all='-N -l' (no
# optimization, no inlining: what dlv and IDE debuggers build with)
#  1. .ci/debugbuild/hello.go, a small program that imports forkexec and
#     calls ForkExec, so the child path is linked in;
#  2. forkexec's test binary (go test -c ./forkexec).
# Unoptimized frames are larger, and the linker refuses a chain of nosplit
# calls (the child, the stubs, syscall.RawSyscall) deeper than its limit
# ("nosplit stack over 792 byte limit"): the normal build passing says
# nothing about this one. Nothing runs; both are linked to /dev/null.
#
# Run from the repository root: bash .ci/debugbuild.sh
# Each target's standard library is compiled with these flags once (about
# half a minute a target on a cold build cache); re-runs come from the
# cache. The go command already uses every core within a build, so targets
# are built one after another.
set -euo pipefail
cd "$(dirname "$0")/.."
source internal/targets/targets.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gcflags='all=-N -l'
mapfile -t all < <(target_list)
failed=()
for target in "${all[@]}"; do
	goos=${target%/*} goarch=${target#*/}
	for what in program tests; do
		case $what in
		program) cmd="go build -gcflags='$gcflags' -o /dev/null .ci/debugbuild/hello.go" ;;
		tests) cmd="go test -c -gcflags='$gcflags' -o /dev/null ./forkexec" ;;
		esac
		if GOOS=$goos GOARCH=$goarch eval "$cmd" >"$tmp/log" 2>&1; then
			echo "ok   $target $what"
			continue
		fi
		failed+=("$target $what")
		# The linker's nosplit report is a line "F: nosplit stack over N
		# byte limit" per function whose call chain is too deep, then the
		# chain as an indented tree: the first lines say what failed. Any
		# other failure shows its first lines as they are.
		echo "FAIL $target $what ($cmd):"
		{ grep ': nosplit stack over' "$tmp/log" || grep -v '^#' "$tmp/log"; } | head -n 5 | sed 's/^/       /' || true
	done
done

if ((${#failed[@]})); then
	echo "== debugbuild: FAILED: ${#failed[@]} of $((2 * ${#all[@]})) builds do not link:" >&2
	printf '   %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "== debugbuild: the program and the test binary link in a debug build for all ${#all[@]} targets"
