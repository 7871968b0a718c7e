#!/usr/bin/env python3
"""Write the buyer-activity study's four files joined as experiments/buyer_activity*.yaml join them, one row per
customer, so that the scikit-learn peer (which reads one table) can run the same data.

    /tmp/peer/bin/python tools/buyer_activity_table.py OUT.csv

Joins and cleaning as the specs declare them: revenue and minutes per period pivoted into columns
(Выручка_<period>, минут_<period>), the period's misspelling in market_time fixed, the money file read with
';' and decimal commas, the 'стандартт' typo fixed, customers without revenue in some month and the one
revenue outlier removed.
"""
import os, sys
import pandas as pd

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")


def main():
    out = sys.argv[1]
    market = pd.read_csv(os.path.join(DATA, "buyer_activity_market_file.csv"))
    money = pd.read_csv(os.path.join(DATA, "buyer_activity_market_money.csv"))
    money = money.pivot_table(index="id", columns="Период", values="Выручка", aggfunc="sum")
    money.columns = [f"Выручка_{c}" for c in money.columns]
    time = pd.read_csv(os.path.join(DATA, "buyer_activity_market_time.csv"))
    time["Период"] = time["Период"].replace({"предыдцщий_месяц": "предыдущий_месяц"})
    time = time.pivot_table(index="id", columns="Период", values="минут", aggfunc="sum")
    time.columns = [f"минут_{c}" for c in time.columns]
    profit = pd.read_csv(os.path.join(DATA, "buyer_activity_money.csv"), sep=";", decimal=",")
    df = market.merge(money, on="id").merge(time, on="id").merge(profit, on="id")
    df["Тип сервиса"] = df["Тип сервиса"].replace({"стандартт": "стандарт"})
    df = df[(df["Выручка_препредыдущий_месяц"] > 0) & (df["Выручка_предыдущий_месяц"] > 0) & (df["Выручка_текущий_месяц"] > 0)]
    df = df[df["Выручка_текущий_месяц"] < 100000]
    df.to_csv(out, index=False)
    print(f"{out}: {len(df)} rows, {len(df.columns)} columns", file=sys.stderr)


if __name__ == "__main__":
    main()
