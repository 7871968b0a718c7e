#!/usr/bin/env bash
# Baskets and segments against their Python references, side by side in one run (issue: FP-growth under a quarter of
# mlxtend's time, k-means for k = 2..8 under half of scikit-learn's):
#   1. the algorithms alone, on inputs prepared beforehand: Assay's FPGrowth + rules (assay-bench fpgrowth) against
#      mlxtend's fpgrowth; Assay's KMeans for k = 2..8, n_init 10, on one thread (assay-bench kmeans) against
#      scikit-learn's KMeans (its own threads); then the silhouettes of both;
#   2. the whole runs: assay run experiments/retail_baskets.yaml and retail_segments.yaml (reading the log, building
#      the baskets or the RFM table, mining or clustering, silhouettes, stability refits, the report) on a fresh cache,
#      against basket_peer.py's basket and rfm sections (their own wall_s, which leave out reading the CSV).
#
#     bench/segments_baskets.sh      (PYTHON=... names a python with pandas, mlxtend and scikit-learn; default /tmp/peer/bin/python)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$repo/../shared"
python="${PYTHON:-/tmp/peer/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
groceries="$shared/data/groceries_dataset.csv"

(cd "$repo" && swift build -c release --product assay >/dev/null && swift build -c release --product assay-bench >/dev/null)
assay="$repo/.build/release/assay"
"$assay" prepare "$repo/experiments/retail_segments.yaml" --output "$work/rfm.csv" 2>/dev/null
"$repo/.build/release/assay-bench" fpgrowth "$groceries" --basket Member_number,Date --item itemDescription --min-support 0.001 --repeat 10 > "$work/fp.txt"
"$repo/.build/release/assay-bench" kmeans "$work/rfm.csv" --columns recency,frequency,monetary --k 2..8 --n-init 10 --repeat 3 > "$work/km.txt"
"$python" "$repo/bench/segments_baskets_peer.py" "$groceries" "$work/rfm.csv" 5 > "$work/peer.json"

/usr/bin/time -f "%e" -o "$work/baskets.time" "$assay" run "$repo/experiments/retail_baskets.yaml" --out "$work/runs" --cache-dir "$work/cache" --models-dir "$work/m" 2>/dev/null
/usr/bin/time -f "%e" -o "$work/segments.time" "$assay" run "$repo/experiments/retail_segments.yaml" --out "$work/runs" --cache-dir "$work/cache" --models-dir "$work/m" 2>/dev/null
"$python" "$shared/peers/basket_peer.py" "$groceries" --preset groceries --sections basket > "$work/peer_basket.json"
OMP_NUM_THREADS=2 "$python" "$shared/peers/basket_peer.py" "$shared/data/cdnow_master.txt" --sep '\s+' --basket customer_id,date --item date \
  --customer customer_id --date date --date-format %Y%m%d --amount dollar_value --sections rfm > "$work/peer_rfm.json"

"$python" - "$work" <<'PY'
import json, re, sys
work = sys.argv[1]
fp = open(f"{work}/fp.txt").read(); km = open(f"{work}/km.txt").read()
peer = json.load(open(f"{work}/peer.json"))
fp_s = float(re.search(r"best ([0-9.]+) s", fp).group(1))
km_s = float(re.search(r"fits best ([0-9.]+) s", km).group(1)); sil_s = float(re.search(r"silhouettes ([0-9.]+) s", km).group(1))
print("algorithms alone (inputs prepared beforehand):")
print(f"  FP-growth + rules, groceries, min_support 0.001: assay {fp_s:.4f} s, mlxtend fpgrowth alone {peer['fpgrowth_s']:.4f} s, "
      f"ratio {fp_s / peer['fpgrowth_s']:.3f} ({peer['itemsets']} itemsets)")
print(f"  k-means k = 2..8, n_init 10, CDNOW RFM (23,502 rows): assay {km_s:.3f} s (one thread), scikit-learn {peer['kmeans_s']:.3f} s, "
      f"ratio {km_s / peer['kmeans_s']:.2f}")
print(f"  silhouettes of those seven clusterings: assay {sil_s:.2f} s (one thread), scikit-learn {peer['silhouette_s']:.2f} s, ratio {sil_s / peer['silhouette_s']:.2f}")
b = float(open(f"{work}/baskets.time").read().split()[-1]); s = float(open(f"{work}/segments.time").read().split()[-1])
pb = json.load(open(f"{work}/peer_basket.json"))["basket"]["wall_s"]; pr = json.load(open(f"{work}/peer_rfm.json"))["rfm"]["wall_s"]
print("whole runs (assay: read, build, mine or cluster, report; the peer's section wall_s, CSV reading left out):")
print(f"  retail_baskets: assay {b:.2f} s, basket_peer basket section {pb:.2f} s, ratio {b / pb:.2f}")
print(f"  retail_segments: assay {s:.2f} s (--jobs 2, with 5 stability refits), basket_peer rfm section {pr:.2f} s, ratio {s / pr:.2f}")
PY
