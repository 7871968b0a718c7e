#!/usr/bin/env python3
"""The customer table of bench/customer_table.yaml built with pandas, for the benchmark's ratio.

    customer_table_pandas.py LOG.csv OUT.csv [--cutoff 2023-10-03]

Same definitions as Assay's data.events (docs/spec-extensions.md): purchases strictly before the cutoff; one order
per customer and day; recency/tenure in days; frequency = orders; monetary = amount; orders_90d / spend_90d over
[cutoff - 90d, cutoff); distinct_items; label buys_within_90d from [cutoff, cutoff + 90d). Reads ids and days as text.
Prints the rows written.
"""
import argparse
import numpy as np
import pandas as pd

ap = argparse.ArgumentParser()
ap.add_argument("log")
ap.add_argument("out")
ap.add_argument("--cutoff", default="2023-10-03")
a = ap.parse_args()
df = pd.read_csv(a.log, dtype={"customer": str, "day": str, "item": str, "category": str})
df["day"] = pd.to_datetime(df["day"], format="%Y-%m-%d")
df = df[df["amount"] > 0]
cutoff = pd.Timestamp(a.cutoff)
before = df[df["day"] < cutoff]
after = df[(df["day"] >= cutoff) & (df["day"] < cutoff + pd.Timedelta(days=90))]
g = before.groupby("customer", sort=True)
recent = before[before["day"] >= cutoff - pd.Timedelta(days=90)]
rg = recent.groupby("customer")
t = pd.DataFrame({
    "recency": (cutoff - g["day"].max()).dt.days,
    "frequency": g["day"].nunique(),
    "monetary": g["amount"].sum(),
    "tenure": (cutoff - g["day"].min()).dt.days,
    "orders_90d": rg["day"].nunique(),
    "spend_90d": rg["amount"].sum(),
    "distinct_items": g["item"].nunique(),
})
t[["orders_90d", "spend_90d"]] = t[["orders_90d", "spend_90d"]].fillna(0)
t["buys_within_90d"] = t.index.isin(set(after["customer"])).astype(int)
t.insert(0, "cutoff", a.cutoff)
t.to_csv(a.out, index_label="customer")
print(len(t))
