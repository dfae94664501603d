#!/usr/bin/env bash
# CI step for the fork/exec conformance suite (issue 3): runs every
# scenario natively and under qemu-user for every linux arch of
# internal/targets/targets.txt, and fails when forkexec differs from
# syscall.ForkExec where it must not.
# Run from the repository root, as root. Takes about 5 minutes on a cold
# Go build cache (cross-compiling 8 workers), under 2 minutes warm.
set -euo pipefail

cd "$(dirname "$0")/.."
source internal/targets/targets.sh

need=()
command -v qemu-aarch64-static >/dev/null 2>&1 || need+=(qemu-user-static)
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
if [ ${#need[@]} -gt 0 ]; then
	echo "conformance.sh: installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

start=$(date +%s)
status=0
# The linux arches of internal/targets/targets.txt, comma-separated.
arches=$(target_arches linux | paste -sd,)
timeout 35m go run ./conformance -arch "$arches" || status=$?
echo "conformance.sh: finished in $(( $(date +%s) - start ))s with status $status"
exit $status
