"""Reference values for ClusteringTests (k-means from given initial centres, cluster scores), from scikit-learn.

Run with the peer's environment: /tmp/peer/bin/python Tests/AssayLearnTests/Fixtures/kmeans_reference.py
"""
import json
import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score, calinski_harabasz_score, davies_bouldin_score, adjusted_rand_score

rng = np.random.RandomState(7)
# Four overlapping blobs in three columns, rounded (ties, as real tables have).
centres = np.array([[0, 0, 0], [2, 1, 0], [0, 2.5, 1], [3, 3, 3]])
X = np.round(np.vstack([c + rng.normal(scale=0.9, size=(75, 3)) for c in centres]), 2)
out = {"x": X.tolist(), "cases": []}
for k, seed in [(2, 1), (4, 2), (6, 3)]:
    init = X[np.random.RandomState(seed).choice(len(X), k, replace=False)]
    for max_iter in (300, 2):
        km = KMeans(n_clusters=k, init=init, n_init=1, max_iter=max_iter, tol=1e-4, algorithm="lloyd").fit(X)
        out["cases"].append({"k": k, "init": init.tolist(), "max_iter": max_iter, "labels": km.labels_.tolist(),
                             "inertia": float(km.inertia_), "n_iter": int(km.n_iter_), "centers": km.cluster_centers_.tolist(),
                             "silhouette": float(silhouette_score(X, km.labels_)),
                             "calinski_harabasz": float(calinski_harabasz_score(X, km.labels_)),
                             "davies_bouldin": float(davies_bouldin_score(X, km.labels_))})
truth = np.repeat(np.arange(4), 75)
out["ari"] = {"labels": out["cases"][2]["labels"], "truth": truth.tolist(), "value": float(adjusted_rand_score(truth, out["cases"][2]["labels"]))}
# Best-of-10 with scikit-learn's own seeding: Assay's seeding differs, its best inertia should be within 1%.
out["best_of_10"] = {str(k): float(KMeans(n_clusters=k, n_init=10, random_state=0).fit(X).inertia_) for k in (2, 3, 4, 5, 6)}
json.dump(out, open("kmeans.json", "w"))
