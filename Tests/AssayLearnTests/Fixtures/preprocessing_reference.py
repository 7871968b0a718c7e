"""Reference values for PreprocessingReferenceTests, from scikit-learn and imbalanced-learn.

Run with the peer's environment: /tmp/peer/bin/python Tests/AssayLearnTests/Fixtures/preprocessing_reference.py
"""
import json
import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler, MinMaxScaler, RobustScaler, OneHotEncoder, OrdinalEncoder, TargetEncoder
from imblearn.over_sampling import SMOTE
from sklearn.neighbors import NearestNeighbors

nan = np.nan
a = np.array([1, 2, nan, 4, 10, 6, nan, 8.0])
b = np.array([0.5, -1, 3, 3, 2, 7, 1, 0])
c = np.array(["x", "y", "x", nan, "z", "x", "w", "y"], dtype=object)
y = np.array([1, 0, 1, 0, 0, 1, 0, 1])
c_test = np.array(["x", "q", "w"], dtype=object)
out = {}
X = np.c_[a, b]
for s in ["mean", "median", "most_frequent"]:
    imp = SimpleImputer(strategy=s, add_indicator=True).fit(X)
    out[f"impute_{s}"] = imp.transform(np.array([[nan, nan], [3, 4]])).tolist()
out["impute_constant"] = SimpleImputer(strategy="constant", fill_value=-7).fit(X).transform([[nan, 1]]).tolist()
Xf = SimpleImputer(strategy="median").fit_transform(X)
for name, cls in [("standard", StandardScaler), ("minmax", MinMaxScaler), ("robust", RobustScaler)]:
    out[f"scale_{name}"] = cls().fit(Xf).transform([[3, 4], [0, 0]]).tolist()
cf = SimpleImputer(strategy="constant", fill_value="missing").fit_transform(c.reshape(-1, 1))
oh = OneHotEncoder(min_frequency=2, handle_unknown="infrequent_if_exist", sparse_output=False).fit(cf)
out["onehot_min_frequency"] = {"columns": [str(v) for v in oh.get_feature_names_out()], "rows": oh.transform(c_test.reshape(-1, 1)).tolist()}
oh = OneHotEncoder(max_categories=3, handle_unknown="ignore", sparse_output=False).fit(cf)
out["onehot_max_categories"] = {"columns": [str(v) for v in oh.get_feature_names_out()], "rows": oh.transform(c_test.reshape(-1, 1)).tolist()}
od = OrdinalEncoder(categories=[["z", "y", "x", "w", "missing", "q"]]).fit(cf)
out["ordinal_order"] = od.transform(c_test.reshape(-1, 1)).tolist()
te = TargetEncoder(target_type="binary", smooth="auto").fit(cf, y)
out["target_auto"] = {"categories": [str(v) for v in te.categories_[0]], "encodings": te.encodings_[0].tolist(), "mean": float(te.target_mean_),
                      "test": te.transform(c_test.reshape(-1, 1)).ravel().tolist()}
te = TargetEncoder(target_type="binary", smooth=2.0).fit(cf, y)
out["target_smooth2"] = {"encodings": te.encodings_[0].tolist()}
# SMOTE: minority neighbours and the number of synthetic rows.
rng = np.random.RandomState(0)
Xs = rng.normal(size=(40, 3))
ys = np.array([1] * 12 + [0] * 28)
sm = SMOTE(k_neighbors=3, random_state=0)
Xr, yr = sm.fit_resample(Xs, ys)
nn = NearestNeighbors(n_neighbors=4).fit(Xs[ys == 1]).kneighbors(Xs[ys == 1], return_distance=False)[:, 1:]
out["smote"] = {"x": Xs.tolist(), "resampled_rows": int(len(yr)), "positives": int(yr.sum()), "neighbours": nn.tolist()}
Xr, yr = SMOTE(k_neighbors=3, sampling_strategy=0.6, random_state=0).fit_resample(Xs, ys)
out["smote_ratio"] = {"resampled_rows": int(len(yr)), "positives": int(yr.sum())}
print(json.dumps(out, indent=1))
