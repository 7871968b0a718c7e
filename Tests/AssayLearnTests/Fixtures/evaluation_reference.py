"""Reference values for EvaluationReferenceTests (calibrators, threshold rules), from scikit-learn.

Run with the peer's environment: /tmp/peer/bin/python Tests/AssayLearnTests/Fixtures/evaluation_reference.py
"""
import json
import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.calibration import _SigmoidCalibration
from sklearn.metrics import precision_recall_curve

rng = np.random.RandomState(3)
p = np.round(rng.uniform(size=60), 2)          # rounded: ties, as real scores have
y = (rng.uniform(size=60) < p * 0.8 + 0.1).astype(int)
grid = [0.0, 0.05, 0.2, 0.33, 0.5, 0.71, 0.9, 1.0]
iso = IsotonicRegression(out_of_bounds="clip").fit(p, y)
sig = _SigmoidCalibration().fit(p, y)
prec, rec, thr = precision_recall_curve(y, p)
f1 = 2 * prec * rec / np.where(prec + rec == 0, 1, prec + rec)
best = int(np.argmax(f1[:-1]))
ok = np.flatnonzero(rec[:-1] >= 0.8)
out = {
    "p": p.tolist(), "y": y.tolist(), "grid": grid,
    "isotonic": iso.predict(grid).tolist(),
    "sigmoid": sig.predict(np.array(grid)).tolist(),
    # precision_recall_curve flags score >= threshold; the rule's lowest flagged score is this threshold.
    "max_f1_lowest_flagged_score": float(thr[best]), "max_f1": float(f1[best]),
    "recall_0.8_lowest_flagged_score": float(thr[ok].max()),
}
print(json.dumps(out))
