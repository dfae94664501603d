#!/usr/bin/env bash
# bench/hook.sh: the cost of SysProcAttr.ParentHook. Spawn+wait of the static
# no-op program with no hook, with a no-op hook (the own-stack hook path:
# the child waits in the parent's memory) and with the same hook on the fork
# path (what architectures without the own stack pay), at each heap size,
# in interleaved rounds (the order reversed every other round); prints the
# median of per-round ratios against no hook.
#
# Usage: bench/hook.sh   (about 3 minutes with the defaults)
#   ROUNDS=8 BENCHTIME=1s HEAPS='0 1GiB'
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/out/hook
ROUNDS=${ROUNDS:-8}
BENCHTIME=${BENCHTIME:-1s}
HEAPS=${HEAPS:-0 1GiB}
rm -rf "$out"
mkdir -p "$out"
cc -static -O2 -o "$out/noop" "$root/bench/noop.c"
(cd "$root" && go test -c -o "$out/forkexec.test" ./forkexec)
for ((r = 1; r <= ROUNDS; r++)); do
	echo "== round $r/$ROUNDS" >&2
	order=(none noop noop_fork)
	((r % 2)) || order=(noop_fork noop none)
	for heap in $HEAPS; do
		for hook in "${order[@]}"; do
			(cd "$root/forkexec" && FORKEXEC_BENCH_HEAPS=$heap FORKEXEC_BENCH_HELPER=$out/noop \
				"$out/forkexec.test" -test.run '^$' -test.bench "^BenchmarkParentHook/heap=$heap/hook=$hook\$" \
				-test.benchtime "$BENCHTIME" -test.benchmem | grep '^Benchmark')
		done
	done >"$out/round-$r.txt"
done
python3 - "$out"/round-*.txt <<'PY'
import re, statistics, sys
rounds = []
for path in sys.argv[1:]:
    r = {}
    for line in open(path):
        m = re.match(r'BenchmarkParentHook/heap=(\S+)/hook=(\S+)-\d+\s+\d+\s+([\d.]+) ns/op', line)
        if m:
            r[(m.group(1), m.group(2))] = float(m.group(3))
    rounds.append(r)
heaps = sorted({h for r in rounds for h, _ in r}, key=lambda h: (len(h), h))
print("| heap | no hook (median) | no-op hook / no hook | no-op hook, fork path / no hook |")
print("|---|---|---|---|")
for h in heaps:
    none = [r[(h, "none")] for r in rounds]
    cell = []
    for k in ("noop", "noop_fork"):
        ratios = [r[(h, k)] / r[(h, "none")] for r in rounds]
        cell.append("%.3f (%.3f-%.3f)" % (statistics.median(ratios), min(ratios), max(ratios)))
    print("| %s | %.0f µs | %s | %s |" % (h, statistics.median(none) / 1000, cell[0], cell[1]))
print("\n%d rounds, median of per-round ratios (min-max); bench/hook.sh" % len(rounds))
PY
# Round-based ratios scatter with this shared machine's load; pairs of
# spawns, one with the hook and one without, alternating, see the same load.
(cd "$root/forkexec" && FORKEXEC_BENCH_HEAPS=${HEAPS// /,} FORKEXEC_BENCH_HELPER=$out/noop \
	"$out/forkexec.test" -test.run '^$' -test.bench '^BenchmarkParentHookPaired$' -test.benchtime 3000x -test.count 3 | grep '^Benchmark')
