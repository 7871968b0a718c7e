#!/usr/bin/env bash
# k-NN fit + predict_proba on the student table (one-hot + standardized, as experiments/student_purchase.yaml
# prepares it: 178 columns), Assay against scikit-learn's KNeighborsClassifier on the same rows and split.
#
#     bench/knn.sh [NEIGHBORS] [WEIGHTS]   (default 25 uniform; PYTHON=... names the peer's python, default /tmp/peer/bin/python)
#
# Each runs once on one thread (scikit-learn's OpenBLAS and its own threads limited to 1) and once on two (Assay's
# second thread lent as a run's idle worker is; scikit-learn's n_jobs=2, OpenBLAS free).
set -euo pipefail
k="${1:-25}"; weights="${2:-uniform}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-/tmp/peer/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$repo" && swift build -c release --product assay-bench >/dev/null)
peer() {
  "$python" - "$repo/../shared/data/student_purchase.csv" "$work/knn.csv" "$k" "$weights" "$1" <<'PY'
import sys, time
import numpy as np, pandas as pd
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
src, out, k, weights, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
df = pd.read_csv(src, keep_default_na=False, na_values=[""]).drop(columns=["days_on_platform"])
y = df.pop("purchased").astype(int).to_numpy()
num = df.select_dtypes("number").columns
df[num] = df[num].fillna(df[num].median())
x = pd.get_dummies(df, dtype=float)
keep = list(x.columns)
x = StandardScaler().fit_transform(x[keep].to_numpy())
order = np.random.default_rng(42).permutation(len(y))
x, y = x[order], y[order]
train = int(len(y) * 0.8)
if jobs == 1:
    np.savetxt(out, np.column_stack([x, y]), delimiter=",", fmt="%.17g",
               header=",".join([f"c{i}" for i in range(x.shape[1])] + ["label"]), comments="")
times = []
for _ in range(3):
    t = time.perf_counter()
    p = KNeighborsClassifier(n_neighbors=k, weights=weights, n_jobs=jobs).fit(x[:train], y[:train]).predict_proba(x[train:])[:, 1]
    times.append(time.perf_counter() - t)
times.sort()
print(f"scikit-learn ({jobs} thread{'s' if jobs > 1 else ''}): {train} train x {len(y) - train} query rows, {x.shape[1]} columns, k {k}, {weights}: fit + predict best {times[0]:.3f} s, median {times[1]:.3f} s; mean probability {p.mean():.6f}")
PY
}
one="$(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 peer 1)"
two="$(peer 2)"
train="$(sed -E 's/.*: ([0-9]+) train.*/\1/' <<<"$one")"
assay1="$("$repo/.build/release/assay-bench" knn "$work/knn.csv" --train-rows "$train" --neighbors "$k" --weights "$weights")"
assay2="$("$repo/.build/release/assay-bench" knn "$work/knn.csv" --train-rows "$train" --neighbors "$k" --weights "$weights" --threads 2)"
echo "assay-bench $assay1"; echo "assay-bench $assay2"; echo "$one"; echo "$two"
best() { sed -E 's/.*best ([0-9.]+) s.*/\1/' <<<"$1"; }
"$python" -c "import sys; a1, a2, o, t = map(float, sys.argv[1:]); print(f'Assay / scikit-learn (best): {a1 / o:.2f} on one thread each, {a2 / t:.2f} on two each ({a1 / t:.2f}: Assay on one, scikit-learn on two)')" \
  "$(best "$assay1")" "$(best "$assay2")" "$(best "$one")" "$(best "$two")"
