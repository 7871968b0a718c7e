#!/usr/bin/env bash
# Assay's matrix product against numpy's (OpenBLAS), both single-threaded, on the same N × N × N shape: GFLOP/s.
#
#     bench/gemm.sh [N]      (default 512; PYTHON=... names a python with numpy, default /tmp/peer/bin/python)
set -euo pipefail
n="${1:-512}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-/tmp/peer/bin/python}"
(cd "$repo" && swift build -c release --product assay-bench >/dev/null)
assay="$("$repo/.build/release/assay-bench" gemm --size "$n" --repeat 10)"
numpy="$(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 "$python" - "$n" <<'PY'
import sys, time
import numpy as np
n = int(sys.argv[1])
rng = np.random.default_rng(1)
a, b = rng.uniform(-1, 1, (n, n)), rng.uniform(-1, 1, (n, n))
times = []
for _ in range(10):
    t = time.perf_counter(); a @ b; times.append(time.perf_counter() - t)
times.sort()
flops = 2.0 * n ** 3
cfg = np.show_config(mode="dicts") if "mode" in np.show_config.__code__.co_varnames else {}
blas = cfg.get("Build Dependencies", {}).get("blas", {}).get("name", "blas") if cfg else "blas"
print(f"numpy {np.__version__} ({blas}), 1 thread: best {flops / times[0] / 1e9:.2f} GFLOP/s, median {flops / times[len(times) // 2] / 1e9:.2f} GFLOP/s")
PY
)"
echo "assay-bench $assay"
echo "$numpy"
a="$(sed -E 's/.*best ([0-9.]+) GFLOP.*/\1/' <<<"$assay")"
b="$(sed -E 's/.*best ([0-9.]+) GFLOP.*/\1/' <<<"$numpy")"
"$python" -c "import sys; print('Assay / numpy (best): %.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$a" "$b"
