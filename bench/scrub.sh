#!/usr/bin/env bash
# Scrub benchmark: a repository of SCRUB_MIB (default 1024) MiB of random data on three local backends with
# 4+2 stripes (parity included, about 1.5x the data is stored), then `isg verify` (every data and parity shard:
# fetch, length, AEAD open + block hash, or parity hash) at an unlimited rate, RUNS times (default 3).
# The page cache is warm (the data was just written; dropping caches would disturb other work on the machine),
# so this measures the scrub's CPU path, not the disk. Prints the timings and one Markdown row.
#
# Environment: SCRUB_MIB, RUNS, SCRUB_WORK (default /tmp/isg-scrub-bench), SCRUB_REDUNDANCY (default 4+2),
# ISG_BIN (default ./isg), SCRUB_KEEP=1 keeps the work folder.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
ISG="${ISG_BIN:-$ROOT/isg}"
MIB="${SCRUB_MIB:-1024}"
RUNS="${RUNS:-3}"
WORK="${SCRUB_WORK:-/tmp/isg-scrub-bench}"
REDUNDANCY="${SCRUB_REDUNDANCY:-4+2}"
export ISG_PASSPHRASE=isg-scrub-bench ISG_REPO="$WORK/repo"

"$ISG" --version >/dev/null            # builds the launcher's binary once, outside any timing
rm -rf "$WORK"
mkdir -p "$WORK/data"
trap '[[ ${SCRUB_KEEP:-0} == 1 ]] || rm -rf "$WORK"' EXIT

"$ISG" -q init "$ISG_REPO" --kdf-memory 8
"$ISG" -q backend add local b1 --path "$WORK/b1"
"$ISG" -q backend add local b2 --path "$WORK/b2"
"$ISG" -q config set redundancy "$REDUNDANCY"
# Several files so that blocks of different files share stripes, as in real use.
for i in 0 1 2 3; do
  head -c $((MIB * 1048576 / 4)) /dev/urandom >"$WORK/data/part-$i.bin"
done
"$ISG" -q add "$WORK/data"
stored=$(du -sb "$ISG_REPO/blocks" "$WORK/b1" "$WORK/b2" | awk '{ s += $1 } END { print s }')
echo "repository: $MIB MiB of data, $((stored / 1048576)) MiB stored with $REDUNDANCY over 3 local backends" >&2

times=()
for ((run = 1; run <= RUNS; run++)); do
  started=$(date +%s.%N)
  json=$("$ISG" -q verify --json)
  ended=$(date +%s.%N)
  wall=$(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.2f", b - a }')
  pass=$(jq -r '.durationSeconds' <<<"$json")
  shards=$(jq -r '.shards' <<<"$json")
  bytes=$(jq -r '.bytes' <<<"$json")
  [[ $(jq -r '.healthy' <<<"$json") == true ]] || { echo "verify found damage: $json" >&2; exit 1; }
  echo "run $run: $shards shards, $((bytes / 1048576)) MiB verified; pass $pass s, whole process $wall s" >&2
  times+=("$pass $wall")
done

best=$(printf '%s\n' "${times[@]}" | sort -n | head -1)
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }')
read -r best_pass best_wall <<<"$best"
read -r median_pass median_wall <<<"$median"
rate=$(awk -v b="$bytes" -v s="$median_pass" 'BEGIN { printf "%.0f", b / s / 1048576 }')
echo "| $MIB MiB data, $((bytes / 1048576)) MiB stored ($REDUNDANCY, 3 local backends) | $shards | $median_pass s (best $best_pass s) | $median_wall s (best $best_wall s) | $rate MiB/s |"
