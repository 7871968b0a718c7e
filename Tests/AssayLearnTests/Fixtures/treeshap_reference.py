"""Reference values for TreeSHAPTests, from the shap package's TreeExplainer on scikit-learn trees (and its
LinearExplainer on a logistic regression).

Each fitted tree is exported as arrays (children, split feature, threshold, positive-class probability or value, and
weighted_n_node_samples, the covers); Assay rebuilds the same trees from them and must give the same SHAP values.

Run with the peer's environment: /tmp/peer/bin/python Tests/AssayLearnTests/Fixtures/treeshap_reference.py
"""
import json
import numpy as np
import shap
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.ensemble import RandomForestClassifier

rng = np.random.RandomState(11)
n, p = 400, 5
X = np.round(rng.normal(size=(n, p)), 2)
X[:, 3] = np.round(X[:, 3])                      # a column of few values: many rows on one side of a split
y = ((X[:, 0] + X[:, 1] * X[:, 2] + 0.5 * X[:, 3] + rng.normal(scale=0.7, size=n)) > 0).astype(int)
yr = X[:, 0] * 2 + np.abs(X[:, 1]) + X[:, 3] * X[:, 4] + rng.normal(scale=0.3, size=n)
rows = X[:25]

def export(t, classifier):
    t = t.tree_
    value = t.value[:, 0, 1] / t.value[:, 0, :].sum(axis=1) if classifier else t.value[:, 0, 0]
    return {"left": t.children_left.tolist(), "right": t.children_right.tolist(), "feature": t.feature.tolist(),
            "threshold": t.threshold.tolist(), "value": value.tolist(), "cover": t.weighted_n_node_samples.tolist()}

out = {"rows": rows.tolist(), "models": []}
for name, model, classifier in [
        ("tree", DecisionTreeClassifier(max_depth=6, random_state=0).fit(X, y), True),
        ("regression_tree", DecisionTreeRegressor(max_depth=7, min_samples_leaf=3, random_state=0).fit(X, yr), False),
        ("forest", RandomForestClassifier(n_estimators=6, max_depth=5, random_state=0).fit(X, y), True)]:
    e = shap.TreeExplainer(model)
    sv = e.shap_values(rows, check_additivity=True)
    sv = np.asarray(sv)
    if classifier:
        sv = sv[..., 1] if sv.ndim == 3 and sv.shape[-1] == 2 else sv[1]
        expected = float(np.atleast_1d(e.expected_value)[1])
        output = model.predict_proba(rows)[:, 1]
    else:
        expected = float(np.atleast_1d(e.expected_value)[0])
        output = model.predict(rows)
    trees = [export(t, classifier) for t in (model.estimators_ if hasattr(model, "estimators_") else [model])]
    out["models"].append({"name": name, "trees": trees, "expected": expected, "shap": sv.tolist(), "output": output.tolist()})
# A logistic regression, explained by LinearExplainer with the training rows as the background (log-odds).
from sklearn.linear_model import LogisticRegression
lr = LogisticRegression().fit(X, y)
e = shap.LinearExplainer(lr, shap.maskers.Independent(X, max_samples=len(X)))  # every training row as the background (shap samples 100 by default)
out["linear"] = {"coefficients": lr.coef_[0].tolist(), "intercept": float(lr.intercept_[0]), "background": X.tolist(),
                 "expected": float(np.atleast_1d(e.expected_value)[0]), "shap": np.asarray(e.shap_values(rows)).tolist()}
json.dump(out, open("treeshap.json", "w"))
print("shap", shap.__version__)
