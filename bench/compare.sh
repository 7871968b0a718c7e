#!/usr/bin/env bash
# Assay vs the scikit-learn peer on ../shared/bench/bench.yaml at a given size: wall time, peak memory, ratio.
#
#     bench/compare.sh [ROWS]      (default 10000; PYTHON=... names the peer's python, default /tmp/peer/bin/python)
#
# Both run the same spec, unchanged but for data.path, on 2 cores (Assay --jobs 2 with a fresh cache,
# the peer --jobs 2).
set -euo pipefail
rows="${1:-10000}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$repo/../shared"
python="${PYTHON:-/tmp/peer/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$python" "$shared/bench/make_purchase_data.py" "$rows" "$work/purchase.csv"
(cd "$repo" && swift build -c release --product assay >/dev/null)
/usr/bin/time -f "%e %M" -o "$work/assay.time" "$repo/.build/release/assay" run "$shared/bench/bench.yaml" \
  --set "data.path=$work/purchase.csv" --jobs 2 \
  --out "$work/runs" --cache-dir "$work/cache" --models-dir "$work/models" 2>/dev/null
/usr/bin/time -f "%e %M" -o "$work/peer.time" "$python" "$shared/peers/sklearn_peer.py" "$shared/bench/bench.yaml" \
  --set "data.path=$work/purchase.csv" --jobs 2 > "$work/peer.json"
"$python" - "$rows" "$work" <<'PY'
import json, sys
rows, work = int(sys.argv[1]), sys.argv[2]
a_s, a_kb = map(float, open(f"{work}/assay.time").read().split()[-2:])
p_s, p_kb = map(float, open(f"{work}/peer.time").read().split()[-2:])
ours = json.load(open(f"{work}/runs/bench/metrics.json"))["models"]
theirs = json.load(open(f"{work}/peer.json"))["models"]
print(f"bench.yaml at {rows} rows:")
for m in ours:
    print(f"  {m:7s} CV roc_auc  assay {ours[m]['cv']['roc_auc']['mean']:.4f}  peer {theirs[m]['cv']['roc_auc']:.4f}"
          f"  (own folds each)")
print(f"  wall: assay {a_s:.2f} s, peer {p_s:.2f} s, ratio {a_s / p_s:.2f}; peak memory: assay {a_kb / 1024:.0f} MiB, peer {p_kb / 1024:.0f} MiB")
PY
