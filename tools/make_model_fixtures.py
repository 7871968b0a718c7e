#!/usr/bin/env python3
"""Write Tests/AssayLearnTests/Fixtures/models.json: scikit-learn's probabilities for kNN and naive Bayes, and
SVC decision values (the part of an SVM's output that involves no randomness; Platt scaling uses random folds),
MLP probabilities with a fixed random_state (Assay draws the same numpy stream);
and knn_ties.json: KDTree's row order and k-d tree kNN probabilities on a table full of distance ties.

    /tmp/peer/bin/python tools/make_model_fixtures.py

Data: the logistic-regression fixture's 300 standardized rows (tools/make_lr_fixture.py, run it first);
each model is fitted on the first 200 rows and predicts the last 100.
"""
import json, os
import numpy as np
import warnings
from sklearn.exceptions import ConvergenceWarning
from sklearn.naive_bayes import GaussianNB
from sklearn.neural_network import MLPClassifier
from sklearn.neighbors import KDTree, KNeighborsClassifier
from sklearn.svm import SVC

warnings.simplefilter("ignore", ConvergenceWarning)
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
for params in [{"hidden_layer_sizes": [8], "max_iter": 30, "random_state": 3},
               {"hidden_layer_sizes": [6, 4], "activation": "tanh", "alpha": 0.01, "max_iter": 40, "early_stopping": True,
                "n_iter_no_change": 3, "random_state": 11},
               {"hidden_layer_sizes": [5], "activation": "logistic", "batch_size": 32, "max_iter": 15, "early_stopping": True,
                "validation_fraction": 0.25, "random_state": 0}]:
    m = MLPClassifier(**dict(params, hidden_layer_sizes=tuple(params["hidden_layer_sizes"]))).fit(Xtr, ytr)
    cases.append({"type": "mlp", "params": params, "proba": m.predict_proba(Xte)[:, 1].tolist(), "epochs": int(m.n_iter_)})
with open(os.path.join(here, "models.json"), "w") as f:
    json.dump({"train_rows": 200, "cases": cases}, f, indent=1)
    f.write("\n")
print(len(cases), "cases")

# Neighbours among exact ties: small integer values, so many training rows lie at the same distance and which of
# them scikit-learn's k-d tree returns depends on its build order (libstdc++'s nth_element) and its heap.
rng = np.random.RandomState(7)
Xt = rng.randint(0, 4, size=(760, 4)).astype(float)
yt = (rng.rand(760) < 0.3 + 0.1 * Xt[:, 0]).astype(int)
ties = {"X": Xt.tolist(), "y": yt.tolist(), "train_rows": 600, "trees": [], "cases": []}
for leaf in [30, 5]:
    ties["trees"].append({"leaf_size": leaf, "order": KDTree(Xt[:600], leaf_size=leaf).get_arrays()[1].tolist()})
for k in [1, 5, 25]:
    for w in ["uniform", "distance"]:
        for p in [1, 2]:
            for leaf in [30, 5]:
                m = KNeighborsClassifier(n_neighbors=k, weights=w, p=p, algorithm="kd_tree", leaf_size=leaf).fit(Xt[:600], yt[:600])
                ties["cases"].append({"params": {"n_neighbors": k, "weights": w, "p": p, "algorithm": "kd_tree", "leaf_size": leaf},
                                      "proba": m.predict_proba(Xt[600:])[:, 1].tolist()})
with open(os.path.join(here, "knn_ties.json"), "w") as f:
    json.dump(ties, f)
    f.write("\n")
print(len(ties["cases"]), "tie cases")
