#!/usr/bin/env bash
# Runs each study as N shards, one after another, then --assemble, and compares the report with the committed one
# byte for byte; prints the fits each shard ran (they must add up to the unsharded run's CV fits) and the CPU time of
# the shards and the assembly against an unsharded run.
#
#     tools/shard_check.sh [N] [spec ...]      (default N 4, every study in experiments/ but the quickstart)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-4}"; shift || true
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(experiments/student_purchase.yaml experiments/audiobooks.yaml experiments/buyer_activity.yaml \
  experiments/buyer_activity_revenue.yaml experiments/online_shoppers.yaml experiments/bank_marketing.yaml)
swift build -c release --product assay > /dev/null
bin=.build/release/assay
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cpu() { awk '{print $1 + $2}' "$1"; }
for spec in "${specs[@]}"; do
  name="$(sed -n 's/^name: *//p' "$spec")"
  fits=0; shard_cpu=0
  for i in $(seq 1 "$n"); do
    /usr/bin/time -f "%U %S" -o "$work/t" "$bin" run "$spec" --shard "$i/$n" --cache-dir "$work/c-$name" --stats-json "$work/s" 2> /dev/null
    fits=$((fits + $(sed 's/.*"fits_executed": \([0-9]*\).*/\1/' "$work/s")))
    shard_cpu=$(echo "$shard_cpu + $(cpu "$work/t")" | bc)
  done
  /usr/bin/time -f "%U %S" -o "$work/t" "$bin" run "$spec" --assemble --cache-dir "$work/c-$name" --out "$work/runs" --models-dir "$work/m" \
    --stats-json "$work/s" 2> /dev/null
  assembled_fits=$(sed 's/.*"fits_executed": \([0-9]*\).*/\1/' "$work/s")
  total_cpu=$(echo "$shard_cpu + $(cpu "$work/t")" | bc)
  /usr/bin/time -f "%U %S" -o "$work/t" "$bin" run "$spec" --cache-dir "$work/full-$name" --out "$work/full" --models-dir "$work/m" \
    --stats-json "$work/s" 2> /dev/null
  full_fits=$(sed 's/.*"fits_executed": \([0-9]*\).*/\1/' "$work/s")
  full_cpu=$(cpu "$work/t")
  same=identical
  diff -r -x '*.assaymodel' "$work/runs/$name" "runs/$name" > /dev/null || same=DIFFERENT
  echo "$name: $n shards ran $fits CV fits, assembly $assembled_fits refits (unsharded: $full_fits fits); report $same;" \
    "CPU $total_cpu s sharded vs $full_cpu s unsharded"
done
