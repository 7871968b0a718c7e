#!/usr/bin/env python3
"""The Python side of bench/segments_baskets.sh: mlxtend's FP-growth on the groceries baskets and scikit-learn's
KMeans (k = 2..8, n_init=10, k-means++, lloyd) with silhouette_score on the CDNOW RFM table, each timed alone on
inputs prepared beforehand (best of REPEAT). Prints one JSON object.

    segments_baskets_peer.py GROCERIES.csv RFM.csv [REPEAT]
"""
import json, sys, time
import numpy as np, pandas as pd
from mlxtend.frequent_patterns import fpgrowth
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

groceries, rfm = sys.argv[1], sys.argv[2]
repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 5

def best(f, n):
    times, out = [], None
    for _ in range(n):
        t = time.perf_counter(); out = f(); times.append(time.perf_counter() - t)
    return min(times), out

# Baskets: one member on one day, items as written, one-hot as the peer builds it.
g = pd.read_csv(groceries, dtype=str, keep_default_na=False)
pairs = g.assign(basket=g["Member_number"] + "\x1f" + g["Date"])[["basket", "itemDescription"]].drop_duplicates()
onehot = pd.crosstab(pairs["basket"], pairs["itemDescription"]).astype(bool)
fp_s, itemsets = best(lambda: fpgrowth(onehot, min_support=0.001, use_colnames=True), repeat)

# RFM: log1p then standardized (population std), as the peer's rfm section.
d = pd.read_csv(rfm)
X = np.log1p(d[["recency", "frequency", "monetary"]].to_numpy(float))
X = (X - X.mean(0)) / X.std(0)
def fits():
    return [KMeans(n_clusters=k, n_init=10, random_state=42).fit(X) for k in range(2, 9)]
km_s, models = best(fits, max(1, repeat // 2))
t = time.perf_counter()
silhouettes = [float(silhouette_score(X, m.labels_)) for m in models]
sil_s = time.perf_counter() - t
print(json.dumps({"fpgrowth_s": fp_s, "itemsets": int(len(itemsets)), "baskets": int(len(onehot)),
                  "kmeans_s": km_s, "inertia": [float(m.inertia_) for m in models], "silhouette_s": sil_s, "silhouette": silhouettes}))
