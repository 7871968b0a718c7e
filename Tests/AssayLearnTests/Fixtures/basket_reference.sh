#!/bin/sh
# Regenerates groceries_itemsets.csv and groceries_rules.csv: mlxtend's FP-growth itemsets and the rules at the peer's
# groceries thresholds (support 0.001, confidence 0.1), written by ../shared/peers/basket_peer.py.
# Run from this folder with the peer's Python: PY=/tmp/peer/bin/python sh basket_reference.sh
set -e
shared=../../../../shared
"${PY:-python3}" "$shared/peers/basket_peer.py" "$shared/data/groceries_dataset.csv" --preset groceries --sections basket \
    --itemsets-out groceries_itemsets.csv --rules-out groceries_rules.csv > /dev/null
