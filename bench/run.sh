#!/usr/bin/env bash
# bench/run.sh: forkexec against syscall.ForkExec, os/exec and glibc's
# posix_spawn, measured interleaved so that drift cancels in the ratios.
#
# Usage: bench/run.sh            (from anywhere; about 13 minutes on 2 vCPUs)
#   ROUNDS=4        rounds; each round runs every case of every implementation
#   BENCHTIME=0.5   seconds per case and implementation in each round
#   HEAPS=0,1GiB,4GiB  resident heap sizes (one benchmark process per heap)
#   PUBLISH=1       also copy the table, benchstat output and PNG to
#                   bench/results/ (the committed copies the README shows)
#
# What it does:
#  1. builds, into bench/out/: the static no-op program (noop.c, cc -static
#     -O2) that every implementation spawns, the C baseline
#     (posix_spawn_bench.c), the Go benchmark binary (go test -c ./forkexec),
#     benchstat and cmd/benchreport (this nested module, so the root module
#     keeps requiring only x/sys and x/tools);
#  2. for each round and each heap size, runs the Go benchmarks
#     (BenchmarkSpawnWait, BenchmarkSpawn: impl=forkexec, forkexec_pipe,
#     syscall, osexec) and the C baseline (impl=posix_spawn) back to back,
#     alternating which goes first (A B, B A, ...), appending both to
#     out/raw/round-N.txt;
#  3. runs the CLONE_NEWUSER prototype (userns_proto.c: clone(CLONE_VM) on
#     its own stack against fork-class clone) once per heap
#     (out/raw/userns_proto.txt), and BenchmarkSpawnAllocs and
#     BenchmarkSpawnParts once (out/raw/extra.txt);
#  4. benchstat -col /impl over all rounds -> out/benchstat.txt;
#     cmd/benchreport -> out/ratios.md (median of per-round paired ratios:
#     forkexec/posix_spawn and forkexec/syscall per case, heap flatness)
#     and out/latency.png (latency against heap size, one line per
#     implementation).
set -euo pipefail

bench=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$bench/.." && pwd)
out=$bench/out
ROUNDS=${ROUNDS:-4}
BENCHTIME=${BENCHTIME:-0.5}
HEAPS=${HEAPS:-0,1GiB,4GiB}
PUBLISH=${PUBLISH:-0}
cpu=$(nproc) # Go's -N suffix is GOMAXPROCS, nproc by default

CC=${CC:-cc} # the C compiler, as make reads it
command -v "${CC%% *}" >/dev/null || { echo "run.sh: needs a C compiler (\$CC, or cc from gcc) for the no-op program and the C baseline" >&2; exit 1; }
mkdir -p "$out"
rm -rf "$out/raw"
mkdir -p "$out/raw"

echo "== build" >&2
${CC:-cc} -static -O2 -o "$out/noop" "$bench/noop.c"
${CC:-cc} -O2 -Wall -pthread -o "$out/posix_spawn_bench" "$bench/posix_spawn_bench.c"
${CC:-cc} -O2 -Wall -o "$out/userns_proto" "$bench/userns_proto.c"
"$out/userns_proto" -check >/dev/null # the prototype's maps hold, or stop here
(cd "$root" && go test -c -o "$out/forkexec.test" ./forkexec)
(cd "$bench" && go build -o "$out/benchstat" golang.org/x/perf/cmd/benchstat &&
	go build -o "$out/benchreport" ./cmd/benchreport)

# The Go test binary's TestMain builds its probes relative to forkexec/.
gobench() { # heap benchregexp benchtime
	(cd "$root/forkexec" &&
		FORKEXEC_BENCH_HEAPS=$1 FORKEXEC_BENCH_HELPER=$out/noop \
			"$out/forkexec.test" -test.run '^$' -test.bench "$2" \
			-test.benchtime "$3" -test.benchmem)
}
cbench() { # heap
	"$out/posix_spawn_bench" -static "$out/noop" -heap "$1" -t "$BENCHTIME" -cpu "$cpu"
}

# The config lines (goos, goarch, pkg, cpu) Go prints, put at the top of
# every round file so that the C results, which print none, share them.
header=$(gobench 0 '^BenchmarkSpawnParts$/^part=forklock$' 1x | grep -E '^(goos|goarch|pkg|cpu):')

IFS=, read -ra heaps <<<"$HEAPS"
start=$SECONDS
for ((r = 1; r <= ROUNDS; r++)); do
	f=$out/raw/round-$r.txt
	echo "$header" >"$f"
	i=0
	for heap in "${heaps[@]}"; do
		echo "== round $r/$ROUNDS heap=$heap ($((SECONDS - start))s)" >&2
		if (((r + i) % 2)); then
			gobench "$heap" '^(BenchmarkSpawnWait|BenchmarkSpawn)$' "${BENCHTIME}s" | grep '^Benchmark' >>"$f"
			cbench "$heap" >>"$f"
		else
			cbench "$heap" >>"$f"
			gobench "$heap" '^(BenchmarkSpawnWait|BenchmarkSpawn)$' "${BENCHTIME}s" | grep '^Benchmark' >>"$f"
		fi
		i=$((i + 1))
	done
done

echo "== CLONE_NEWUSER prototype (userns_proto.c)" >&2
: >"$out/raw/userns_proto.txt"
for heap in "${heaps[@]}"; do
	"$out/userns_proto" -static "$out/noop" -heap "$heap" -t "$BENCHTIME" -cpu "$cpu" | tee -a "$out/raw/userns_proto.txt" >&2
done

echo "== allocations and parent-side parts" >&2
gobench 0 '^(BenchmarkSpawnAllocs|BenchmarkSpawnParts)$' 1s | tee "$out/raw/extra.txt" | grep '^Benchmark' >&2

echo "== summary ($((SECONDS - start))s)" >&2
"$out/benchstat" -col /impl "$out"/raw/round-*.txt >"$out/benchstat.txt"
rounds=()
for ((r = 1; r <= ROUNDS; r++)); do rounds+=("$out/raw/round-$r.txt"); done
"$out/benchreport" -md "$out/ratios.md" -png "$out/latency.png" -proto "$out/raw/userns_proto.txt" "${rounds[@]}"
{
	echo
	echo "Machine: $(nproc) vCPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), Linux $(uname -r), $(go version | cut -d' ' -f3), $(ldd --version | head -1)."
	echo "Command: ROUNDS=$ROUNDS BENCHTIME=$BENCHTIME HEAPS=$HEAPS bench/run.sh"
} | tee -a "$out/ratios.md"

if [ "$PUBLISH" = 1 ]; then
	mkdir -p "$bench/results"
	cp "$out/ratios.md" "$out/benchstat.txt" "$out/latency.png" "$bench/results/"
	cp "$out/raw/extra.txt" "$out/raw/userns_proto.txt" "$bench/results/"
	echo "published to bench/results/" >&2
fi
