"""Reference values for PartialDependenceTests, from scikit-learn's partial_dependence (brute) on a logistic regression.

Run with the peer's environment: /tmp/peer/bin/python Tests/AssayLearnTests/Fixtures/partial_dependence_reference.py
"""
import json
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.inspection import partial_dependence

rng = np.random.RandomState(5)
n = 300
X = np.column_stack([np.round(rng.gamma(2.0, 3.0, size=n), 3), np.round(rng.normal(size=n), 2), rng.randint(0, 6, size=n).astype(float)])
y = (X[:, 0] * 0.2 - X[:, 1] + 0.3 * X[:, 2] + rng.normal(size=n) > 1.5).astype(int)
lr = LogisticRegression().fit(X, y)
out = {"x": X.tolist(), "coefficients": lr.coef_[0].tolist(), "intercept": float(lr.intercept_[0]), "features": []}
for j in range(3):
    pd = partial_dependence(lr, X, [j], method="brute", kind="average")
    out["features"].append({"grid": pd["grid_values"][0].tolist(), "average": pd["average"][0].tolist()})
json.dump(out, open("partial_dependence.json", "w"))
