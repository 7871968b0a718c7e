#!/usr/bin/env bash
# Renders a run's report.html with headless Chromium (Debian's `chromium` package) and saves a PNG,
# to check that the page opens on its own and shows its figures.
#
#     tools/screenshot-report.sh [RUN-DIR] [OUT.png]     (defaults: runs/quickstart, /tmp/assay-report.png)
set -euo pipefail
run="${1:-runs/quickstart}"
out="${2:-/tmp/assay-report.png}"
command -v chromium >/dev/null || { echo "chromium is not installed (apt-get install chromium)" >&2; exit 2; }
page="$(cd "$run" && pwd)/report.html"
[ -f "$page" ] || { echo "no report.html in $run" >&2; exit 2; }
# A fresh profile, no network, a tall window so that the figures are in the shot.
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
  --window-size=1400,2600 --screenshot="$out" "file://$page" 2>/dev/null
[ -s "$out" ] || { echo "chromium wrote no screenshot" >&2; exit 1; }
echo "wrote $out"
