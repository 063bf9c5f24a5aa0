#!/usr/bin/env bash
# Submits a sweep as N shards and the merge that waits for them, from the project's root:
#
#   deploy/slurm/submit.sh 8 --seeds 100
#
# cuts `cargo xtask experiments --seeds 100` into 8 array tasks and merges them into
# target/sweep/report/. Settings as in shards.sbatch (NABLA_XTASK, NABLA_SWEEP, NABLA_DATA,
# NABLA_REPORT); extra sbatch flags (a partition, an account) in SBATCH_FLAGS.
set -euo pipefail
if [ $# -lt 1 ] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 SHARDS [experiments flags...]   (e.g. $0 8 --seeds 100)" >&2
  exit 2
fi
shards=$1
shift
here=$(dirname "$0")
NABLA_ARGS="${*:---seeds 100}"
export NABLA_ARGS
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_FLAGS:-} --array=0-$((shards - 1)) "$here/shards.sbatch")
# A shard that fails cancels the merge instead of leaving it pending for ever.
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_FLAGS:-} --dependency=afterok:"$array" \
  --kill-on-invalid-dep=yes "$here/merge.sbatch")
echo "shards: job array $array ($shards tasks); merge: job $merge (after all succeed)"
echo "watch: squeue -j $array,$merge    partial look: ${NABLA_XTASK:-target/release/xtask} experiments merge --partial ${NABLA_SWEEP:-target/sweep} --out /tmp/look"
