#!/usr/bin/env bash
# Where a 256 MiB sync's time and CPU go, per add: two `isg node run` processes on 127.0.0.1 set up as in
# bench/peers.sh; each repetition adds a fresh 256 MiB file on A with POST /api/add and prints the add's time (until
# the request returns), the sync's time (until B's /api/sync lists it and holds every block, polled every 10 ms by
# bench/time-sync.py), the CPU time A and B used meanwhile (utime + stime from /proc), and how long the disk holding
# the workspace had requests in flight and how much was written to it (io_ticks and sectors from /proc/diskstats:
# both nodes store what they add or fetch). With ALONE=1 only A runs: the add alone. With SMALL=1 each repetition adds a directory of 1,000 files of 4 KiB instead.
# Settings: REPS (4), ALONE (0), SMALL (0), BENCH_WORK (/tmp/isg-peers-cpu). Prints one line per repetition; writes no docs.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
source "$ROOT/bench/lib.sh"
ISG="${ISG_BIN:-$ROOT/isg}"
REPS="${REPS:-4}"
ALONE="${ALONE:-0}"
SMALL="${SMALL:-0}"
WORK="${BENCH_WORK:-/tmp/isg-peers-cpu}"
install_packages $(missing_packages jq:jq curl:curl python3:python3 openssl:openssl)
"$ISG" --version >/dev/null

nodes=(a); [[ $ALONE == 1 ]] || nodes=(a b)
peers_workspace
first_device a
[[ $ALONE == 1 ]] || join_device b a
address_nodes "${nodes[@]}"
if [[ $ALONE != 1 ]]; then pair a b; pair b a; fi
for n in "${nodes[@]}"; do start_node "$n"; done
wait_node "${nodes[@]}"
if [[ $ALONE != 1 ]]; then
  for _ in $(seq 600); do [[ $(status b | jq '.peers | length') == 1 ]] && break; sleep 0.1; done
fi

TOKEN_A=$(cat "$WORK/a/api-token")
cpu_ms() { awk '{ print ($14 + $15) * 10 }' "/proc/$1/stat"; }
# The disk holding the workspace (a partition's parent disk), as /proc/diskstats names it.
source_device=$(df --output=source "$WORK" | tail -1)
disk=$(lsblk -no PKNAME "$source_device" 2>/dev/null | head -1 || true)
[[ -n $disk ]] || disk=$(basename "$source_device")
disk_stats() { awk -v d="$disk" '$3 == d { print $13, $10 }' /proc/diskstats; }  # busy ms, sectors written
# ", disk NAME busy MS ms, N MiB written" since the disk_stats line $1, or nothing when the disk is not in diskstats.
disk_delta() {
  local b0 w0 b1 w1
  read -r b0 w0 <<<"$1"; read -r b1 w1 <<<"$(disk_stats)"
  if [[ -n $b0 && -n $b1 ]]; then echo ", disk $disk busy $((b1 - b0)) ms, $(((w1 - w0) / 2048)) MiB written"; fi
}
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
for r in $(seq "$REPS"); do
  if [[ $SMALL == 1 ]]; then
    mkdir -p "$WORK/src/big$r.bin"; content "$((100 + r))" 4096000 | split -b 4096 -a 4 -d - "$WORK/src/big$r.bin/f"
  else
    content "$((100 + r))" $((256 << 20)) >"$WORK/src/big$r.bin"
  fi
  files=$(( SMALL == 1 ? r * 1001 : r ))
  d0=$(disk_stats); a0=$(cpu_ms "${PID[a]}"); [[ $ALONE == 1 ]] || b0=$(cpu_ms "${PID[b]}")
  add=(curl -sf -X POST -H "Authorization: Bearer $TOKEN_A" "http://127.0.0.1:${HTTP[a]}/api/add?path=$WORK/src/big$r.bin&as=big$r.bin")
  if [[ $ALONE == 1 ]]; then
    t0=$(now); "${add[@]}" >/dev/null; t1=$(now)
    echo "rep $r: add $(seconds "$t0" "$t1") s, A $(( $(cpu_ms "${PID[a]}") - a0 )) CPU-ms$(disk_delta "$d0")"
  else
    read -r sync added < <(python3 "$ROOT/bench/time-sync.py" "http://127.0.0.1:${HTTP[b]}/api/sync" "$files" 0.01 -- "${add[@]}")
    echo "rep $r: add $added s, sync $sync s, A $(( $(cpu_ms "${PID[a]}") - a0 )) CPU-ms, B $(( $(cpu_ms "${PID[b]}") - b0 )) CPU-ms$(disk_delta "$d0")"
  fi
  rm -rf "$WORK/src/big$r.bin"
done
echo "peak RSS: $(for n in "${nodes[@]}"; do printf '%s %s MiB ' "$n" "$(rss "${PID[$n]}")"; done)load $(loadavg)"
