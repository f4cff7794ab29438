#!/usr/bin/env bash
# Peer sync beside Syncthing, same machine, same run (issue 5's benchmarks): the time until a second node holds
# 1,000 files of 4 KiB, and one 256 MiB file, added on the first. Two `isg node run` processes on 127.0.0.1 (one
# repository key, paired, mDNS off); each repetition adds fresh content on A with `isg add` and polls B's
# GET /api/sync every 20 ms until B lists the new entries and has every block (converged). Syncthing's figures come
# from ../shared/anchors/syncthing.sh (scan request on A to the last file complete on B) in the same run.
# Settings: REPS (3), BENCH_WORK (/tmp/isg-peers-bench), RUNS_ST (Syncthing repetitions, 3).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
source "$ROOT/bench/lib.sh"
ISG="${ISG_BIN:-$ROOT/isg}"
REPS="${REPS:-3}"
WORK="${BENCH_WORK:-/tmp/isg-peers-bench}"
install_packages $(missing_packages syncthing:syncthing jq:jq curl:curl python3:python3 openssl:openssl)
"$ISG" --version >/dev/null            # builds the launcher's binary once, outside any timing

rm -rf "$WORK"; mkdir -p "$WORK/src"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
export ISG_PASSPHRASE=bench-passphrase ISG_NO_MDNS=1
on() { local node=$1; shift; ISG_REPO="$WORK/$node" "$ISG" "$@"; }

on a init --kdf-memory 8 >/dev/null
on a config set redundancy 0 >/dev/null   # Syncthing keeps no parity either
mkdir -p "$WORK/b/keys" "$WORK/b/blocks"
cp "$WORK/a/isg-repository.json" "$WORK/b/"; cp "$WORK/a/keys/"* "$WORK/b/keys/"
declare -A PEER HTTP ID
for n in a b; do PEER[$n]=$(free_port); HTTP[$n]=$(free_port); ID[$n]=$(on $n id --json | jq -r .deviceId); done
on b config set redundancy 0 >/dev/null
on a peer add "${ID[b]}" --address "127.0.0.1:${PEER[b]}" >/dev/null
on b peer add "${ID[a]}" --address "127.0.0.1:${PEER[a]}" >/dev/null
for n in a b; do
  ISG_REPO="$WORK/$n" ISG_PEER_LISTEN="127.0.0.1:${PEER[$n]}" "$ISG" node run --listen "127.0.0.1:${HTTP[$n]}" >"$WORK/$n.log" 2>&1 &
  pids+=($!)
done
status() { curl -sf "http://127.0.0.1:${HTTP[$1]}/api/sync"; }
for n in a b; do for _ in $(seq 600); do status $n >/dev/null 2>&1 && break; sleep 0.1; done; done
for _ in $(seq 600); do [[ $(status b | jq '.peers | length') == 1 ]] && break; sleep 0.1; done

content() { openssl enc -aes-256-ctr -nosalt -K "$(printf '%064x' "$1")" -iv "$(printf '%032d' 9)" -in /dev/zero 2>/dev/null | head -c "$2" || true; }
# time_add PATH NAME ENTRIES: isg add on A (as NAME), then until B lists ENTRIES entries in all and holds every block.
time_add() {
  local t0 t1; t0=$(now)
  on a add "$1" --as "$2" >/dev/null
  until status b | jq -e --argjson n "$3" '.files == $n and .converged' >/dev/null; do sleep 0.02; done
  t1=$(now); awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
entries=0; small=(); big=()
for r in $(seq "$REPS"); do
  mkdir -p "$WORK/src/small$r"; content "$r" 4096000 | split -b 4096 -a 4 -d - "$WORK/src/small$r/f"
  entries=$((entries + 1001)); small+=("$(time_add "$WORK/src/small$r" "small$r" $entries)")
  content "$((100 + r))" $((256 << 20)) >"$WORK/src/big$r.bin"
  entries=$((entries + 1)); big+=("$(time_add "$WORK/src/big$r.bin" "big$r.bin" $entries)")
  on b get "big$r.bin" -o "$WORK/check.bin" >/dev/null
  cmp -s "$WORK/src/big$r.bin" "$WORK/check.bin" || { echo "MISMATCH big$r" >&2; exit 1; }
  rm -f "$WORK/check.bin" "$WORK/src/big$r.bin"
done
rss() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
isg_small=$(printf '%s\n' "${small[@]}" | median); isg_big=$(printf '%s\n' "${big[@]}" | median)
rss_a=$(rss "${pids[0]}"); rss_b=$(rss "${pids[1]}")
load_isg=$(loadavg)

anchor=$(RUNS_ST="${RUNS_ST:-3}" bash "$ROOT/../shared/anchors/syncthing.sh" 2>&1 | tee "$WORK/syncthing.out")
st_small=$(sed -n 's/.*1,000 x 4 KiB.* | \([0-9.]*\) s median.*/\1/p' <<<"$anchor")
st_big=$(sed -n 's/.*one 256 MiB file.* | \([0-9.]*\) s median.*/\1/p' <<<"$anchor")
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { if (y > 0) printf "%.2f", x / y; else print "n/a" }'; }
table="| case | isg (median of $REPS) | Syncthing (same run) | isg / Syncthing |
|---|---|---|---|
| 1,000 files of 4 KiB, A -> B | ${isg_small} s (${small[*]}) | ${st_small:-n/a} s | $(ratio "$isg_small" "${st_small:-0}") |
| one 256 MiB file, A -> B | ${isg_big} s (${big[*]}) | ${st_big:-n/a} s | $(ratio "$isg_big" "${st_big:-0}") |"
echo "$table"
echo "peak RSS: node A ${rss_a} MiB, node B ${rss_b} MiB; load during isg: $load_isg"

section_file=$(mktemp)
cat >"$section_file" <<MD
<!-- bench/peers.sh: begin -->
## Peer sync beside Syncthing: \`bench/peers.sh\`

Run of $(date -u '+%Y-%m-%d %H:%M') UTC on $(machine_line 'avx2|gfni|aes'). Two \`isg node run\` processes on 127.0.0.1
(one repository key, paired, redundancy 0), timed from \`isg add\` on A (including its chunking, sealing and the
CLI's start) until B's \`/api/sync\` lists the entries and holds every block; Syncthing from
\`../shared/anchors/syncthing.sh\` (scan request to the last file complete on B), same machine, same run. Target:
isg / Syncthing <= 0.5.

$table

Peak RSS of the isg nodes over the run: A ${rss_a} MiB, B ${rss_b} MiB. Load average while isg ran: $load_isg.
<!-- bench/peers.sh: end -->
MD
write_section "$ROOT/docs/benchmarks.md" "<!-- bench/peers.sh: begin -->" "<!-- bench/peers.sh: end -->" "$section_file"
rm -f "$section_file"
