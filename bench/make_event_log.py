#!/usr/bin/env python3
"""A synthetic purchase log for the customer-table benchmark: one row per order line.

    make_event_log.py EVENTS OUT.csv [--customers N] [--seed S]

Columns: customer (zero-padded text), day (YYYY-MM-DD, 2021-01-01..2023-12-31), amount (2 decimals), item, category.
Customers buy at their own rate (a gamma draw), items follow a Zipf-like law over 20,000 codes in 40 categories,
rows come in time order as a shop's export does. Deterministic for a seed.
"""
import argparse
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("events", type=int)
ap.add_argument("out")
ap.add_argument("--customers", type=int, default=None, help="default: events / 10")
ap.add_argument("--seed", type=int, default=7)
a = ap.parse_args()
rng = np.random.default_rng(a.seed)
n = a.events
customers = a.customers or max(1, n // 10)
rate = rng.gamma(0.6, 1.0, customers)
who = rng.choice(customers, size=n, p=rate / rate.sum())
days = np.sort(rng.integers(0, 3 * 365, size=n))           # time order
item = np.minimum((rng.pareto(1.2, n) * 50).astype(np.int64), 19999)
amount = np.round(rng.gamma(2.0, 12.0, n) + 0.5, 2)
base = np.datetime64("2021-01-01")
day_text = np.datetime_as_string(base + days.astype("timedelta64[D]"), unit="D")
with open(a.out, "w") as f:
    f.write("customer,day,amount,item,category\n")
    step = 1_000_000
    for s in range(0, n, step):
        e = min(n, s + step)
        rows = [f"{c:07d},{d},{m:.2f},sku{i},cat{i % 40}\n" for c, d, m, i in
                zip(who[s:e].tolist(), day_text[s:e].tolist(), amount[s:e].tolist(), item[s:e].tolist())]
        f.write("".join(rows))
