"""Reference values for MulticlassTests: multiclass models and metrics from scikit-learn on a fixed table.

Run with the peer's environment: /tmp/peer/bin/python Tests/AssayLearnTests/Fixtures/multiclass_reference.py > Tests/AssayLearnTests/Fixtures/multiclass.json
"""
import json
import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, f1_score, log_loss, matthews_corrcoef, precision_score,
                             recall_score, roc_auc_score)
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.tree import DecisionTreeClassifier
from sklearn.svm import SVC

rng = np.random.RandomState(7)
n, p, k = 120, 4, 3
x = np.round(rng.normal(size=(n, p)), 3)
centres = np.array([[1, 0, 0, 0], [0, 1, -1, 0], [-1, -1, 1, 0.5]])
scores = x @ centres.T + rng.normal(scale=1.0, size=(n, k))
y = scores.argmax(axis=1)
train, test = np.arange(90), np.arange(90, n)
models = {
    "logistic_regression": LogisticRegression(C=0.5, tol=1e-10, max_iter=10000),
    "logistic_regression_balanced": LogisticRegression(C=2, class_weight="balanced", tol=1e-10, max_iter=10000),
    "naive_bayes": GaussianNB(),
    "knn": KNeighborsClassifier(n_neighbors=7),
    "knn_distance": KNeighborsClassifier(n_neighbors=7, weights="distance"),
    "dummy": DummyClassifier(strategy="prior"),
    "dummy_most_frequent": DummyClassifier(strategy="most_frequent"),
    "boosting_4": HistGradientBoostingClassifier(max_iter=30, min_samples_leaf=5, max_leaf_nodes=4, early_stopping=False, random_state=0),
    "boosting_balanced": HistGradientBoostingClassifier(max_iter=30, min_samples_leaf=5, max_leaf_nodes=4, class_weight="balanced",
                                                        early_stopping=False, random_state=0),
    "mlp": MLPClassifier(hidden_layer_sizes=(6,), learning_rate_init=0.01, max_iter=60, random_state=3),
    "mlp_early": MLPClassifier(hidden_layer_sizes=(6, 4), activation="tanh", early_stopping=True, max_iter=200, random_state=5),
    "tree_depth3": DecisionTreeClassifier(max_depth=3, random_state=0),
    "tree_entropy_leaf5": DecisionTreeClassifier(criterion="entropy", max_depth=3, min_samples_leaf=5, random_state=0),
    "tree_gini_leaf5": DecisionTreeClassifier(max_depth=3, min_samples_leaf=5, random_state=0),
    "tree_entropy": DecisionTreeClassifier(criterion="entropy", max_depth=3, random_state=0),
    "tree_balanced": DecisionTreeClassifier(max_depth=4, class_weight="balanced", random_state=0),
}
import warnings
warnings.filterwarnings("ignore")  # the MLPs stop at max_iter on purpose
out = {"x": x.tolist(), "y": y.tolist(), "train": train.tolist(), "test": test.tolist(), "classes": k, "models": {}}
for name, m in models.items():
    m.fit(x[train], y[train])
    out["models"][name] = m.predict_proba(x[test]).tolist()
# The one-vs-one machines' decision values (positive for the pair's first class), pairs in libsvm's order.
svc = SVC(C=2, decision_function_shape="ovo").fit(x[train], y[train])
out["svm_ovo_decision"] = svc.decision_function(x[test]).tolist()
svc_balanced = SVC(C=0.5, kernel="linear", class_weight="balanced", decision_function_shape="ovo").fit(x[train], y[train])
out["svm_ovo_decision_balanced"] = svc_balanced.decision_function(x[test]).tolist()
# Metrics of the logistic regression's test probabilities (predicted class: argmax).
proba = np.array(out["models"]["naive_bayes"])
pred = proba.argmax(axis=1)
yt = y[test]
out["metrics_of"] = "naive_bayes"
out["metrics"] = {
    "accuracy": accuracy_score(yt, pred), "balanced_accuracy": balanced_accuracy_score(yt, pred),
    "f1_macro": f1_score(yt, pred, average="macro"), "f1_weighted": f1_score(yt, pred, average="weighted"),
    "precision_macro": precision_score(yt, pred, average="macro", zero_division=0), "recall_macro": recall_score(yt, pred, average="macro"),
    "mcc": matthews_corrcoef(yt, pred), "log_loss": log_loss(yt, proba, labels=list(range(k))),
    "roc_auc_ovr": roc_auc_score(yt, proba, multi_class="ovr", average="macro"),
}
# A class never predicted: precision 0 for it (zero_division), and macro averages over the true and predicted classes.
never = np.array([[0.6, 0.3, 0.1]] * 5 + [[0.2, 0.7, 0.1]] * 5)
never_y = np.array([0, 0, 0, 1, 2, 1, 1, 1, 0, 2])
never_pred = never.argmax(axis=1)
out["never_predicted"] = {"y": never_y.tolist(), "p": never.tolist(), "metrics": {
    "precision_macro": precision_score(never_y, never_pred, average="macro", zero_division=0),
    "recall_macro": recall_score(never_y, never_pred, average="macro", zero_division=0),
    "f1_macro": f1_score(never_y, never_pred, average="macro", zero_division=0),
    "balanced_accuracy": balanced_accuracy_score(never_y, never_pred), "mcc": matthews_corrcoef(never_y, never_pred),
    "roc_auc_ovr": roc_auc_score(never_y, never, multi_class="ovr"), "log_loss": log_loss(never_y, never),
}}
print(json.dumps(out))
