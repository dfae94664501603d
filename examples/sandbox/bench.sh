#!/usr/bin/env bash
# Spawn+wait of the same sandboxed `busybox true` through this example and
# through Debian's bubblewrap (same namespaces, mounts, hostname, seccomp
# filter, capabilities dropped), and plainly, in interleaved rounds; prints
# each round, the medians, the ratios and the allocations per spawn.
# Run as root from the repository root:
#
#	bash examples/sandbox/bench.sh            # ROUNDS=8 N=100
#	ROUNDS=12 N=200 bash examples/sandbox/bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v bwrap >/dev/null || ! [ -x /usr/bin/busybox ]; then
	apt-get update -qq
	apt-get install -y bubblewrap busybox-static
fi
bin=$(mktemp -d)/sandbox
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./examples/sandbox
bwrap --version
"$bin" -compare -rounds "${ROUNDS:-8}" -n "${N:-100}" /usr/bin/busybox true
