#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine (munge, slurmctld, slurmd, one partition
# with every CPU), to try the sbatch scripts beside it on a laptop or in CI. Run as root on
# Debian or Ubuntu after `apt-get install slurmctld slurmd slurm-client munge`. Writes
# /etc/slurm/slurm.conf (an existing one is kept as slurm.conf.before-nabla). Stop it with
# `pkill slurmd; pkill slurmctld; pkill munged`.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "single-node.sh: run as root (it starts daemons and writes /etc/slurm)" >&2
  exit 1
fi
for daemon in munged slurmctld slurmd; do
  command -v "$daemon" >/dev/null || {
    echo "single-node.sh: $daemon not found: apt-get install slurmctld slurmd slurm-client munge" >&2
    exit 1
  }
done

host=$(hostname -s)
cpus=$(nproc)

# munge authenticates every message between Slurm's daemons and commands.
mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
fi
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
chmod 0700 /etc/munge /var/lib/munge /var/log/munge
chmod 0400 /etc/munge/munge.key
chmod 0755 /run/munge
if ! pgrep -x munged >/dev/null; then
  runuser -u munge -- munged
fi

mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
if [ -f /etc/slurm/slurm.conf ] && [ ! -f /etc/slurm/slurm.conf.before-nabla ]; then
  cp /etc/slurm/slurm.conf /etc/slurm/slurm.conf.before-nabla
fi
# No cgroups (containers and CI runners rarely allow them): processes are tracked through
# /proc and tasks are not pinned. Cores are the only resource scheduled.
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=nabla-single
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=nabla Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd

# Ready when the node takes jobs.
for _ in $(seq 60); do
  if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
    sinfo
    exit 0
  fi
  sleep 1
done
echo "single-node.sh: the node did not come up; see /var/log/slurm/*.log" >&2
sinfo >&2 || true
exit 1
