#!/usr/bin/env bash
# Isg's Reed-Solomon codec beside ISA-L's own C harness and par2, in one run (issue 3, item 7):
#   1. ../shared/anchors/rs-isal.sh: ISA-L's ec_encode_data from C (pinned to CPU 0 by the anchor itself); its binary is
#      then run again per configuration, interleaved with step 2
#   2. isg bench erasure --json, pinned to CPU 1: our ISA-L P/Invoke path and our managed codec, k+m = 10+4 and 4+2,
#      64 KiB and 1 MiB shards, encode and reconstruct (m data shards lost), hot and stream, timed like the C harness
#      (iterations doubled until one pass lasts >= 0.2 s, then the median of 5 trials; 64-byte aligned shards)
#   3. ../shared/anchors/par2.sh: par2 create -r10 -t1 and repair -t1 on the anchors' 256 MiB random file
# The C binary and isg run ROUNDS times per configuration (k+m, shard), alternating which goes first, and each figure
# is the median over the rounds, so a burst of load from other processes hits both alike. A last pass measures our codec on GC byte[] shards (hot only).
# GB/s = payload bytes (k × shard) per second, 10^9, the C harness's convention.
# Writes the erasure section of docs/benchmarks.md (between the markers below, other sections untouched).
#
# Environment: ROUNDS (default 3), ISG_ANCHORS (default ../shared/anchors from the repository root), ANCHORS_DATA
# (default /tmp/anchors-data), ISG_BENCH_WORK (default /tmp/isg-erasure-bench), ISG_BENCH_DOC (default
# docs/benchmarks.md), ISG_BIN (default ./isg), RUNS_PAR2 (par2 runs, default 3), ISG_CPU (default 1), ISG_BENCH_ARGS
# (more options for isg bench erasure, e.g. "--trials 1 --min-seconds 0.01" for a smoke test).
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
ANCHORS="${ISG_ANCHORS:-$ROOT/../shared/anchors}"
# A git worktree under /work/wt/NAME sits one level deeper than the main checkout.
[[ -n ${ISG_ANCHORS:-} || -d $ANCHORS ]] || ANCHORS="$ROOT/../../shared/anchors"
DATA="${ANCHORS_DATA:-/tmp/anchors-data}"
WORK="${ISG_BENCH_WORK:-/tmp/isg-erasure-bench}"
DOC="${ISG_BENCH_DOC:-$ROOT/docs/benchmarks.md}"
ISG="${ISG_BIN:-$ROOT/isg}"
ROUNDS="${ROUNDS:-3}"
CPU_OURS="${ISG_CPU:-1}"
BEGIN_MARK="<!-- bench/erasure.sh: begin -->"
END_MARK="<!-- bench/erasure.sh: end -->"

# --- prerequisites -------------------------------------------------------------------------------------------
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
need() {
  local missing
  mapfile -t missing < <(missing_packages gcc:gcc par2:par2 hyperfine:hyperfine jq:jq taskset:util-linux openssl:openssl)
  [[ -f /usr/include/isa-l/erasure_code.h ]] || missing+=(libisal-dev)
  [[ $(ldconfig -p 2>/dev/null || true) == *"libisal.so.2 "* ]] || missing+=(libisal2)
  install_packages "${missing[@]}"
}
need
[[ -f $ANCHORS/rs-isal.sh && -f $ANCHORS/par2.sh ]] \
  || { echo "anchors not found at $ANCHORS (set ISG_ANCHORS to the folder holding rs-isal.sh and par2.sh)" >&2; exit 1; }
[[ -f $DATA/.complete ]] || ANCHORS_DATA="$DATA" bash "$ANCHORS/mkdata.sh" >&2
"$ISG" --version >/dev/null            # builds the launcher's binary once, outside any timing

rm -rf "$WORK"; mkdir -p "$WORK/fig" "$WORK/anchors"
WORK="$(readlink -f "$WORK")"
export ANCHORS_DATA="$DATA" ANCHORS_WORK="$WORK/anchors"
trap 'rm -rf "$WORK/anchors"' EXIT

# --- helpers -------------------------------------------------------------------------------------------------
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "n/a"; else printf "%.2f\n", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
spread() { sort -g | awk '{ a[NR] = $1 } END { if (NR > 1 && a[1] != a[NR]) printf " (%.2f..%.2f)", a[1], a[NR] }'; }
fig() { if [[ -f $WORK/fig/$1 ]]; then median <"$WORK/fig/$1"; else echo n/a; fi; }     # KEY -> median over rounds
figspread() { [[ -f $WORK/fig/$1 ]] && spread <"$WORK/fig/$1" || true; }
# pct A B -> A / B in percent; times A B -> A (GB/s) / B (MB/s) as a multiple
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.0f %%", 100 * a / b }'; }
times() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.0f×", 1000 * a / b }'; }

# Figures are files $WORK/fig/ENGINE.K+M.SHARD.MODE.OP holding one GB/s per round; ENGINE is c, isal or managed.
run_c() {           # LABEL K M SHARD_BYTES: the C harness's binary (built by rs-isal.sh) on one configuration, CPU 0
  taskset -c 0 "$ANCHORS_WORK/rs-isal" "$2" "$3" "$4" 5 | tee "$WORK/c-$1.txt" >&2
  # k=10 m=4 frag=64 KiB hot    encode 13.41 GB/s  reconstruct(4 lost) 10.74 GB/s  [...]
  awk -v dir="$WORK/fig" '$1 ~ /^k=/ {
      split($1, k, "="); split($2, m, "="); split($3, f, "="); shape = k[2] "+" m[2]; shard = f[2] * 1024
      print $7 >> (dir "/c." shape "." shard "." $5 ".encode"); print $11 >> (dir "/c." shape "." shard "." $5 ".reconstruct")
    }' "$WORK/c-$1.txt"
}
run_ours() {        # ROUND [isg bench erasure options...]
  local round=$1; shift
  # shellcheck disable=SC2086  # ISG_BENCH_ARGS is a list of options
  taskset -c "$CPU_OURS" "$ISG" bench erasure --json ${ISG_BENCH_ARGS:-} "$@" >"$WORK/isg-$round.json"
  jq -r '.results[] | "\(.implementation).\(.dataShards)+\(.parityShards).\(.shardBytes).\(.mode)\(if .buffers == "array" then "-array" else "" end) \(.encodeGBps) \(.reconstructGBps)"' \
    "$WORK/isg-$round.json" | while read -r key enc rec; do
      echo "$enc" >>"$WORK/fig/$key.encode"; echo "$rec" >>"$WORK/fig/$key.reconstruct"
      echo "# ours $key: encode $enc GB/s, reconstruct $rec GB/s" >&2
    done
}

# --- the run -------------------------------------------------------------------------------------------------
START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC'); LOAD_START=$(loadavg); T0=$(date +%s)
MACHINE=$(machine_line 'avx2|avx512f|avx512bw|gfni|vaes|vpclmulqdq')
V_ISG=$("$ISG" --version | head -1); V_DOTNET=$(dotnet --version 2>/dev/null || echo "?")
V_ISAL=$(dpkg-query -W -f '${Version}' libisal2 2>/dev/null || echo "?"); V_PAR2=$(par2 -V 2>&1 | head -1)
echo "# bench/erasure.sh $START_DATE: $MACHINE; load average $LOAD_START; ROUNDS=$ROUNDS" >&2
# The anchor as it is (all its sizes), which also builds the C binary the rounds below call per configuration.
bash "$ANCHORS/rs-isal.sh" | tee "$WORK/rs-isal.txt" >&2
LOADS=()
for ((r = 0; r < ROUNDS; r++)); do
  l0=$(loadavg); i=0
  # Per configuration, C then isg or isg then C (alternating), so both see the same spell of load.
  for km in "10 4" "4 2"; do
    for shard in 65536 1048576; do
      read -r k m <<<"$km"; label="$r-$k+$m-$shard"
      if (((r + i) % 2 == 0)); then
        run_c "$label" "$k" "$m" "$shard"; run_ours "$label" --shapes "$k+$m" --sizes "$shard"
      else
        run_ours "$label" --shapes "$k+$m" --sizes "$shard"; run_c "$label" "$k" "$m" "$shard"
      fi
      i=$((i + 1))
    done
  done
  LOADS+=("round $((r + 1)): $l0 → $(loadavg)")
done
run_ours array --modes hot --buffers array
l0=$(loadavg)
bash "$ANCHORS/par2.sh" | tee "$WORK/par2.txt" >&2
LOADS+=("par2: $l0 → $(loadavg)")
# | par2 create -r10 -t1 | RS encode (+MD5/CRC32 hashing) | 256 MiB | 14.7 | hyperfine ... |
PAR2_CREATE=$(awk -F'|' '$2 ~ /par2 create -r10 -t1/ { gsub(/ /, "", $5); print $5 }' "$WORK/par2.txt")
PAR2_REPAIR=$(awk -F'|' '$2 ~ /par2 repair -t1/ { gsub(/ /, "", $5); print $5 }' "$WORK/par2.txt")
PAR2_CREATE=${PAR2_CREATE:-n/a}; PAR2_REPAIR=${PAR2_REPAIR:-n/a}
LOAD_END=$(loadavg); ELAPSED=$(( $(date +%s) - T0 ))

# --- tables --------------------------------------------------------------------------------------------------
ROWS=(); ARRAY_ROWS=()
P_MET=0; M_MET=0; PP_MET=0; MP_MET=0; N=0
P_MIN=1000; M_MIN=1000; PP_MIN=1e12; MP_MIN=1e12
track() {           # VAR_MET VAR_MIN VALUE GOAL
  awk -v v="$3" -v g="$4" 'BEGIN { exit !(v != "n/a" && v + 0 >= g + 0) }' && eval "$1=\$(( $1 + 1 ))"
  awk -v v="$3" -v m="${!2}" 'BEGIN { exit !(v != "n/a" && v + 0 < m + 0) }' && eval "$2=\$3"
  return 0
}
for shape in 10+4 4+2; do
  for shard in 65536 1048576; do
    size=$([[ $shard == 65536 ]] && echo "64 KiB" || echo "1 MiB")
    for op in encode reconstruct; do
      par2=$([[ $op == encode ]] && echo "$PAR2_CREATE" || echo "$PAR2_REPAIR")
      for mode in hot stream; do
        key="$shape.$shard.$mode.$op"
        c=$(fig "c.$key"); p=$(fig "isal.$key"); m=$(fig "managed.$key")
        pr=$(awk -v a="$p" -v b="$c" 'BEGIN { if (a == "n/a" || b == "n/a") print "n/a"; else print 100 * a / b }')
        mr=$(awk -v a="$m" -v b="$c" 'BEGIN { if (a == "n/a" || b == "n/a") print "n/a"; else print 100 * a / b }')
        ppar=$(awk -v a="$p" -v b="$par2" 'BEGIN { if (a == "n/a" || b == "n/a") print "n/a"; else print 1000 * a / b }')
        mpar=$(awk -v a="$m" -v b="$par2" 'BEGIN { if (a == "n/a" || b == "n/a") print "n/a"; else print 1000 * a / b }')
        N=$((N + 1))
        track P_MET P_MIN "$pr" 90; track M_MET M_MIN "$mr" 60; track PP_MET PP_MIN "$ppar" 100; track MP_MET MP_MIN "$mpar" 100
        ROWS+=("| $shape | $size | $op | $mode | $c$(figspread "c.$key") | $p$(figspread "isal.$key") | $(pct "$p" "$c") | $m$(figspread "managed.$key") | $(pct "$m" "$c") | $(times "$p" "$par2") | $(times "$m" "$par2") |")
      done
      ak="$shape.$shard.hot-array.$op"
      ARRAY_ROWS+=("| $shape | $size | $op | $(fig "isal.$ak") | $(pct "$(fig "isal.$ak")" "$(fig "c.$shape.$shard.hot.$op")") | $(fig "managed.$ak") | $(pct "$(fig "managed.$ak")" "$(fig "c.$shape.$shard.hot.$op")") |")
    done
  done
done
ENGINE=$(jq -r '[.results[] | select(.implementation == "managed") | .engine][0] // "?"' "$WORK/isg-array.json")
verdict() { [[ $1 == "$N" ]] && echo "**met** in all $N rows" || echo "**not met** in $(($N - $1)) of $N rows"; }
minpct() { awk -v v="$1" 'BEGIN { printf "%.0f %%", v }'; }
minx() { awk -v v="$1" 'BEGIN { printf "%.0f×", v }'; }
TARGETS=(
  "| ISA-L through P/Invoke ≥ 90 % of ISA-L's C harness | $(verdict "$P_MET") | lowest $(minpct "$P_MIN") |"
  "| managed codec ≥ 60 % of ISA-L's C harness | $(verdict "$M_MET") | lowest $(minpct "$M_MIN") |"
  "| ISA-L through P/Invoke ≥ 100× par2 | $(verdict "$PP_MET") | lowest $(minx "$PP_MIN") |"
  "| managed codec ≥ 100× par2 | $(verdict "$MP_MET") | lowest $(minx "$MP_MIN") |"
)
printf '%s\n' "${ROWS[@]}" "${TARGETS[@]}" >&2

# --- the report section --------------------------------------------------------------------------------------
SECTION="$WORK/section.md"
{
  cat <<EOF
$BEGIN_MARK
## Reed-Solomon erasure coding: isg beside ISA-L's C harness and par2

Written by \`bash bench/erasure.sh\` (this run took $ELAPSED s; \`ROUNDS=5 bash bench/erasure.sh\` for more rounds). In one
run it compiles and runs ISA-L's own C harness (\`../shared/anchors/rs-isal.sh\`, pinned to CPU 0), then for each
configuration (k+m, shard) runs that harness's binary and \`taskset -c $CPU_OURS ./isg bench erasure --json\` (our two
engines, pinned to CPU 1) back to back, alternating which goes first, $ROUNDS rounds; then \`../shared/anchors/par2.sh\`
(\`par2 create -r10 -t1\` and \`par2 repair -t1\` on the anchors'
256 MiB random file). Both harnesses time the same way: the iteration count doubles until one pass lasts ≥ 0.2 s
(the warm-up), then 5 trials of that many iterations, and the median trial gives the rate; a cell is the median over
the rounds (min..max in brackets). GB/s is payload: k × shard bytes per second, 10^9. Single-threaded. *hot* is the
same stripe over and over (in cache); *stream* rotates through 256 MiB of data (from memory). *reconstruct* is the
worst case: data shards 0..m-1 lost, rebuilt from shards m..m+k-1 into m buffers of their own (in both harnesses), checked
against the originals. Shards are in
64-byte aligned memory in both harnesses (C: \`posix_memalign\`; isg: \`AlignedMemory\`). One difference: the C
harness inverts the matrix and expands the tables for every stripe it rebuilds, while isg plans each erasure pattern
once and caches the plan (as the store does); at these shard sizes that is a few per cent of the C figure.
par2 is GF(2^16) with MD5/CRC32 of every block (see ../shared/anchors/README.md): "× par2" is our GB/s over its MB/s
(create for encode, repair, which includes its verify scan, for reconstruct).

### Run of $START_DATE

* Machine: $MACHINE.
* Load average at start: $LOAD_START; at the end: $LOAD_END (run took $ELAPSED s); $(IFS=';'; echo "${LOADS[*]}" | sed 's/;/; /g').
  Other jobs share the two vCPUs: compare within one run, and treat a lone outlier as disturbance.
* Versions: isg $V_ISG (.NET $V_DOTNET, ReadyToRun build of \`./isg\`, managed kernel \`$ENGINE\`), libisal2 $V_ISAL
  (C harness built with \`gcc -O2 -march=native\`), $V_PAR2. par2: create $PAR2_CREATE MB/s, repair $PAR2_REPAIR MB/s.

| k+m | shard | operation | mode | ISA-L C GB/s | isg ISA-L P/Invoke GB/s | % of C | isg managed GB/s | % of C | P/Invoke × par2 | managed × par2 |
|---|---|---|---|---|---|---|---|---|---|---|
EOF
  printf '%s\n' "${ROWS[@]}"
  cat <<EOF

### Targets (issue 3)

| target | verdict | worst row |
|---|---|---|
EOF
  printf '%s\n' "${TARGETS[@]}"
  cat <<EOF

### The same codec on GC byte[] shards (hot, one pass)

\`isg bench erasure --modes hot --buffers array\`: one \`new byte[]\` per shard, which the GC aligns to 8 bytes only, so
most 64-byte vector loads and stores straddle two cache lines. "% of C" is against the aligned C figure above.
Shards the codec touches often belong in \`AlignedMemory\`.

| k+m | shard | operation | isg ISA-L P/Invoke GB/s | % of C (hot) | isg managed GB/s | % of C (hot) |
|---|---|---|---|---|---|---|
EOF
  printf '%s\n' "${ARRAY_ROWS[@]}"
  if [[ -f "$ROOT/bench/erasure-notes.md" ]]; then
    echo
    cat "$ROOT/bench/erasure-notes.md"
  fi
  echo "$END_MARK"
} >"$SECTION"

# Replace the section in place, or append it; every other line of the document stays as it was.
write_section "$DOC" "$BEGIN_MARK" "$END_MARK" "$SECTION"
echo "# erasure section written to $DOC (run took $ELAPSED s; load average at the end $LOAD_END)" >&2
