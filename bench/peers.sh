#!/usr/bin/env bash
# Peer sync beside Syncthing, same machine, same run (issue 5's benchmarks): the time until a second node holds
# 1,000 files of 4 KiB, and one 256 MiB file, added on the first. Two `isg node run` processes on 127.0.0.1 (one
# repository key, paired, mDNS off); each repetition adds fresh content on A, once with POST /api/add to A's node and
# once with an `isg add` process, and polls B's GET /api/sync every 20 ms (bench/time-sync.py) until B lists the new
# entries and has every block (converged), after one warm-up add of each size (timed and reported, not in the medians).
# Syncthing's figures come from ../shared/anchors/syncthing.sh (scan request on A to the last file complete on B) in
# the same run, interleaved: after each repetition of isg's, one run of the anchor (its own pair of instances, started
# and removed each time), with the page cache written out before each side. This host's speed drifts by a fifth over
# minutes; measured one after the other, the two tools met different hosts and the ratio moved with the drift.
# Five repetitions of each side by default: Syncthing's time varies by half between runs here, and a median of three
# moved the ratio by a tenth from run to run.
# Settings: REPS (5), BENCH_WORK (/tmp/isg-peers-bench), RUNS_ST (Syncthing runs per repetition, 1).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
source "$ROOT/bench/lib.sh"
ISG="${ISG_BIN:-$ROOT/isg}"
REPS="${REPS:-5}"
WORK="${BENCH_WORK:-/tmp/isg-peers-bench}"
install_packages $(missing_packages syncthing:syncthing jq:jq curl:curl python3:python3 openssl:openssl)
"$ISG" --version >/dev/null            # builds the launcher's binary once, outside any timing

peers_workspace
first_device a
join_device b a
address_nodes a b
pair a b; pair b a
for n in a b; do start_node $n; done
wait_node a b
for _ in $(seq 600); do [[ $(status b | jq '.peers | length') == 1 ]] && break; sleep 0.1; done

# time_add HOW PATH NAME ENTRIES: add PATH on A as NAME (HOW: cli = `isg add`, a process of its own; api = POST /api/add
# to the running node, the analogue of Syncthing's scan request), then wait until B lists ENTRIES entries in all and
# holds every block. One poller process asks B every 20 ms over one connection (bench/time-sync.py says why).
TOKEN_A=$(cat "$WORK/a/api-token")
time_add() {
  local add
  if [[ $1 == cli ]]; then
    add=(env ISG_REPO="$WORK/a" "$ISG" add "$2" --as "$3")
  else
    add=(curl -sf -X POST -H "Authorization: Bearer $TOKEN_A"
         "http://127.0.0.1:${HTTP[a]}/api/add?path=$(jq -rn --arg p "$2" '$p|@uri')&as=$3")
  fi
  python3 "$ROOT/bench/time-sync.py" "http://127.0.0.1:${HTTP[b]}/api/sync" "$4" 0.02 -- "${add[@]}" | cut -d' ' -f1
}
# One untimed-in-the-median warm-up add of each kind first: a node's first large add after its start also pays for
# compiling its hot paths (tiered JIT) and for faulting in its buffer pools, which a running node has done long before.
# Its time is printed and recorded beside the table, not hidden.
mkdir -p "$WORK/src/small-warm"; content 7 4096000 | split -b 4096 -a 4 -d - "$WORK/src/small-warm/f"
warm_small=$(time_add api "$WORK/src/small-warm" small-warm 1001)
content 1007 $((256 << 20)) >"$WORK/src/big-warm.bin"
warm_big=$(time_add api "$WORK/src/big-warm.bin" big-warm.bin 1002)
rm -f "$WORK/src/big-warm.bin"
echo "warm-up adds (not in the medians): 1,000 files ${warm_small} s, 256 MiB ${warm_big} s"
# syncthing_round: one run of the anchor (RUNS_ST repetitions of each case); appends its times to st_small / st_big.
st_small=(); st_big=()
syncthing_round() {
  local out
  sync
  out=$(RUNS_ST="${RUNS_ST:-1}" bash "$ROOT/../shared/anchors/syncthing.sh" 2>&1 | tee -a "$WORK/syncthing.out")
  st_small+=($(sed -n 's/.*1,000 x 4 KiB.* s median (\([0-9. ]*\)).*/\1/p' <<<"$out"))
  st_big+=($(sed -n 's/.*one 256 MiB file.* s median (\([0-9. ]*\)).*/\1/p' <<<"$out"))
}
: >"$WORK/syncthing.out"
entries=1002; small=(); big=(); small_cli=(); big_cli=()
for r in $(seq "$REPS"); do
  sync
  for how in api cli; do
    name="$how$r"; seed=$((r * 10 + $([[ $how == api ]] && echo 1 || echo 2)))
    mkdir -p "$WORK/src/small-$name"; content "$seed" 4096000 | split -b 4096 -a 4 -d - "$WORK/src/small-$name/f"
    entries=$((entries + 1001)); t=$(time_add "$how" "$WORK/src/small-$name" "small-$name" $entries)
    if [[ $how == api ]]; then small+=("$t"); else small_cli+=("$t"); fi
    content "$((1000 + seed))" $((256 << 20)) >"$WORK/src/big-$name.bin"
    entries=$((entries + 1)); t=$(time_add "$how" "$WORK/src/big-$name.bin" "big-$name.bin" $entries)
    if [[ $how == api ]]; then big+=("$t"); else big_cli+=("$t"); fi
    on b get "big-$name.bin" -o "$WORK/check.bin" >/dev/null
    cmp -s "$WORK/src/big-$name.bin" "$WORK/check.bin" || { echo "MISMATCH big-$name" >&2; exit 1; }
    rm -f "$WORK/check.bin" "$WORK/src/big-$name.bin"
  done
  syncthing_round
done
isg_small=$(printf '%s\n' "${small[@]}" | median); isg_big=$(printf '%s\n' "${big[@]}" | median)
cli_small=$(printf '%s\n' "${small_cli[@]}" | median); cli_big=$(printf '%s\n' "${big_cli[@]}" | median)
rss_a=$(rss "${PID[a]}"); rss_b=$(rss "${PID[b]}")
load_run=$(loadavg)
for n in a b; do kill -TERM "${PID[$n]}" 2>/dev/null || true; done
for n in a b; do wait "${PID[$n]}" 2>/dev/null || true; done
[[ ${#st_small[@]} -gt 0 && ${#st_big[@]} -gt 0 ]] || { echo "no Syncthing figures (see $WORK/syncthing.out)" >&2; exit 1; }
st_small_med=$(printf '%s\n' "${st_small[@]}" | median); st_big_med=$(printf '%s\n' "${st_big[@]}" | median)
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.2f", x / y }'; }
table="| case | isg, POST /api/add (median of $REPS) | Syncthing (same run, interleaved) | isg / Syncthing | isg, \`isg add\` process (median of $REPS) |
|---|---|---|---|---|
| 1,000 files of 4 KiB, A -> B | ${isg_small} s (${small[*]}) | ${st_small_med} s (${st_small[*]}) | $(ratio "$isg_small" "$st_small_med") | ${cli_small} s (${small_cli[*]}) |
| one 256 MiB file, A -> B | ${isg_big} s (${big[*]}) | ${st_big_med} s (${st_big[*]}) | $(ratio "$isg_big" "$st_big_med") | ${cli_big} s (${big_cli[*]}) |"
echo "$table"
echo "peak RSS: node A ${rss_a} MiB, node B ${rss_b} MiB; load at the end: $load_run"

section_file=$(mktemp)
cat >"$section_file" <<MD
<!-- bench/peers.sh: begin -->
## Peer sync beside Syncthing: \`bench/peers.sh\`

Run of $(date -u '+%Y-%m-%d %H:%M') UTC on $(machine_line 'avx2|gfni|aes'). Two \`isg node run\` processes on 127.0.0.1
(B joined with \`isg init --join\`, paired, redundancy 0), timed from the add on A (its chunking, compression and
sealing included) until B's \`/api/sync\` lists the entries and holds every block. The add is a \`POST /api/add\` to
A's running node, the analogue of Syncthing's REST scan request; the last column times the same with an \`isg add\`
process (its start included; it hands the add to A's node, which streams its progress back). Each node first makes one warm-up add of each size, not in the
medians: ${warm_small} s for the 1,000 files and ${warm_big} s for 256 MiB (the node's first large add also compiles its
hot paths and fills its buffer pools). Syncthing from \`../shared/anchors/syncthing.sh\` (scan request to the last
file complete on B), same machine, same run, interleaved: after each of isg's repetitions, one run of the anchor with
its own fresh pair of instances (${RUNS_ST:-1} repetition(s) each), the page cache written out before each side.
Target: isg / Syncthing <= 0.5.

$table

Peak RSS of the isg nodes over the run: A ${rss_a} MiB, B ${rss_b} MiB. Load average at the end of the run: $load_run.
<!-- bench/peers.sh: end -->
MD
write_section "$ROOT/docs/benchmarks.md" "<!-- bench/peers.sh: begin -->" "<!-- bench/peers.sh: end -->" "$section_file"
rm -f "$section_file"
