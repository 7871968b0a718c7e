#!/usr/bin/env python3
"""Compare Assay with the scikit-learn peer on identical folds, grid point by grid point.

    /tmp/peer/bin/python tools/peer_compare.py SPEC [--set K=V]... [--assay BIN] [--tol 0.001] [--data PATH]

Writes a temporary copy of the spec's data with a `__fold` column (stratified holdout and
stratified k-fold from scikit-learn, seeded by the spec), runs `assay run` on a spec that uses
`split: {fold_column: __fold}`, runs the peer's own pipeline (imported from
../shared/peers/sklearn_peer.py) with GridSearchCV on the same folds, and prints mean CV ROC-AUC
(or the spec's `select` metric; `task: regression` uses plain holdout and KFold) per grid point for both.
With `data.weight`, the peer's model is fitted and scored with `sample_weight` from that column (metadata routing;
its preprocessing, as Assay's, ignores the weights).
Exits 1 when any point differs by more than --tol.
Needs the peer's environment (scikit-learn, pandas, pyyaml).
"""
import argparse, copy, json, os, subprocess, sys, tempfile, time
import numpy as np
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "shared", "peers"))
import sklearn_peer as peer  # noqa: E402


def with_fold_column(spec, base, tmp):
    """A copy of the spec's table in `tmp` with a `__fold` column (scikit-learn's stratified holdout, -1, and
    stratified k-fold, seeded by the spec), and a copy of the spec that reads it with `split: {fold_column: __fold}`."""
    from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
    d = spec["data"]
    seed = int(spec.get("seed", 0))
    split = spec.get("split") or {}
    task = spec.get("task", "binary")
    X, y, num, cat, _ = peer.load(spec, base, task)
    fold = np.full(len(y), -1)
    idx = np.arange(len(y))
    ts = float(split.get("test_size", 0.2))
    stratify = y if task != "regression" else None
    train = train_test_split(idx, test_size=ts, stratify=stratify, random_state=seed)[0] if ts > 0 else idx
    splitter = (KFold if task == "regression" else StratifiedKFold)(int(split.get("folds", 5)), shuffle=True, random_state=seed)
    for k, (_, va) in enumerate(splitter.split(train, y[train])):
        fold[train[va]] = k
    with open(os.path.join(base, d["path"]), "rb") as f:
        raw = f.read()
    eol = b"\r\n" if b"\r\n" in raw[:100000] else b"\n"
    lines = raw.split(eol)
    if lines and lines[-1] == b"":
        lines.pop()
    delim = d.get("delimiter", ",").encode()
    header = d.get("header", True)
    body = lines[1:] if header else lines
    assert len(body) == len(y), "lines with embedded newlines are not supported"
    out = ([lines[0] + delim + b"__fold"] if header else []) + [line + delim + str(int(k)).encode() for line, k in zip(body, fold)]
    data_out = os.path.join(tmp, "data.csv")
    with open(data_out, "wb") as f:
        f.write(eol.join(out) + eol)
    s2 = copy.deepcopy(spec)
    s2["data"]["path"] = data_out
    if not header:
        s2["data"]["names"] = list(d["names"]) + ["__fold"]
    s2["split"] = {"fold_column": "__fold"}
    s2.pop("checks", None)
    return s2


def request_weights(est, model):
    """Metadata routing: `model` takes the sample weights; every other step of `est` that could take them does not."""
    for _, step in getattr(est, "steps", []):
        request_weights(step, model)
    for _, step, _ in getattr(est, "transformers", []):
        if not isinstance(step, str):
            request_weights(step, model)
    if est is model:
        est.set_fit_request(sample_weight=True)
    elif not hasattr(est, "steps") and not hasattr(est, "transformers") and hasattr(est, "set_fit_request"):
        est.set_fit_request(sample_weight=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--assay-set", action="append", default=[], help="an override for Assay's run only (e.g. a tighter tol)")
    ap.add_argument("--assay", default=os.path.join(HERE, "..", ".build", "release", "assay"))
    ap.add_argument("--tol", type=float, default=0.001)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    with open(a.spec) as f:
        spec = yaml.safe_load(f)
    for s in a.set:
        peer.apply_override(spec, s)
    from sklearn.model_selection import GridSearchCV, PredefinedSplit
    tmp = tempfile.mkdtemp(prefix="assay-peer-")
    s2 = with_fold_column(spec, os.path.dirname(os.path.abspath(a.spec)), tmp)
    seed = int(spec.get("seed", 0))
    spec_out = os.path.join(tmp, "spec.yaml")
    with open(spec_out, "w") as f:
        yaml.safe_dump(s2, f, allow_unicode=True, sort_keys=False)

    t0 = time.perf_counter()
    extra = [arg for s in a.assay_set for arg in ("--set", s)]
    run = subprocess.run([a.assay, "run", spec_out, "--out", tmp, "--cache-dir", os.path.join(tmp, "cache"), "--models-dir", os.path.join(tmp, "models"),
                          "--jobs", str(a.jobs)] + extra, stderr=subprocess.PIPE, text=True)
    if run.returncode != 0:
        sys.exit(f"assay run failed ({run.returncode}): " + (run.stderr.strip().splitlines() or ["no message"])[-1])
    assay_s = time.perf_counter() - t0
    with open(os.path.join(tmp, s2.get("name", "spec"), "metrics.json")) as f:
        ours = json.load(f)

    task = spec.get("task", "binary")
    select = spec.get("select", peer.DEFAULT_SELECT[task])
    scorer, sign = peer.TASK_SCORERS[task][select], (-1 if select in peer.TASK_NEGATED[task] else 1)
    X2, y2, num2, cat2, fold2 = peer.load(s2, tmp, task)
    weight = spec["data"].get("weight")
    fit_params = {}
    if weight:
        import sklearn
        from sklearn.metrics import get_scorer
        sklearn.set_config(enable_metadata_routing=True)
        w2 = X2.pop(weight).to_numpy(dtype=float)
        num2 = [c for c in num2 if c != weight]
        scorer = get_scorer(scorer).set_score_request(sample_weight=True)
    test = fold2 < 0
    if weight:
        fit_params["sample_weight"] = w2[~test]
    cv = PredefinedSplit(fold2[~test])
    worst = 0.0
    t1 = time.perf_counter()
    for name, m in spec["models"].items():
        params = dict(m.get("params") or {})
        # A model's own `random_state` (Assay's MLP draws numpy's stream from it) becomes the peer's seed for it.
        model = peer.make_model(m["type"], params, params.pop("random_state", seed), task)
        pipe = peer.build_pipeline(m.get("preprocess", spec.get("preprocess")), model, num2, cat2, seed)
        if weight:
            request_weights(pipe, model)
        gs = GridSearchCV(pipe, peer.grid_of(m) or {}, scoring=scorer, cv=cv, n_jobs=a.jobs)
        gs.fit(X2[~test], y2[~test], **fit_params)
        for i, params in enumerate(gs.cv_results_["params"]):
            p = {k.removeprefix("model__"): v for k, v in params.items()}
            theirs = sign * float(gs.cv_results_["mean_test_score"][i])
            mine = next(g["cv"][select]["mean"] for g in ours["models"][name]["grid"] if g["params"] == p)
            worst = max(worst, abs(mine - theirs))
            print(f"{name:10s} {json.dumps(p, sort_keys=True):45s} assay {mine:.6f}  peer {theirs:.6f}  diff {mine - theirs:+.6f}")
    peer_s = time.perf_counter() - t1
    print(f"max |diff| = {worst:.6f} in CV {select} (tolerance {a.tol}); wall: assay {assay_s:.2f} s, peer {peer_s:.2f} s")
    sys.exit(1 if worst > a.tol else 0)


if __name__ == "__main__":
    main()
