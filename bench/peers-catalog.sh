#!/usr/bin/env bash
# Memory of catalogue sync at scale (issue 5's benchmark "RSS of two nodes syncing a catalogue of 100,000 files"):
# A holds FILES small distinct files (generated in folders of 250, added with `isg add` before the nodes start,
# timed on its own); a fresh device B of the same repository, paired with A, is started and timed until its
# GET /api/sync lists every file and its catalogue agrees with A's (root and log). First B with --fetch on-demand (the
# catalogue only), then a second fresh device with the default --fetch all (until it also holds every block). Peak
# RSS (VmHWM from /proc/PID/status) of both nodes is read after each phase. Target: <= 256 MiB per node.
# Settings: FILES (100000), BENCH_WORK (/tmp/isg-catalog-bench), FETCH_ALL (1: also run the fetch-all phase).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
source "$ROOT/bench/lib.sh"
ISG="${ISG_BIN:-$ROOT/isg}"
FILES="${FILES:-100000}"
FETCH_ALL="${FETCH_ALL:-1}"
WORK="${BENCH_WORK:-/tmp/isg-catalog-bench}"
install_packages $(missing_packages jq:jq curl:curl python3:python3)
"$ISG" --version >/dev/null            # builds the launcher's binary once, outside any timing

peers_workspace
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

first_device a
join_device b a; join_device full a
address_nodes a b full
pair a b; pair b a; pair a full; pair full a

# FILES distinct files of 40-100 bytes, 250 to a folder.
python3 - "$WORK/src/tree" "$FILES" <<'PY'
import os, sys
root, count = sys.argv[1], int(sys.argv[2])
for i in range(count):
    folder = os.path.join(root, f"d{i // 250:04d}")
    if i % 250 == 0:
        os.makedirs(folder)
    with open(os.path.join(folder, f"f{i:06d}.txt"), "w") as f:
        f.write(f"file {i} of the catalogue benchmark " + "x" * (i % 61) + "\n")
PY
t0=$(now); on a add "$WORK/src/tree" --as tree >/dev/null; add_secs=$(since "$t0"); add_load=$(loadavg)
entries=$(( FILES + (FILES + 249) / 250 + 1 ))   # files, their folders and the top folder
echo "isg add of $FILES files on A: ${add_secs} s (load $add_load); catalogue entries: $entries"

start_node a
wait_node a
rss_a_idle=$(rss "${PID[a]}")

# phase NODE JQ_CONDITION [OPTION...]: starts NODE, times it until its /api/sync satisfies the condition; sets secs, load.
phase() {
  local node=$1 condition=$2 t0; shift 2
  t0=$(now); start_node "$node" "$@"
  until status "$node" | jq -e --argjson n "$entries" "$condition" >/dev/null 2>&1; do sleep 0.2; done
  secs=$(since "$t0"); load=$(loadavg | cut -d' ' -f1)
}
phase b '.files == $n and .catalogConverged' --fetch on-demand; od_secs=$secs; od_load=$load
rss_a_od=$(rss "${PID[a]}"); rss_b=$(rss "${PID[b]}")
echo "on-demand B: ${od_secs} s (load $od_load); peak RSS A ${rss_a_od} MiB, B ${rss_b} MiB"
kill "${PID[b]}"; wait "${PID[b]}" 2>/dev/null || true
rows="| catalogue only (B: --fetch on-demand) | ${od_secs} s | ${rss_a_od} MiB | ${rss_b} MiB | ${od_load} |"
if [[ $FETCH_ALL == 1 ]]; then
  phase full '.files == $n and .catalogConverged and .blocksWanted == 0 and .blocksInFlight == 0'; fa_secs=$secs; fa_load=$load
  rss_a_fa=$(rss "${PID[a]}"); rss_full=$(rss "${PID[full]}")
  echo "fetch-all B: ${fa_secs} s (load $fa_load); peak RSS A ${rss_a_fa} MiB, B ${rss_full} MiB"
  rows+="
| catalogue and every block (B: --fetch all) | ${fa_secs} s | ${rss_a_fa} MiB (peak since A's start) | ${rss_full} MiB | ${fa_load} |"
fi
table="| B syncs from A | seconds (B's start to converged) | peak RSS of A | peak RSS of B | load (1 min) |
|---|---|---|---|---|
$rows"
echo "$table"

section_file=$(mktemp)
cat >"$section_file" <<MD
<!-- bench/peers-catalog.sh: begin -->
## RSS of two nodes syncing a catalogue of $(printf "%'d" "$FILES") files: \`bench/peers-catalog.sh\`

Run of $(date -u '+%Y-%m-%d %H:%M') UTC on $(machine_line 'avx2|gfni|aes'). A holds $(printf "%'d" "$FILES") distinct files of
40-100 bytes in folders of 250 ($entries catalogue entries; \`isg add\` took ${add_secs} s, load $add_load); a fresh
device B of the same repository, paired with A, is timed from its process start until its \`/api/sync\` lists every
entry and agrees with A (log and root), then, on a second fresh device, until it also holds every block. Peak RSS is
VmHWM from /proc (A idle after its start: ${rss_a_idle} MiB). Target: <= 256 MiB per node.

$table
<!-- bench/peers-catalog.sh: end -->
MD
write_section "$ROOT/docs/benchmarks.md" "<!-- bench/peers-catalog.sh: begin -->" "<!-- bench/peers-catalog.sh: end -->" "$section_file"
rm -f "$section_file"
