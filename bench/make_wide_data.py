#!/usr/bin/env python3
"""A wide table for the performance dashboard: ROWS rows × COLS numeric columns and a binary target.

    python3 bench/make_wide_data.py ROWS COLS OUT.csv

Columns x0..x{COLS-1} are standard normal (seeded); the target is 1 when a logistic model of the first
ten columns, plus noise, says so. Standard library only.
"""
import math, random, sys

rows, cols, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(7)
with open(out, "w") as f:
    f.write(",".join(f"x{j}" for j in range(cols)) + ",target\n")
    for _ in range(rows):
        x = [rng.gauss(0, 1) for _ in range(cols)]
        z = sum(x[:10]) / 3 + rng.gauss(0, 1)
        y = 1 if rng.random() < 1 / (1 + math.exp(-z)) else 0
        f.write(",".join(f"{v:.6f}" for v in x) + f",{y}\n")
