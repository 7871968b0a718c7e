#!/usr/bin/env python3
"""Write Tests/AssayLearnTests/Fixtures/logistic_regression.json: scikit-learn's coefficients on fixed data.

    /tmp/peer/bin/python tools/make_lr_fixture.py

Data: 300 rows, 6 standardized features (numpy seed 7), labels from a noisy linear rule.
For each C and class_weight, LogisticRegression(lbfgs, tol=1e-12, max_iter=100000) is fitted,
so its coefficients are the optimum to far better than the 1e-4 the test asks.
"""
import json, os
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

rng = np.random.default_rng(7)
n, p = 300, 6
X = rng.normal(size=(n, p)) * np.array([1, 3, 0.5, 10, 2, 1]) + np.array([0, 5, -1, 50, 0, 2])
w = np.array([1.0, -0.4, 2.0, 0.05, 0.0, -1.2])
y = (X @ w - 1.0 + rng.logistic(size=n) > np.median(X @ w)).astype(int)
X = StandardScaler().fit_transform(X)
cases = []
for C in [0.05, 1.0, 20.0]:
    for cw in [None, "balanced"]:
        m = LogisticRegression(C=C, class_weight=cw, tol=1e-12, max_iter=100000).fit(X, y)
        cases.append({"C": C, "class_weight": cw, "penalty": "l2", "coef": m.coef_[0].tolist(), "intercept": float(m.intercept_[0]),
                      "proba_first5": m.predict_proba(X[:5])[:, 1].tolist()})
# L1, elastic net (SAGA, as the peer runs them) and no penalty, solved tightly.
for penalty, C, ratio, cw in [("l1", 0.05, 1.0, None), ("l1", 1.0, 1.0, "balanced"), ("elasticnet", 0.2, 0.3, None), ("none", None, None, None)]:
    if penalty == "none":
        m = LogisticRegression(C=np.inf, tol=1e-12, max_iter=100000).fit(X, y)
    else:
        m = LogisticRegression(C=C, l1_ratio=ratio, solver="saga", class_weight=cw, tol=1e-12, max_iter=1000000).fit(X, y)
    cases.append({"C": C, "class_weight": cw, "penalty": penalty, "l1_ratio": ratio, "coef": m.coef_[0].tolist(),
                  "intercept": float(m.intercept_[0]), "proba_first5": m.predict_proba(X[:5])[:, 1].tolist()})
out = {"sklearn": sklearn.__version__, "X": X.tolist(), "y": y.tolist(), "cases": cases}
path = os.path.join(os.path.dirname(__file__), "..", "Tests", "AssayLearnTests", "Fixtures", "logistic_regression.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(path, "positives", int(y.sum()))
