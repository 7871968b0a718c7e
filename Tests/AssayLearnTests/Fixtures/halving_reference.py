"""Reference schedules for HalvingScheduleTests: HalvingGridSearchCV's n_resources_ and n_candidates_.

Run with the peer's environment: /tmp/peer/bin/python Tests/AssayLearnTests/Fixtures/halving_reference.py
"""
import json
import numpy as np
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV
from sklearn.dummy import DummyClassifier

out = []
for n, candidates, folds, factor, min_resources in [(1000, 12, 5, 3, "exhaust"), (1000, 12, 5, 3, "smallest"), (5000, 30, 5, 2, "exhaust"),
                                                     (400, 9, 3, 3, "exhaust"), (10000, 8, 5, 3, 200), (300, 50, 5, 3, "exhaust")]:
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 2))
    y = (rng.uniform(size=n) < 0.3).astype(int)
    grid = {"constant": [0], "strategy": ["constant"] * 0 + ["prior"], "random_state": list(range(candidates))}
    gs = HalvingGridSearchCV(DummyClassifier(), {"random_state": list(range(candidates))}, cv=folds, factor=factor,
                             min_resources=min_resources, scoring="roc_auc").fit(X, y)
    out.append({"n": n, "candidates": candidates, "folds": folds, "factor": factor, "min_resources": min_resources,
                "resources": [int(v) for v in gs.n_resources_], "kept": [int(v) for v in gs.n_candidates_]})
print(json.dumps(out))
