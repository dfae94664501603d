#!/usr/bin/env bash
# bench/focus.sh: more rounds of fewer cases. run.sh measures every case in
# 5 rounds, and on this shared VM a spawn+wait ratio from 5 rounds still
# scatters by 10-30%; a 2% target needs more rounds of one case.
#
# Usage: bench/focus.sh   (about 3 minutes with the defaults)
#   ROUNDS=12       rounds, the order of Go and C alternating between them
#   BENCHTIME=1     seconds per case and implementation in each round
#   HEAP=0          one resident heap size
#   CASES='SpawnWait/prog=static/attr=none/heap=HEAP/par=(1|8)'
#                   which cases (Go benchmark regexp; the C baseline runs
#                   all of its cases and only the matching ones are kept)
#   PUBLISH=1       also copy the table to bench/results/focus.md
#
# Implementations: forkexec and syscall (Go), posix_spawn (C). Output:
# bench/out/focus/round-N.txt and ratios.md, made by cmd/benchreport.
set -euo pipefail

bench=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$bench/.." && pwd)
out=$bench/out/focus
ROUNDS=${ROUNDS:-12}
BENCHTIME=${BENCHTIME:-1}
HEAP=${HEAP:-0}
CASES=${CASES:-SpawnWait/prog=static/attr=none/heap=HEAP/par=(1|8)}
CASES=${CASES//HEAP/$HEAP}
PUBLISH=${PUBLISH:-0}

rm -rf "$out"
mkdir -p "$out"
${CC:-cc} -static -O2 -o "$out/noop" "$bench/noop.c"
${CC:-cc} -O2 -Wall -pthread -o "$out/posix_spawn_bench" "$bench/posix_spawn_bench.c"
(cd "$root" && go test -c -o "$out/forkexec.test" ./forkexec)
(cd "$bench" && go build -o "$out/benchreport" ./cmd/benchreport)

gobench() {
	(cd "$root/forkexec" &&
		FORKEXEC_BENCH_HEAPS=$HEAP FORKEXEC_BENCH_HELPER=$out/noop \
			"$out/forkexec.test" -test.run '^$' -test.bench "^Benchmark$CASES/impl=(forkexec|syscall)\$" \
			-test.benchtime "${BENCHTIME}s" -test.benchmem | grep '^Benchmark')
}
cbench() {
	"$out/posix_spawn_bench" -static "$out/noop" -heap "$HEAP" -t "$BENCHTIME" -cpu "$(nproc)" |
		grep -E "^Benchmark$CASES/" || true
}

rounds=()
for ((r = 1; r <= ROUNDS; r++)); do
	f=$out/round-$r.txt
	echo "== round $r/$ROUNDS" >&2
	if ((r % 2)); then
		{ gobench; cbench; } >"$f"
	else
		{ cbench; gobench; } >"$f"
	fi
	rounds+=("$f")
done
"$out/benchreport" -md "$out/ratios.md" "${rounds[@]}"
echo "Command: ROUNDS=$ROUNDS BENCHTIME=$BENCHTIME HEAP=$HEAP CASES='$CASES' bench/focus.sh" >>"$out/ratios.md"
cat "$out/ratios.md"
if [ "$PUBLISH" = 1 ]; then
	cp "$out/ratios.md" "$bench/results/focus.md"
fi
