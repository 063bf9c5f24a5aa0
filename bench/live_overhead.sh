#!/usr/bin/env bash
# What the live page costs a training run: SimpleConvNet for one epoch, alternately without
# and with `--live` (a client reading the event stream, as an open page does), N pairs.
# Prints each pair's training seconds (from the metric log, so start-up and the final
# evaluation are left out) and the ratio live/plain, then the median ratio.
#
#   cargo build --release -p nabla-cli && bench/live_overhead.sh [PAIRS]
#
# Nothing polls while a run trains (a polling loop on a 2-core machine costs more than the
# page does): the live run's output is read by blocking reads.
set -euo pipefail
N="${NABLA_BIN:-target/release/nabla}"
PORT="${PORT:-8790}"
LOGS="$(mktemp -d)"
plain() {
  rm -f "$LOGS/a.csv"
  "$N" train --model simple-conv --epochs 1 --log "$LOGS/a.csv" > /dev/null
  tail -1 "$LOGS/a.csv" | awk -F, '{print $7}'
}
live() {
  rm -f "$LOGS/b.csv"
  "$N" train --model simple-conv --epochs 1 --live "$PORT" --log "$LOGS/b.csv" 2>/dev/null | {
    grep -m1 -q "live page"
    curl -sN "http://127.0.0.1:$PORT/events" > /dev/null &
    client=$!
    grep -m1 -q "serving the live page"
    kill "$client" 2>/dev/null || true
    pkill -f -- "--live $PORT" || true
  }
  tail -1 "$LOGS/b.csv" | awk -F, '{print $7}'
}
for i in $(seq 1 "${1:-10}"); do
  if [ $((i % 2)) = 0 ]; then a=$(plain); b=$(live); else b=$(live); a=$(plain); fi
  echo "$a $b" | awk '{printf "plain %s s  live %s s  ratio %.3f\n", $1, $2, $2 / $1}'
done | tee "$LOGS/pairs"
awk '{print $8}' "$LOGS/pairs" | sort -n |
  awk '{r[NR] = $1} END {printf "median ratio %.3f over %d pairs\n", (r[int((NR + 1) / 2)] + r[int(NR / 2) + 1]) / 2, NR}'
rm -rf "$LOGS"
