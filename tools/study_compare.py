#!/usr/bin/env python3
"""Assay vs the scikit-learn peer on the study experiments, on identical rows: best model, test ROC-AUC, wall time.

    /tmp/peer/bin/python tools/study_compare.py experiments/student_purchase.yaml [more specs] [--assay BIN] [--jobs 2]

For each spec: a spec with `data.join`/`data.clean` is first turned into one table with `assay prepare`; the
table gets a `__fold` column (scikit-learn's stratified holdout and k-fold, seeded by the spec); Assay runs the
spec with `split: {fold_column: __fold}`; the peer runs every model of the spec on the same folds with
scikit-learn/imbalanced-learn (GridSearchCV, or RandomizedSearchCV for `search: random`; a grid over
`preprocess.STEP.OPTION` becomes one search per combination; `calibrate` becomes CalibratedClassifierCV),
picks the best model by mean CV ROC-AUC as Assay does, and scores it once on the test rows.
Needs the peer's environment (scikit-learn, imbalanced-learn, pandas, pyyaml).
"""
import argparse, copy, itertools, json, os, subprocess, sys, tempfile, time
import numpy as np
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "shared", "peers"))
sys.path.insert(0, HERE)
import sklearn_peer as peer  # noqa: E402
import peer_compare  # noqa: E402


def build_pipeline(steps_spec, model, num, cat, seed):
    """The peer's pipeline, plus the step options the study specs use (log1p, add_indicator, one-hot options)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import (OneHotEncoder, OrdinalEncoder, StandardScaler, MinMaxScaler, RobustScaler,
                                       FunctionTransformer, TargetEncoder)
    from sklearn.pipeline import Pipeline
    num_steps, cat_steps, resample = [], [], None
    for i, step in enumerate(steps_spec or []):
        (kind, opts), = step.items()
        opts = opts or {}
        if kind == "impute":
            num_steps.append((f"impute{i}", SimpleImputer(strategy=opts.get("numeric", "median"), fill_value=opts.get("value"),
                                                          add_indicator=bool(opts.get("add_indicator", False)))))
            cat_steps.append((f"impute{i}", SimpleImputer(strategy=opts.get("categorical", "most_frequent"), fill_value=opts.get("value", "missing"))))
        elif kind == "log1p":
            num_steps.append((f"log1p{i}", FunctionTransformer(np.log1p)))
        elif kind == "encode":
            m = opts.get("method", "onehot")
            if m == "onehot":
                enc = OneHotEncoder(handle_unknown=opts.get("handle_unknown", "ignore"), min_frequency=opts.get("min_frequency"),
                                    max_categories=opts.get("max_categories"), sparse_output=False)
            elif m == "target":
                enc = TargetEncoder(target_type="binary", random_state=seed)
            else:
                enc = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
            cat_steps.append((f"encode{i}", enc))
        elif kind == "scale":
            m = opts.get("method", "standard")
            num_steps.append((f"scale{i}", {"standard": StandardScaler, "minmax": MinMaxScaler, "robust": RobustScaler}[m]()))
        elif kind == "resample":
            resample = opts
        else:
            raise SystemExit(f"study_compare: step {kind} is not translated")
    if cat and not any(n.startswith("encode") for n, _ in cat_steps):
        cat_steps.append(("encode", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)))
    if cat and not any(n.startswith("impute") for n, _ in cat_steps):
        cat_steps.insert(0, ("impute", SimpleImputer(strategy="constant", fill_value="missing")))
    parts = []
    if num:
        parts.append(("num", Pipeline(num_steps) if num_steps else "passthrough", num))
    if cat:
        parts.append(("cat", Pipeline(cat_steps), cat))
    pre = ColumnTransformer(parts)
    if resample:
        from imblearn.pipeline import Pipeline as ImbPipeline
        from imblearn.over_sampling import SMOTE, RandomOverSampler
        from imblearn.under_sampling import RandomUnderSampler
        m = resample.get("method", "smote")
        ratio = resample.get("sampling_strategy", "auto")
        sampler = {"smote": lambda: SMOTE(k_neighbors=resample.get("k_neighbors", 5), sampling_strategy=ratio, random_state=seed),
                   "oversample": lambda: RandomOverSampler(sampling_strategy=ratio, random_state=seed),
                   "undersample": lambda: RandomUnderSampler(sampling_strategy=ratio, random_state=seed)}[m]()
        return ImbPipeline([("pre", pre), ("resample", sampler), ("model", model)])
    return Pipeline([("pre", pre), ("model", model)])


def variants(m, top_steps):
    """(steps, model grid) for each combination of the model's preprocess.STEP.OPTION grid values."""
    steps = m.get("preprocess", top_steps) or []
    grid = m.get("grid") or {}
    pre = {k: v for k, v in grid.items() if k.startswith("preprocess.")}
    rest = {k: v for k, v in grid.items() if not k.startswith("preprocess.")}
    if not pre:
        return [(steps, rest, {})]
    out = []
    keys = sorted(pre)
    for values in itertools.product(*[pre[k] if isinstance(pre[k], list) else [pre[k]] for k in keys]):
        s = copy.deepcopy(steps)
        for key, value in zip(keys, values):
            _, which, option = key.split(".")
            index = int(which) if which.isdigit() else next(i for i, st in enumerate(s) if next(iter(st)) == which)
            (kind, opts), = s[index].items()
            s[index] = {kind: dict(opts or {}, **{option: value})}
        out.append((s, rest, dict(zip(keys, values))))
    return out


def with_fold_column(spec, base, tmp, assay):
    """peer_compare's copy of the table with a `__fold` column; a spec with `data.join`/`data.clean` is first
    turned into one table by `assay prepare`."""
    d = spec["data"]
    if d.get("join") or d.get("clean"):
        prepared = os.path.join(tmp, "prepared.csv")
        subprocess.run([assay, "prepare", spec["__path"], "--output", prepared], check=True, stdout=subprocess.DEVNULL)
        spec["data"] = {"path": prepared, "target": d["target"], "positive": d.get("positive", "1"), "missing": [""],
                        **({"columns": d["columns"]} if d.get("columns") else {})}
        base = tmp
    s2 = peer_compare.with_fold_column(spec, base, tmp)
    s2.pop("__path", None)
    return s2


def main():
    import warnings
    warnings.filterwarnings("ignore")
    os.environ.setdefault("PYTHONWARNINGS", "ignore")  # reaches joblib's worker processes
    ap = argparse.ArgumentParser()
    ap.add_argument("specs", nargs="+")
    ap.add_argument("--assay", default=os.path.join(HERE, "..", ".build", "release", "assay"))
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, PredefinedSplit
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.metrics import roc_auc_score
    rows = []
    for path in a.specs:
        with open(path) as f:
            spec = yaml.safe_load(f)
        spec["__path"] = path
        tmp = tempfile.mkdtemp(prefix="assay-study-")
        s2 = with_fold_column(spec, os.path.dirname(os.path.abspath(path)), tmp, a.assay)
        spec_out = os.path.join(tmp, "spec.yaml")
        with open(spec_out, "w") as f:
            yaml.safe_dump(s2, f, allow_unicode=True, sort_keys=False)
        t0 = time.perf_counter()
        subprocess.run([a.assay, "run", spec_out, "--out", tmp, "--cache-dir", os.path.join(tmp, "cache"), "--models-dir", os.path.join(tmp, "models"),
                        "--jobs", str(a.jobs)], check=True, stderr=subprocess.DEVNULL)
        assay_s = time.perf_counter() - t0
        with open(os.path.join(tmp, s2.get("name", "spec"), "metrics.json")) as f:
            ours = json.load(f)

        t1 = time.perf_counter()
        seed = int(spec.get("seed", 0))
        X, y, num, cat, fold = peer.load(s2, tmp)
        test = fold < 0
        cv = PredefinedSplit(fold[~test])
        best = None
        for name, m in spec["models"].items():
            for steps, grid, chosen in variants(m, spec.get("preprocess")):
                model = peer.make_model(m["type"], m.get("params") or {}, seed)
                prefix = "model__"
                cal = m.get("calibrate")
                if cal:
                    method = cal if isinstance(cal, str) else cal["method"]
                    model = CalibratedClassifierCV(model, method=method, cv=(5 if isinstance(cal, str) else cal.get("cv", 5)))
                    prefix = "model__estimator__"
                pipe = build_pipeline(steps, model, num, cat, seed)
                g = {prefix + k: [tuple(x) if isinstance(x, list) else x for x in (v if isinstance(v, list) else [v])] for k, v in grid.items()}
                search = m.get("search") or {}
                if search.get("method") == "random":
                    gs = RandomizedSearchCV(pipe, g, n_iter=int(search.get("n_iter", 10)), scoring="roc_auc", cv=cv, n_jobs=a.jobs, random_state=seed)
                else:
                    gs = GridSearchCV(pipe, g, scoring="roc_auc", cv=cv, n_jobs=a.jobs)
                gs.fit(X[~test], y[~test])
                score = float(gs.best_score_)
                if best is None or score > best[0]:
                    best = (score, name, gs.best_estimator_, chosen)
        peer_test = float(roc_auc_score(y[test], best[2].predict_proba(X[test])[:, 1]))
        peer_s = time.perf_counter() - t1
        mine = ours["models"][ours["best_model"]]
        rows.append((ours["experiment"], ours["best_model"], mine["cv"]["roc_auc"]["mean"], mine["test"]["roc_auc"], assay_s,
                     best[1], best[0], peer_test, peer_s))
        r = rows[-1]
        print(f"{r[0]}: assay {r[1]} cv {r[2]:.4f} test {r[3]:.4f} {r[4]:.1f} s | peer {r[5]} cv {r[6]:.4f} test {r[7]:.4f} {r[8]:.1f} s", flush=True)
    print()
    print("| study | Assay best model | Assay CV | Assay test | Assay s | peer best model | peer CV | peer test | peer s | test diff |")
    print("|---|---|---:|---:|---:|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]:.4f} | {r[3]:.4f} | {r[4]:.1f} | {r[5]} | {r[6]:.4f} | {r[7]:.4f} | {r[8]:.1f} | {r[3] - r[7]:+.4f} |")


if __name__ == "__main__":
    main()
