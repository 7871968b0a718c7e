#!/usr/bin/env python3
"""The performance dashboard: Assay against the scikit-learn peer on the same work, one run each, side by side.

    /tmp/peer/bin/python bench/dashboard.py [--only NAME ...] [--rows 10000,100000] [--wide 2000x2000]

Runs each of the five studies' specs, ../shared/bench/bench.yaml at each size in --rows (add 1000000 for the 1M-row
table) and a wide table (bench/make_wide_data.py, one logistic regression) with a release build of Assay
(`--jobs 2`, a fresh cache) and with ../shared/peers/sklearn_peer.py (`--jobs 2`), and prints wall time, the ratio
Assay / peer and each side's peak memory (both from /usr/bin/time). Preprocessing steps the peer does not have
(log1p, clip, derive) and grids over a step's setting (`preprocess.scale.method`) are removed from both sides'
spec, and the table says so. Needs the peer's environment.
"""
import argparse, copy, os, subprocess, sys, tempfile
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SHARED = os.path.join(REPO, "..", "shared")
STUDIES = ["student_purchase", "audiobooks", "buyer_activity", "online_shoppers", "bank_marketing"]
PEER_STEPS = {"impute", "encode", "scale", "resample"}


class SpecLoader(yaml.SafeLoader):
    """YAML 1.2 booleans only, as Assay reads specs: `on:` is a key, not True."""


SpecLoader.yaml_implicit_resolvers = {k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
                                      for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
SpecLoader.add_implicit_resolver("tag:yaml.org,2002:bool", __import__("re").compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def timed(cmd, out):
    """Runs `cmd`, returns (seconds, peak MiB, ok, last stderr line)."""
    t = out + ".time"
    with open(out + ".log", "w") as log:
        rc = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", t] + cmd, stdout=log, stderr=subprocess.STDOUT).returncode
    last = open(t).read().split("\n")
    seconds, kb = map(float, [l for l in last if l.strip()][-1].split())
    tail = [l for l in open(out + ".log").read().splitlines() if l.strip()]
    return seconds, kb / 1024, rc == 0, (tail[-1] if tail else "")


def peer_spec(spec, base, work, name):
    """The spec with absolute data paths, no checks, and only the preprocessing steps the peer has; what was removed."""
    s = copy.deepcopy(spec)
    d = s["data"]
    for key in ("path",):
        if key in d and not os.path.isabs(d[key]):
            d[key] = os.path.normpath(os.path.join(base, d[key]))
    for j in d.get("join", []) or []:
        if "path" in j and not os.path.isabs(j["path"]):
            j["path"] = os.path.normpath(os.path.join(base, j["path"]))
    removed = [next(iter(p)) for p in s.get("preprocess", []) if next(iter(p)) not in PEER_STEPS]
    s["preprocess"] = [p for p in s.get("preprocess", []) if next(iter(p)) in PEER_STEPS]
    s.pop("checks", None)
    # The peer cannot grid over a preprocessing step's setting: both sides keep the step's own (first) value.
    for m in (s.get("models") or {}).values():
        grid = m.get("grid") or {}
        for key in [k for k in grid if k.startswith("preprocess.")]:
            del grid[key]
            removed.append(f"the grid over {key}")
    path = os.path.join(work, name + ".yaml")
    with open(path, "w") as f:
        yaml.safe_dump(s, f, sort_keys=False)
    return path, removed


def run(name, spec_path, work, extra=()):
    assay = os.path.join(REPO, ".build", "release", "assay")
    a = timed([assay, "run", spec_path, "--jobs", "2", "--out", f"{work}/{name}.runs", "--cache-dir", f"{work}/{name}.cache",
               "--models-dir", f"{work}/{name}.models", *extra], f"{work}/{name}.assay")
    p = timed([sys.executable, os.path.join(SHARED, "peers", "sklearn_peer.py"), spec_path, "--jobs", "2", *extra], f"{work}/{name}.peer")
    return a, p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--rows", default="10000,100000")
    ap.add_argument("--wide", default="2000x2000")
    args = ap.parse_args()
    subprocess.run(["swift", "build", "-c", "release", "--product", "assay"], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    work = tempfile.mkdtemp(prefix="assay-dashboard-")
    rows = []
    jobs = [(s, None) for s in STUDIES] + [(f"bench {r}", r) for r in args.rows.split(",") if r] + ([("wide " + args.wide, "wide")] if args.wide else [])
    for name, what in jobs:
        if args.only and not any(o in name for o in args.only):
            continue
        key = name.replace(" ", "_")
        if what is None:
            path = os.path.join(REPO, "experiments", name + ".yaml")
            spec, base = yaml.load(open(path), Loader=SpecLoader), os.path.dirname(path)
        elif what == "wide":
            r, c = args.wide.split("x")
            data = f"{work}/wide.csv"
            subprocess.run([sys.executable, os.path.join(HERE, "make_wide_data.py"), r, c, data], check=True)
            spec, base = {"assay": 1, "name": "wide", "seed": 1, "data": {"path": data, "target": "target", "positive": "1"},
                          "split": {"test_size": 0.2, "folds": 5}, "preprocess": [{"scale": {"method": "standard"}}],
                          "models": {"logreg": {"type": "logistic_regression", "params": {"max_iter": 1000}}},
                          "metrics": ["roc_auc"], "select": "roc_auc"}, work
        else:
            data = f"{work}/purchase_{what}.csv"
            subprocess.run([sys.executable, os.path.join(SHARED, "bench", "make_purchase_data.py"), what, data], check=True)
            path = os.path.join(SHARED, "bench", "bench.yaml")
            spec, base = yaml.load(open(path), Loader=SpecLoader), os.path.dirname(path)
            spec["data"]["path"] = data
        spec_path, removed = peer_spec(spec, base, work, key)
        (a_s, a_mb, a_ok, a_last), (p_s, p_mb, p_ok, p_last) = run(key, spec_path, work)
        note = ("without " + ", ".join(dict.fromkeys(removed)) + " (the peer has no such step)") if removed else ""
        if not a_ok:
            note += f" ASSAY FAILED: {a_last}"
        if not p_ok:
            note += f" peer failed: {p_last}"
        rows.append((name, a_s, p_s, a_mb, p_mb, note.strip(), a_ok and p_ok))
        print(f"{name}: assay {a_s:.1f} s, peer {p_s:.1f} s", file=sys.stderr, flush=True)
    print("| workload | Assay s | peer s | ratio | Assay MiB | peer MiB | note |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, a_s, p_s, a_mb, p_mb, note, ok in rows:
        ratio = f"{a_s / p_s:.2f}" if ok else "–"
        print(f"| {name} | {a_s:.1f} | {p_s:.1f} | {ratio} | {a_mb:.0f} | {p_mb:.0f} | {note} |")
    print(f"(work files in {work})")


if __name__ == "__main__":
    main()
