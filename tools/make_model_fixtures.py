#!/usr/bin/env python3
"""Write Tests/AssayLearnTests/Fixtures/models.json: scikit-learn's probabilities for kNN and naive Bayes, and
SVC decision values (the part of an SVM's output that involves no randomness; Platt scaling uses random folds).

    /tmp/peer/bin/python tools/make_model_fixtures.py

Data: the logistic-regression fixture's 300 standardized rows (tools/make_lr_fixture.py, run it first);
each model is fitted on the first 200 rows and predicts the last 100.
"""
import json, os
import numpy as np
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

here = os.path.join(os.path.dirname(__file__), "..", "Tests", "AssayLearnTests", "Fixtures")
with open(os.path.join(here, "logistic_regression.json")) as f:
    base = json.load(f)
X, y = np.array(base["X"]), np.array(base["y"])
Xtr, ytr, Xte = X[:200], y[:200], X[200:]
cases = []
for k in [1, 5, 15]:
    for w in ["uniform", "distance"]:
        for p in [1, 2]:
            m = KNeighborsClassifier(n_neighbors=k, weights=w, p=p, algorithm="brute").fit(Xtr, ytr)
            cases.append({"type": "knn", "params": {"n_neighbors": k, "weights": w, "p": p},
                          "proba": m.predict_proba(Xte)[:, 1].tolist()})
for vs in [1e-9, 0.1]:
    m = GaussianNB(var_smoothing=vs).fit(Xtr, ytr)
    cases.append({"type": "naive_bayes", "params": {"var_smoothing": vs}, "proba": m.predict_proba(Xte)[:, 1].tolist()})
for params in [{"kernel": "rbf", "C": 1.0, "gamma": "scale"}, {"kernel": "rbf", "C": 10.0, "gamma": 0.05},
               {"kernel": "linear", "C": 0.1}, {"kernel": "poly", "C": 1.0, "degree": 2, "gamma": "auto", "coef0": 1.0},
               {"kernel": "sigmoid", "C": 0.5, "gamma": 0.01, "coef0": 0.5},
               {"kernel": "rbf", "C": 2.0, "class_weight": "balanced"}]:
    m = SVC(tol=1e-7, **params).fit(Xtr, ytr)
    cases.append({"type": "svm", "params": dict(params, tol=1e-7), "decision": m.decision_function(Xte).tolist()})
with open(os.path.join(here, "models.json"), "w") as f:
    json.dump({"train_rows": 200, "cases": cases}, f, indent=1)
    f.write("\n")
print(len(cases), "cases")
