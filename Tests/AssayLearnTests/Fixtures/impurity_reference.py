"""Reference values for ImpurityImportanceTests: DecisionTreeClassifier.feature_importances_ on a fixed table.

Run with the peer's environment: /tmp/peer/bin/python Tests/AssayLearnTests/Fixtures/impurity_reference.py
"""
import json
import numpy as np
from sklearn.tree import DecisionTreeClassifier

rng = np.random.RandomState(7)
X = rng.randint(0, 12, size=(300, 3)).astype(float)
y = ((X[:, 0] * 1.0 + X[:, 1] * 0.5 + rng.normal(scale=2.0, size=300)) > 8).astype(int)
out = {"x": X.tolist(), "y": y.tolist()}
for crit in ["gini", "entropy"]:
    t = DecisionTreeClassifier(max_depth=3, criterion=crit, random_state=0).fit(X, y)
    out[crit] = t.feature_importances_.tolist()
print(json.dumps(out))
