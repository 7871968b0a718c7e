#!/usr/bin/env python3
"""Recomputes a binary run's test-row numbers from its predictions file with scikit-learn, and compares them with the
run's metrics.json: each model's test ROC-AUC, PR-AUC, log loss, accuracy and F1, its threshold table (the cuts'
thresholds by Assay's documented rules, then flagged share, precision, recall, F1 and lift) and its lift table by
decile (tied scores share their positives evenly), to the six significant digits metrics.json holds; and, where the
file has SHAP columns, that each row's SHAP values plus the expected value add up to the model's raw output (the
probability for a tree, the log-odds for a linear model).

    python tools/recompute_predictions.py PREDICTIONS.csv METRICS.json --positive LABEL [--models a,b]

Needs pandas and scikit-learn (the peer's environment). Prints one line per model and exits 1 on any difference.
"""
import argparse
import json
import math
import sys

import numpy as np
import pandas as pd
from sklearn.metrics import (accuracy_score, average_precision_score, f1_score, log_loss, precision_score, recall_score,
                             roc_auc_score)


def six(x):
    """A number as metrics.json writes it: six significant digits."""
    return float("%.6g" % x)


def top_threshold(p, share):
    """Assay's `top S` rule: flag at least ceil(S·n) rows, cutting midway between two distinct scores."""
    scores = np.unique(p)[::-1]
    want = math.ceil(share * len(p))
    counts = np.array([(p >= s).sum() for s in scores])
    k = int(np.argmax(counts >= want)) if (counts >= want).any() else len(scores) - 1
    return (scores[k] + scores[k + 1]) / 2 if k + 1 < len(scores) else scores[k] / 2


def lift_table(y, p):
    """Deciles by score, highest first; a run of tied scores gives each decile its share of the run's positives."""
    n, total = len(y), y.sum()
    order = sorted(range(n), key=lambda i: (-p[i], i))
    groups, start = [], 0
    while start < n:
        end = start + 1
        while end < n and p[order[end]] == p[order[start]]:
            end += 1
        groups.append((start, end, int(sum(y[order[k]] for k in range(start, end)))))
        start = end
    rate, out, seen, seen_pos = total / n, [], 0, 0.0
    for d in range(10):
        end = (d + 1) * n // 10
        pos = 0.0
        for g0, g1, gp in groups:
            overlap = min(end, g1) - max(seen, g0)
            if overlap > 0:
                pos += gp if overlap == g1 - g0 else overlap * gp / (g1 - g0)
        rows = end - seen
        seen_pos += pos
        seen = end
        out.append({"decile": d + 1, "rows": rows, "positives": pos, "captured": seen_pos / total,
                    "lift": pos / rows / rate, "cumulative_lift": seen_pos / seen / rate})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("predictions")
    ap.add_argument("metrics")
    ap.add_argument("--positive", required=True)
    ap.add_argument("--models", help="comma-separated; default every model in metrics.json")
    a = ap.parse_args()
    frame = pd.read_csv(a.predictions, dtype={"label": str})
    metrics = json.load(open(a.metrics, encoding="utf-8"))
    test = frame[frame["split"] == "test"]
    y = (test["label"] == a.positive).to_numpy().astype(int)
    problems = []

    def same(what, ours, theirs):
        if six(theirs) != ours:
            problems.append(f"{what}: metrics.json {ours}, recomputed {six(theirs)} ({theirs!r})")

    names = a.models.split(",") if a.models else sorted(metrics["models"])
    for name in names:
        m = metrics["models"][name]
        p = test[name].to_numpy(dtype=float)
        t = m["threshold"]
        predicted = (p > t).astype(int)
        same(f"{name} test roc_auc", m["test"]["roc_auc"], roc_auc_score(y, p))
        if "pr_auc" in m["test"]:
            same(f"{name} test pr_auc", m["test"]["pr_auc"], average_precision_score(y, p))
        if "log_loss" in m["test"]:
            same(f"{name} test log_loss", m["test"]["log_loss"], log_loss(y, np.clip(p, np.finfo(float).eps, 1 - np.finfo(float).eps)))
        if "accuracy" in m["test"]:
            same(f"{name} test accuracy", m["test"]["accuracy"], accuracy_score(y, predicted))
        if "f1" in m["test"]:
            same(f"{name} test f1", m["test"]["f1"], f1_score(y, predicted, zero_division=0))
        evaluation = m["evaluation"]
        if evaluation.get("rows") != "test":
            problems.append(f"{name}: the threshold and lift tables are on the {evaluation.get('rows')} rows, not the test rows")
        for cut in evaluation["thresholds"]:
            label = cut["label"]
            if label.startswith("top "):
                same(f"{name} '{label}' threshold", cut["threshold"], top_threshold(p, float(label[4:-1]) / 100))
            elif label == "default 0.5":
                same(f"{name} '{label}' threshold", cut["threshold"], 0.5)
            flagged = (p > cut["threshold"]).astype(int)
            share = flagged.mean()
            recall = recall_score(y, flagged, zero_division=0)
            same(f"{name} '{label}' flagged", cut["flagged"], share)
            same(f"{name} '{label}' precision", cut["precision"], precision_score(y, flagged, zero_division=0))
            same(f"{name} '{label}' recall", cut["recall"], recall)
            same(f"{name} '{label}' f1", cut["f1"], f1_score(y, flagged, zero_division=0))
            if share > 0:
                same(f"{name} '{label}' lift", cut["lift"], recall / share)
        lift = lift_table(y, p)
        if len(lift) != len(evaluation["lift"]):
            problems.append(f"{name}: {len(evaluation['lift'])} deciles in metrics.json, {len(lift)} recomputed")
        for ours, theirs in zip(evaluation["lift"], lift):
            for key in ("rows", "positives", "captured", "lift", "cumulative_lift"):
                same(f"{name} decile {theirs['decile']} {key}", ours[key], theirs[key])
        shap = [c for c in test.columns if c.startswith(f"shap:{name}:") and c != f"shap:{name}:expected"]
        checked = ""
        if shap:
            raw = p if metrics["shap_by_model"][name]["raw_output"] == "probability" else np.log(p / (1 - p))
            total = test[shap].to_numpy(dtype=float).sum(axis=1) + test[f"shap:{name}:expected"].to_numpy(dtype=float)
            gap = float(np.max(np.abs(total - raw)))
            if gap > 1e-9:
                problems.append(f"{name}: SHAP values plus the expected value miss the raw output by up to {gap}")
            checked = f"; SHAP adds up to the raw output within {gap:.1e} on every row"
        print(f"{name}: {len(y)} test rows: ROC-AUC, PR-AUC, log loss, accuracy, F1, {len(evaluation['thresholds'])} cuts and "
              f"{len(lift)} deciles recomputed with scikit-learn{checked}")
    for line in problems:
        print("DIFFERS: " + line)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
