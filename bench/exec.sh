#!/usr/bin/env bash
# bench/exec.sh: package exec against os/exec, and its Run from 8
# goroutines against C posix_spawn from 8 threads, each implementation in
# a process of its own, the processes alternating.
#
# Why separate processes: in one process (exec's BenchmarkVsOSExec) each
# package's calls also pay for what the other leaves behind, the garbage
# its allocations make the collector trace and the threads its blocking
# waits leave the scheduler, so the ratio drifts towards 1 whichever is
# faster. A program uses one of the two; here each process holds one, and
# the rounds alternate their order so that drift on this shared machine
# cancels in the per-round ratios.
#
# Usage: bench/exec.sh   (about 4 minutes with the defaults)
#   ROUNDS=10      rounds
#   BENCHTIME=1    seconds per case and implementation in each round
#   CASES='Output|RunBuffer|RunBufferInherit'
#                  BenchmarkCalls cases (os/exec's counterpart in each)
#   PAR8=1         also Run from 8 goroutines (BenchmarkRunParallel8,
#                  impl=exec and exec_inherit) against posix_spawn's par=8
#   PUBLISH=1      also copy the table to bench/results/exec.md
#   REPORT_ONLY=1  only remake the table from bench/out/exec's rounds
#
# Output: bench/out/exec/round-N.txt and ratios.md: per case, the median of
# the per-round ratios, their interquartile range and their extremes, and
# allocations per call.
set -euo pipefail

bench=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$bench/.." && pwd)
out=$bench/out/exec
ROUNDS=${ROUNDS:-10}
BENCHTIME=${BENCHTIME:-1}
CASES=${CASES:-Output|RunBuffer|RunBufferInherit}
PAR8=${PAR8:-1}
PUBLISH=${PUBLISH:-0}

if [ "${REPORT_ONLY:-0}" != 1 ]; then
rm -rf "$out"
mkdir -p "$out"
${CC:-cc} -static -O2 -o "$out/noop" "$bench/noop.c"
${CC:-cc} -O2 -Wall -pthread -o "$out/posix_spawn_bench" "$bench/posix_spawn_bench.c"
(cd "$root" && go test -c -o "$out/exec.test" ./exec)

# gocalls IMPL: BenchmarkCalls of one package, in a process of its own.
gocalls() {
	(cd "$root/exec" && EXEC_BENCH_NOOP=$out/noop "$out/exec.test" -test.run '^$' \
		-test.bench "^BenchmarkCalls/case=($CASES)/impl=$1\$" \
		-test.benchtime "${BENCHTIME}s" -test.benchmem | grep '^Benchmark')
}
gopar8() {
	(cd "$root/exec" && EXEC_BENCH_NOOP=$out/noop "$out/exec.test" -test.run '^$' \
		-test.bench "^BenchmarkRunParallel8/impl=$1\$" \
		-test.benchtime "${BENCHTIME}s" -test.benchmem | grep '^Benchmark')
}
cpar8() {
	"$out/posix_spawn_bench" -static "$out/noop" -heap 0 -t "$BENCHTIME" -cpu "$(nproc)" \
		-only SpawnWait/prog=static/attr=none/heap=0/par=8
}

for ((r = 1; r <= ROUNDS; r++)); do
	echo "== round $r/$ROUNDS" >&2
	f=$out/round-$r.txt
	steps=(gocalls:exec gocalls:osexec)
	((PAR8)) && steps+=(gopar8:exec gopar8:exec_inherit cpar8:)
	if ((r % 2 == 0)); then # the other order: reversed
		for ((i = 0, j = ${#steps[@]} - 1; i < j; i++, j--)); do
			t=${steps[i]} steps[i]=${steps[j]} steps[j]=$t
		done
	fi
	for s in "${steps[@]}"; do
		"${s%%:*}" "${s#*:}"
	done >"$f"
done
fi

# ratios: per round, exec/osexec for each BenchmarkCalls case, and
# exec (and exec_inherit) at par 8 over posix_spawn at par 8.
awk -v rounds="$ROUNDS" '
function median(a, n,   i, j, t) {
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
}
# spread: the interquartile range and the extremes of a, sorted by median.
function spread(a, n) {
	return sprintf("%.3f-%.3f [%.3f-%.3f]", a[int((n+3)/4)], a[int((3*n+1)/4)], a[1], a[n])
}
FNR == 1 { round++ }
/^BenchmarkCalls\// {
	split($1, p, "/"); c = p[2]; impl = p[3]; sub(/^impl=/, "", impl); sub(/-[0-9]+$/, "", impl)
	ns[c, impl, round] = $3; cases[c] = 1
	for (i = 4; i < NF; i++) if ($(i+1) == "allocs/op") allocs[c, impl] = $i
}
/^BenchmarkRunParallel8\// {
	impl = $1; sub(/.*impl=/, "", impl); sub(/-[0-9]+$/, "", impl); par[impl, round] = $3
}
/impl=posix_spawn/ { par["posix_spawn", round] = $3 }
END {
	printf "Median of %d per-round ratios, then their interquartile range and [extremes]; each implementation in its own process, the order alternating.\n\n", rounds
	print "| case | exec ns/call | os/exec ns/call | exec/os/exec | allocs exec, os/exec |"
	print "|---|---|---|---|---|"
	for (c in cases) {
		n = 0; m = 0; k = 0
		for (r = 1; r <= rounds; r++) if ((c, "exec", r) in ns && (c, "osexec", r) in ns) {
			ratio[++n] = ns[c, "exec", r] / ns[c, "osexec", r]; e[++m] = ns[c, "exec", r]; o[++k] = ns[c, "osexec", r]
		}
		if (!n) continue
		med = median(ratio, n)
		printf "| %s | %.0f | %.0f | **%.3f** %s | %s, %s |\n", c, median(e, m), median(o, k), med, spread(ratio, n), allocs[c, "exec"], allocs[c, "osexec"]
		delete ratio
	}
	split("exec exec_inherit", names, " ")
	for (x = 1; x <= 2; x++) {
		name = names[x]; n = 0
		for (r = 1; r <= rounds; r++) if ((name, r) in par && ("posix_spawn", r) in par) ratio2[++n] = par[name, r] / par["posix_spawn", r]
		if (!n) continue
		med = median(ratio2, n)
		printf "| Run, 8 goroutines (impl=%s) / posix_spawn+waitpid, 8 threads | | | **%.3f** %s | |\n", name, med, spread(ratio2, n)
		delete ratio2
	}
}' "$out"/round-*.txt >"$out/ratios.md"
echo "Command: ROUNDS=$ROUNDS BENCHTIME=$BENCHTIME CASES='$CASES' PAR8=$PAR8 bench/exec.sh" >>"$out/ratios.md"
cat "$out/ratios.md"
if [ "$PUBLISH" = 1 ]; then
	cp "$out/ratios.md" "$bench/results/exec.md"
fi
