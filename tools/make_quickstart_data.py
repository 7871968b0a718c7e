#!/usr/bin/env python3
"""Write experiments/data/quickstart.csv: a small synthetic purchase table, identical on every run.

    python3 tools/make_quickstart_data.py [OUT.csv]

Standard library only (random.Random is stable across Python versions for a given seed).
One row per free-plan student: engagement features, a few categories, some missing cells,
and whether the student bought a subscription (about 15%).
"""
import math
import random
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "experiments/data/quickstart.csv"
rng = random.Random(20261122)
countries = ["US", "IN", "GB", "DE", "NA", "BR", "NG", "CA"]   # "NA" is Namibia, not missing
weights = [5, 4, 2, 2, 1, 2, 2, 1]
channels = ["organic", "ads", "referral", "email"]
rows = []
for i in range(1, 3001):
    country = rng.choices(countries, weights)[0]
    channel = rng.choices(channels, [5, 3, 1, 1])[0]
    days = max(1, round(rng.gammavariate(1.3, 14)))
    minutes = round(rng.lognormvariate(3.2, 1.2) * math.sqrt(days / 10), 1)
    courses = min(30, int(rng.expovariate(1 / (0.4 + minutes / 300))))
    exams = sum(rng.random() < 0.5 for _ in range(courses))
    z = (-5.2 + 0.75 * math.log1p(minutes) + 0.5 * math.sqrt(courses) + 0.8 * (exams > 0)
         + 1.0 * (channel == "referral") + 0.6 * (country in ("US", "GB", "CA")) - 0.02 * days
         + rng.gauss(0, 0.5))
    bought = rng.random() < 1 / (1 + math.exp(-z))
    minutes_text = "" if rng.random() < 0.03 else repr(minutes)
    rows.append([str(i), country, channel, str(days), minutes_text, str(courses), str(exams), "1" if bought else "0"])
with open(out, "w", newline="\n") as f:
    f.write("student_id,country,channel,days_on_platform,minutes_watched,courses_started,exams_passed,purchased\n")
    for r in rows:
        f.write(",".join(r) + "\n")
