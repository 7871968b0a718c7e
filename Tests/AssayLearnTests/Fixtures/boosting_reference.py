"""Reference values for BoostingReferenceTests: histogram gradient boosting with many leaves on columns of more than 255
distinct values (scikit-learn's percentile bins), nodes of one class (where the gain is zero but for rounding), and an
absolute error on whole-number targets (rows the baseline median predicts exactly).

Run with the peer's environment: /tmp/peer/bin/python Tests/AssayLearnTests/Fixtures/boosting_reference.py > Tests/AssayLearnTests/Fixtures/boosting.json
"""
import json
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

rng = np.random.RandomState(4)
n, p, train = 700, 4, 600
x = np.column_stack([rng.normal(size=n), np.round(rng.normal(size=n), 1), rng.exponential(size=n), rng.randint(0, 2, size=n)])
score = x[:, 0] - 0.8 * x[:, 1] + 0.5 * np.log1p(x[:, 2]) + 0.7 * x[:, 3]
binary = (score + rng.normal(scale=0.3, size=n) > 0.4).astype(int)
classes = np.digitize(score + rng.normal(scale=0.3, size=n), [-0.5, 0.8])
values = np.exp(0.3 * score + 0.2 * rng.normal(size=n)) * 10
common = dict(max_iter=30, max_leaf_nodes=31, min_samples_leaf=20, early_stopping=False)
out = {"x": x.ravel().tolist(), "rows": n, "cols": p, "train": train, "binary": binary.tolist(), "classes": classes.tolist(),
       "values": values.tolist(), "distinct": [len(set(x[:train, j])) for j in range(p)]}
tr, te = slice(0, train), slice(train, n)
out["binary_31"] = HistGradientBoostingClassifier(**common).fit(x[tr], binary[tr]).predict_proba(x[te])[:, 1].tolist()
out["binary_balanced_31"] = HistGradientBoostingClassifier(class_weight="balanced", **common).fit(x[tr], binary[tr]).predict_proba(x[te])[:, 1].tolist()
out["multiclass_31"] = HistGradientBoostingClassifier(**common).fit(x[tr], classes[tr]).predict_proba(x[te]).ravel().tolist()
out["regression_31"] = HistGradientBoostingRegressor(**common).fit(x[tr], values[tr]).predict(x[te]).tolist()
out["absolute_31"] = HistGradientBoostingRegressor(loss="absolute_error", **common).fit(x[tr], np.round(values[tr])).predict(x[te]).tolist()
out["poisson_31"] = HistGradientBoostingRegressor(loss="poisson", **common).fit(x[tr], values[tr]).predict(x[te]).tolist()
print(json.dumps(out))
