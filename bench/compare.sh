#!/usr/bin/env bash
# Assay vs the scikit-learn peer on ../shared/bench/bench.yaml at a given size: wall time, peak memory, ratio.
#
#     bench/compare.sh [ROWS]      (default 10000; PYTHON=... names the peer's python, default /tmp/peer/bin/python)
#     SPEC=bench/regression.yaml bench/compare.sh [ROWS]    (the regression workload on the same table)
#     SPEC=bench/multiclass.yaml bench/compare.sh [ROWS]    (the multiclass workload: five channels)
#
# Both run the same spec, unchanged but for data.path, on 2 cores (Assay --jobs 2 with a fresh cache,
# the peer --jobs 2).
set -euo pipefail
rows="${1:-10000}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$repo/../shared"
spec="$(cd "$repo" && realpath "${SPEC:-$shared/bench/bench.yaml}")"
python="${PYTHON:-/tmp/peer/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$python" "$shared/bench/make_purchase_data.py" "$rows" "$work/purchase.csv"
(cd "$repo" && swift build -c release --product assay >/dev/null)
/usr/bin/time -f "%e %M" -o "$work/assay.time" "$repo/.build/release/assay" run "$spec" \
  --set "data.path=$work/purchase.csv" --jobs 2 \
  --out "$work/runs" --cache-dir "$work/cache" --models-dir "$work/models" 2>/dev/null
/usr/bin/time -f "%e %M" -o "$work/peer.time" "$python" "$shared/peers/sklearn_peer.py" "$spec" \
  --set "data.path=$work/purchase.csv" --jobs 2 > "$work/peer.json"
"$python" - "$rows" "$work" <<'PY'
import json, sys
rows, work = int(sys.argv[1]), sys.argv[2]
a_s, a_kb = map(float, open(f"{work}/assay.time").read().split()[-2:])
p_s, p_kb = map(float, open(f"{work}/peer.time").read().split()[-2:])
import glob
document = json.load(open(glob.glob(f"{work}/runs/*/metrics.json")[0]))
ours, select = document["models"], document["select"]
peer = json.load(open(f"{work}/peer.json"))
theirs = peer["models"]
print(f"{document['experiment']} at {rows} rows:")
for m in ours:
    print(f"  {m:7s} CV {select}  assay {ours[m]['cv'][select]['mean']:.4f}  peer {theirs[m]['cv'][select]:.4f}"
          f"  (own folds each; peer {theirs[m]['seconds']:.2f} s)")
print(f"  wall: assay {a_s:.2f} s, peer {p_s:.2f} s, ratio {a_s / p_s:.2f}; peak memory: assay {a_kb / 1024:.0f} MiB, peer {p_kb / 1024:.0f} MiB")
PY
