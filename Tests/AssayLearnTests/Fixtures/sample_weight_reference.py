"""Reference values for SampleWeightTests: models fitted with sample_weight, and weighted metrics, from scikit-learn on
fixed tables (some weights 0, the rest between 0.5 and 4).

Run with the peer's environment: /tmp/peer/bin/python Tests/AssayLearnTests/Fixtures/sample_weight_reference.py > Tests/AssayLearnTests/Fixtures/sample_weights.json
"""
import json
import numpy as np
from sklearn.calibration import _sigmoid_calibration
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import (accuracy_score, average_precision_score, balanced_accuracy_score, brier_score_loss, explained_variance_score,
                             f1_score, log_loss, matthews_corrcoef, mean_absolute_error, mean_absolute_percentage_error,
                             mean_poisson_deviance, mean_squared_error, median_absolute_error, precision_score, r2_score, recall_score,
                             roc_auc_score)
from sklearn.isotonic import IsotonicRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

rng = np.random.RandomState(11)
n, p = 120, 4
x = np.round(rng.normal(size=(n, p)), 2)
w = rng.choice([0, 0.5, 1, 1, 2, 4], size=n)
train, test = np.arange(90), np.arange(90, n)
binary = (x @ [1.0, -0.7, 0.4, 0] + rng.normal(scale=1.0, size=n) > 0.3).astype(int)
scores = x @ np.array([[1, 0, 0, 0], [0, 1, -1, 0], [-1, -1, 1, 0.5]]).T + rng.normal(scale=1.0, size=(n, 3))
classes = scores.argmax(axis=1)
values = np.round(np.exp(0.4 * x[:, 0] - 0.3 * x[:, 1] + 0.2 * rng.normal(size=n)) * 3, 3)

hgb = dict(max_iter=25, min_samples_leaf=5, max_leaf_nodes=4, early_stopping=False, random_state=0)
binary_models = {
    "logistic_regression": LogisticRegression(C=0.5, tol=1e-10, max_iter=10000),
    "logistic_regression_balanced": LogisticRegression(C=2, class_weight="balanced", tol=1e-10, max_iter=10000),
    "naive_bayes": GaussianNB(),
    "dummy": DummyClassifier(strategy="prior"),
    "decision_tree": DecisionTreeClassifier(max_depth=3, min_samples_leaf=3, random_state=0),
    "gradient_boosting": HistGradientBoostingClassifier(**hgb),
    "gradient_boosting_balanced": HistGradientBoostingClassifier(class_weight="balanced", **hgb),
    "mlp": MLPClassifier(hidden_layer_sizes=(6,), learning_rate_init=0.01, max_iter=60, random_state=3),
}
# The same classifiers on three classes (class-weighted boosting is binary only here).
multiclass_models = {name: model for name, model in binary_models.items() if name != "gradient_boosting_balanced"}
regression_models = {
    "linear_regression": LinearRegression(),
    "ridge": Ridge(alpha=2),
    "lasso": Lasso(alpha=0.05, tol=1e-10, max_iter=100000),
    "elastic_net": ElasticNet(alpha=0.1, l1_ratio=0.3, tol=1e-10, max_iter=100000),
    "dummy_mean": DummyRegressor(strategy="mean"),
    "dummy_median": DummyRegressor(strategy="median"),
    "decision_tree": DecisionTreeRegressor(max_depth=3, min_samples_leaf=3, random_state=0),
    "gradient_boosting": HistGradientBoostingRegressor(**hgb),
    "gradient_boosting_absolute": HistGradientBoostingRegressor(loss="absolute_error", **hgb),
    "gradient_boosting_poisson": HistGradientBoostingRegressor(loss="poisson", **hgb),
    "svm": SVR(C=2, epsilon=0.2),
    "mlp": MLPRegressor(hidden_layer_sizes=(6,), learning_rate_init=0.01, max_iter=60, random_state=3),
}


def fitted(model, y):
    return model.fit(x[train], y[train], sample_weight=w[train])


out = {"x": x.ravel().tolist(), "rows": n, "cols": p, "weights": w.tolist(), "train": len(train),
       "binary": binary.tolist(), "classes": classes.tolist(), "values": values.tolist(), "binary_predictions": {},
       "multiclass_predictions": {}, "regression_predictions": {}}
for name, model in binary_models.items():
    out["binary_predictions"][name] = fitted(model, binary).predict_proba(x[test])[:, 1].tolist()
out["binary_predictions"]["svm_decision"] = fitted(SVC(C=2), binary).decision_function(x[test]).tolist()
for name, model in multiclass_models.items():
    out["multiclass_predictions"][name] = fitted(model, classes).predict_proba(x[test]).ravel().tolist()
for name, model in regression_models.items():
    out["regression_predictions"][name] = fitted(model, values).predict(x[test]).tolist()

# Weighted metrics of one model's test predictions, each task.
wt = w[test]
pb = np.array(out["binary_predictions"]["logistic_regression"])
yb = binary[test]
hard = (pb > 0.5).astype(int)
out["binary_metrics"] = {
    "roc_auc": roc_auc_score(yb, pb, sample_weight=wt), "pr_auc": average_precision_score(yb, pb, sample_weight=wt),
    "log_loss": log_loss(yb, pb, sample_weight=wt), "brier": brier_score_loss(yb, pb, sample_weight=wt),
    "accuracy": accuracy_score(yb, hard, sample_weight=wt), "balanced_accuracy": balanced_accuracy_score(yb, hard, sample_weight=wt),
    "f1": f1_score(yb, hard, sample_weight=wt), "precision": precision_score(yb, hard, sample_weight=wt),
    "recall": recall_score(yb, hard, sample_weight=wt), "mcc": matthews_corrcoef(yb, hard, sample_weight=wt),
}
pm = np.array(out["multiclass_predictions"]["logistic_regression"]).reshape(-1, 3)
ym = classes[test]
hm = pm.argmax(axis=1)
out["multiclass_metrics"] = {
    "accuracy": accuracy_score(ym, hm, sample_weight=wt), "balanced_accuracy": balanced_accuracy_score(ym, hm, sample_weight=wt),
    "f1_macro": f1_score(ym, hm, average="macro", sample_weight=wt), "f1_weighted": f1_score(ym, hm, average="weighted", sample_weight=wt),
    "precision_macro": precision_score(ym, hm, average="macro", sample_weight=wt),
    "recall_macro": recall_score(ym, hm, average="macro", sample_weight=wt), "mcc": matthews_corrcoef(ym, hm, sample_weight=wt),
    "log_loss": log_loss(ym, pm, sample_weight=wt), "roc_auc_ovr": roc_auc_score(ym, pm, multi_class="ovr", sample_weight=wt),
}
pr = np.array(out["regression_predictions"]["gradient_boosting"])
yr = values[test]
out["regression_metrics"] = {
    "rmse": mean_squared_error(yr, pr, sample_weight=wt) ** 0.5, "mae": mean_absolute_error(yr, pr, sample_weight=wt),
    "r2": r2_score(yr, pr, sample_weight=wt), "mape": mean_absolute_percentage_error(yr, pr, sample_weight=wt),
    "median_ae": median_absolute_error(yr, pr, sample_weight=wt), "explained_variance": explained_variance_score(yr, pr, sample_weight=wt),
    "poisson_deviance": mean_poisson_deviance(yr, pr, sample_weight=wt),
}

# Calibrators fitted with weights: Platt's sigmoid and isotonic regression on scores in [0, 1], evaluated on a grid.
scores_c = np.round(rng.uniform(size=60), 3)
labels_c = (rng.uniform(size=60) < scores_c).astype(int)
weights_c = rng.choice([0, 0.5, 1, 2, 4], size=60)
grid = np.linspace(0, 1, 21)
a, b = _sigmoid_calibration(scores_c, labels_c, weights_c)
out["calibration"] = {"scores": scores_c.tolist(), "labels": labels_c.tolist(), "weights": weights_c.tolist(), "grid": grid.tolist(),
                      "sigmoid": (1 / (1 + np.exp(a * grid + b))).tolist(),
                      "isotonic": IsotonicRegression(out_of_bounds="clip").fit(scores_c, labels_c, sample_weight=weights_c).predict(grid).tolist()}
print(json.dumps(out, indent=1))
