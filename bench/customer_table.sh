#!/usr/bin/env bash
# Building a customer table from a purchase log: Assay (assay prepare on bench/customer_table.yaml) against pandas
# (bench/customer_table_pandas.py, the same aggregations) on a synthetic log of EVENTS rows: wall time, peak memory,
# ratio, and a cell-by-cell check that the two tables agree.
#
#     bench/customer_table.sh [EVENTS]      (default 10000000; PYTHON=... names a python with pandas, default /tmp/peer/bin/python)
set -euo pipefail
events="${1:-10000000}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-/tmp/peer/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$python" "$repo/bench/make_event_log.py" "$events" "$work/log.csv"
(cd "$repo" && swift build -c release --product assay >/dev/null)
/usr/bin/time -f "%e %M" -o "$work/assay.time" "$repo/.build/release/assay" prepare "$repo/bench/customer_table.yaml" \
  --set "data.events.path=$work/log.csv" --output "$work/assay.csv" > /dev/null
/usr/bin/time -f "%e %M" -o "$work/pandas.time" "$python" "$repo/bench/customer_table_pandas.py" "$work/log.csv" "$work/pandas.csv" > /dev/null
"$python" - "$events" "$work" <<'PY'
import sys
import numpy as np, pandas as pd
events, work = int(sys.argv[1]), sys.argv[2]
a_s, a_kb = map(float, open(f"{work}/assay.time").read().split()[-2:])
p_s, p_kb = map(float, open(f"{work}/pandas.time").read().split()[-2:])
a = pd.read_csv(f"{work}/assay.csv", dtype={"customer": str})
p = pd.read_csv(f"{work}/pandas.csv", dtype={"customer": str})
assert list(a["customer"]) == list(p["customer"]), "the tables list different customers"
worst = max(float(np.abs(a[c] - p[c]).max()) for c in a.columns[2:])
size = __import__("os").path.getsize(f"{work}/log.csv")
print(f"customer table from {events} events ({size / 2**20:.0f} MiB), {len(a)} customers; largest cell difference {worst:.2g}")
print(f"  wall: assay {a_s:.2f} s, pandas {p_s:.2f} s, ratio {a_s / p_s:.2f}; peak memory: assay {a_kb / 1024:.0f} MiB, pandas {p_kb / 1024:.0f} MiB")
PY
