#!/usr/bin/env bash
# Two builds of isg compared on bench/peers-cpu.sh, runs alternating so that both see the same drift of this shared
# machine: `bash bench/peers-ab.sh OLD_ISG NEW_ISG` (each an `isg` launcher, e.g. of a `git worktree` at another
# commit). Each round runs peers-cpu.sh with REPS=3 per build and keeps repetitions 2 and 3 (the first warms up).
# Prints every kept line, then per build the medians of the sync time and of A's and B's CPU.
# Settings: ROUNDS (5), SMALL (0: one 256 MiB file per add; 1: 1,000 files of 4 KiB). Writes no docs.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
source "$ROOT/bench/lib.sh"
(($# == 2)) || { echo "usage: $0 OLD_ISG NEW_ISG" >&2; exit 2; }
ROUNDS="${ROUNDS:-5}"
out=$(mktemp); trap 'rm -f "$out"' EXIT
for _ in $(seq "$ROUNDS"); do
  for build in old new; do
    bin=$1; [[ $build == new ]] && bin=$2
    ISG_BIN=$bin REPS=3 bash "$ROOT/bench/peers-cpu.sh" 2>/dev/null | grep -E '^rep [23]:' | sed "s/^/$build /" | tee -a "$out"
  done
done
for build in old new; do
  sync=$(awk -v b=$build '$1 == b { print $8 }' "$out" | median)
  a=$(awk -v b=$build '$1 == b { print $11 }' "$out" | median)
  bcpu=$(awk -v b=$build '$1 == b { print $14 }' "$out" | median)
  echo "$build: sync median ${sync} s, A ${a} CPU-ms, B ${bcpu} CPU-ms ($(grep -c "^$build " "$out") adds)"
done
