#!/usr/bin/env bash
# Scoring throughput of `assay predict` with the best model of ../shared/bench/bench.yaml.
#
#     bench/predict.sh [ROWS]        (default 100000; PYTHON=... names a python with numpy)
#
# Generates the bench table at ROWS rows, runs the bench spec, then scores all ROWS rows with the
# saved pipeline of its best model and prints rows per second and peak memory. The scoring time
# includes reading the CSV and writing the ranked list.
set -euo pipefail
rows="${1:-100000}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$repo/../shared"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$python" "$shared/bench/make_purchase_data.py" "$rows" "$work/purchase.csv"
(cd "$repo" && swift build -c release --product assay >/dev/null)
assay="$repo/.build/release/assay"
"$assay" run "$shared/bench/bench.yaml" --set "data.path=$work/purchase.csv" \
  --out "$work/runs" --cache-dir "$work/cache" --models-dir "$work/models" --save-best-only 2>/dev/null
model="$(ls "$work"/models/bench/*.assaymodel)"
start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$work/mem" "$assay" predict --model "$model" --input "$work/purchase.csv" --output "$work/scored.csv" 2>/dev/null
end=$(date +%s.%N)
"$python" - "$rows" "$start" "$end" "$(cat "$work/mem")" "$(basename "$model" .assaymodel)" <<'PY'
import sys
rows, start, end, mem_kb, model = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
s = end - start
print(f"assay predict, best model '{model}' of bench.yaml, {rows} rows: {s:.3f} s, {rows / s:,.0f} rows/s, peak memory {mem_kb / 1024:.0f} MiB")
PY
