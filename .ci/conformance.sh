#!/usr/bin/env bash
# CI step for the fork/exec conformance suite: runs every scenario natively
# and under qemu-user for every linux arch of internal/targets/targets.txt
# (plus the FreeBSD column, not run here), fails when forkexec
# differs from syscall.ForkExec where it must not or when a column runs
# nothing, and checks that the HTML report renders (headless Chromium).
# Run from the repository root, as root. Measured on 2 shared cores: 170 s
# on an empty Go build cache (cross-compiling 8 workers, load about 3; 9
# minutes once under a load of 12-15), about 1 minute warm; plus the
# installs on a fresh machine (qemu-user about 15 s, chromium a minute or
# two).
set -euo pipefail

cd "$(dirname "$0")/.."
source internal/targets/targets.sh
export DEBIAN_FRONTEND=noninteractive

apt_updated=
apt_install() {
	if [ -z "$apt_updated" ]; then
		apt-get update -qq
		apt_updated=1
	fi
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# qemu-user 10.0 or later. Bookworm's 7.2 crashes every Go linux/386
# program at start-up; 10.0 is in bookworm-backports (package qemu-user,
# binaries without the -static suffix), and in trixie itself. The
# backports suite is added on the host the machine's own Debian sources
# use.
qemu_ok() {
	qemu-i386 --version 2>/dev/null | grep -Eq 'version ([1-9][0-9])\.'
}
if ! qemu_ok; then
	. /etc/os-release
	if [ "${VERSION_CODENAME:-}" = bookworm ]; then
		uri=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\/\{0,1\}\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 || true)
		if [ -z "$uri" ]; then
			uri=$(sed -n 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]\{1,\}\)\{0,1\}\([^[:space:]]*\/debian\/\{0,1\}\)[[:space:]]\{1,\}bookworm[[:space:]].*/\2/p' \
				/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -1 || true)
		fi
		if [ -z "$uri" ]; then
			echo "conformance.sh: no Debian archive in the apt sources to add bookworm-backports from" >&2
			exit 1
		fi
		echo "conformance.sh: adding bookworm-backports from $uri"
		echo "deb $uri bookworm-backports main" >/etc/apt/sources.list.d/backports.list
		apt_install -t bookworm-backports qemu-user
	else
		apt_install qemu-user
	fi
	qemu_ok || {
		echo "conformance.sh: qemu-user 10 or later did not install: $(qemu-i386 --version 2>&1 | head -1)" >&2
		exit 1
	}
fi
command -v cc >/dev/null 2>&1 || apt_install gcc libc6-dev
command -v chromium >/dev/null 2>&1 || apt_install chromium fonts-dejavu-core

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(date +%s)
status=0
# The linux arches of internal/targets/targets.txt, comma-separated.
arches=$(target_arches linux | paste -sd,)
timeout 20m go run ./conformance -arch "$arches,freebsd" -html "$out/report.html" || status=$?
echo "conformance.sh: table finished in $(($(date +%s) - start))s with status $status"
[ "$status" = 0 ] || exit "$status"

echo "conformance.sh: rendering the HTML report with headless Chromium"
bash conformance/screenshot.sh "$out/report.html" "$out/report.png"
