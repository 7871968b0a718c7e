#!/usr/bin/env bash
# The Slurm recipe of docs/scale-out.md on a one-node cluster started here (tools/slurm_local.sh): an array of three
# shards of the quickstart and an assembly job that depends on it must write the committed report; when one shard
# fails, the assembly must be cancelled (--kill-on-invalid-dep=yes), not left pending. Stops only what it started.
#
#     tools/slurm_check.sh [ASSAY_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(realpath "${1:-.build/release/assay}")"
work="$(mktemp -d)"
trap 'tools/slurm_local.sh stop "$work"; rm -rf "$work"' EXIT
eval "$(tools/slurm_local.sh start "$work" | grep '^export ')"
wait_for() {  # job ids, comma-separated: until squeue no longer lists them (at most 60 s)
  for _ in $(seq 1 300); do [ -z "$(squeue -h -j "$1" 2> /dev/null)" ] && return 0; sleep 0.2; done
  echo "slurm jobs $1 did not finish in 60 s"; return 1
}
submit() {  # WRAP_COMMAND [sbatch options…]: the job id
  local wrap="$1"; shift
  sbatch --parsable --chdir "$PWD" "$@" --wrap "$wrap"
}
cache="$work/cache"
array=$(submit "$bin run experiments/quickstart.yaml --shard \${SLURM_ARRAY_TASK_ID}/3 --cache-dir $cache" --array=1-3 --output "$work/shard-%a.log")
assemble=$(submit "$bin run experiments/quickstart.yaml --assemble --cache-dir $cache --out $work/runs --models-dir $work/models" \
  --dependency=afterok:$array --kill-on-invalid-dep=yes --output "$work/assemble.log")
wait_for "$array,$assemble"
diff -r "$work/runs/quickstart" runs/quickstart > /dev/null || { echo "the Slurm-assembled quickstart differs from the committed report"; cat "$work/assemble.log"; exit 1; }
echo "slurm: an array of 3 shards and its assembly job wrote the committed report"

cache="$work/cache-failing"
array=$(submit "if [ \${SLURM_ARRAY_TASK_ID} = 2 ]; then exit 1; fi; $bin run experiments/quickstart.yaml --shard \${SLURM_ARRAY_TASK_ID}/3 --cache-dir $cache" \
  --array=1-3 --output "$work/failing-%a.log")
assemble=$(submit "$bin run experiments/quickstart.yaml --assemble --cache-dir $cache --out $work/failing-runs" \
  --dependency=afterok:$array --kill-on-invalid-dep=yes --output "$work/failing-assemble.log")
wait_for "$array,$assemble"
scontrol show job "$assemble" | grep -q "JobState=CANCELLED" || { echo "the assembly after a failed shard was not cancelled"; scontrol show job "$assemble"; exit 1; }
[ ! -e "$work/failing-runs" ] || { echo "a report was written although a shard failed"; exit 1; }
echo "slurm: with a failed shard the assembly job was cancelled, and no report written"
