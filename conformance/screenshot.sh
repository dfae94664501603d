#!/usr/bin/env bash
# Renders the conformance HTML report with headless Chromium (Debian's
# chromium package) and checks the picture shows the report.
#
#   bash conformance/screenshot.sh report.html report.png [WIDTHxHEIGHT]
#
# Run from the repository root. Exits non-zero when Chromium fails or the
# screenshot does not show the grid (conformance/internal/pngcheck). The
# default size holds the whole page of an -arch all report of 170
# scenarios (grid and details), as in README's conformance/report.png.
set -euo pipefail
html=$(realpath "$1")
png=$2
size=${3:-1100x4520}
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
	echo "screenshot.sh: no chromium (apt-get install chromium)" >&2
	exit 1
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
rm -f "$png"
# A fresh profile and no background traffic: nothing but the file loads.
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
	--no-first-run --disable-background-networking --disable-component-update \
	--disable-sync --user-data-dir="$profile" --hide-scrollbars \
	--window-size="${size/x/,}" --screenshot="$(realpath -m "$png")" \
	"file://$html" >"$profile/chromium.log" 2>&1 || {
	echo "screenshot.sh: chromium failed:" >&2
	tail -5 "$profile/chromium.log" >&2
	exit 1
}
go run ./conformance/internal/pngcheck "$png"
