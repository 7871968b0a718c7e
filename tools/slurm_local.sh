#!/usr/bin/env bash
# A one-node Slurm cluster on 127.0.0.1 for trying and testing `assay run --shard` arrays, without systemd:
# munged with its own key and socket, slurmctld and slurmd in the background, state under WORK.
#
#     tools/slurm_local.sh start WORK     prints "export SLURM_CONF=…" and "pids …" once sinfo answers
#     tools/slurm_local.sh stop WORK      stops the PIDs it started
set -euo pipefail
cmd="$1"; work="$2"
if [ "$cmd" = stop ]; then
  [ -f "$work/pids" ] || exit 0
  pids="$(cat "$work/pids")"
  kill $pids 2> /dev/null || true
  for _ in $(seq 1 50); do  # until they have exited (slurmctld saves its state first), at most 5 s
    alive=""; for p in $pids; do kill -0 "$p" 2> /dev/null && alive="$alive $p"; done
    [ -z "$alive" ] && exit 0
    sleep 0.1
  done
  exit 0
fi
mkdir -p "$work/munge" "$work/state" "$work/spool" "$work/log"
chmod 0755 "$work" "$work/munge"
host="$(hostname)"
cpus="$(nproc)"
dd if=/dev/urandom bs=1 count=1024 of="$work/munge/munge.key" 2> /dev/null
chmod 0400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/log/munged.log" --seed-file="$work/munge/seed"
cat > "$work/slurm.conf" <<CONF
ClusterName=assay
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
SchedulerParameters=sched_min_interval=0,batch_sched_delay=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
slurmctld -D -f "$SLURM_CONF" > "$work/log/slurmctld.out" 2>&1 &
ctld=$!
slurmd -D -f "$SLURM_CONF" > "$work/log/slurmd.out" 2>&1 &
sd=$!
echo "$ctld $sd $(cat "$work/munge/munged.pid" 2> /dev/null)" > "$work/pids"
for _ in $(seq 1 100); do
  if sinfo -h -o %T 2> /dev/null | grep -q idle; then echo "export SLURM_CONF=$SLURM_CONF"; echo "pids $(cat "$work/pids")"; exit 0; fi
  sleep 0.1
done
echo "slurm did not come up; see $work/log" >&2
tail -5 "$work/log/slurmctld.log" "$work/log/slurmd.log" >&2 || true
exit 1
