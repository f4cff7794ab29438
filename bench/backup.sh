#!/usr/bin/env bash
# Isg next to restic and borg, in one run, on the anchors' data (../shared/anchors/mkdata.sh):
#   1. first backup of random-256M.bin, fresh repository each run: MB/s
#   2. first backup of the compressible set (mixed/): MB/s and stored size
#   3. restore of both into a fresh folder (isg get, restic restore, borg extract): MB/s; verified once per tool
#   4. repository growth after modify.py scatter 1 % and, from the original, after modify.py insert 4096,
#      median (min..max) over RUNS fresh repositories (every tool keys its chunker per repository)
#   5. peak RSS (/usr/bin/time %M) and MB/s of backup and restore of a 4 GiB file
# Timings are whole processes (key derivation included: each tool's default), hyperfine with --prepare for a
# fresh repository or output folder. Measurements are interleaved: each of the RUNS rounds runs every tool
# once (rotating the order), so a change in machine load hits all three alike.
# Prints Markdown rows and writes the report to docs/benchmarks.md (ISG_BENCH_DOC to change).
#
# Environment: RUNS (default 3), ISG_BENCH_QUICK=1 (RUNS=1, a 128 MiB file instead of 4 GiB, report in /tmp),
# ISG_ANCHORS (default ../shared/anchors from the repository root), ANCHORS_DATA (default /tmp/anchors-data),
# ISG_BENCH_WORK (default /tmp/isg-bench), ISG_BENCH_BIG_MIB, ISG_BENCH_TOOLS (default "isg restic borg"),
# ISG_BIN (default ./isg), ISG_BENCH_KEEP=1 keeps the work folder.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
ANCHORS="${ISG_ANCHORS:-$ROOT/../shared/anchors}"
DATA="${ANCHORS_DATA:-/tmp/anchors-data}"
WORK="${ISG_BENCH_WORK:-/tmp/isg-bench}"
ISG="${ISG_BIN:-$ROOT/isg}"
QUICK="${ISG_BENCH_QUICK:-0}"
if [[ $QUICK == 1 ]]; then
  RUNS="${RUNS:-1}"; BIG_MIB="${ISG_BENCH_BIG_MIB:-128}"; DOC="${ISG_BENCH_DOC:-/tmp/isg-bench-quick.md}"
else
  RUNS="${RUNS:-3}"; BIG_MIB="${ISG_BENCH_BIG_MIB:-4096}"; DOC="${ISG_BENCH_DOC:-$ROOT/docs/benchmarks.md}"
fi
read -r -a TOOLS <<<"${ISG_BENCH_TOOLS:-isg restic borg}"
PASS=isg-bench-passphrase
export ISG_PASSPHRASE=$PASS RESTIC_PASSWORD=$PASS BORG_PASSPHRASE=$PASS
export BORG_RELOCATED_REPO_ACCESS_IS_OK=yes BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=no
MiB=1048576

# --- prerequisites -------------------------------------------------------------------------------------------
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
need() {
  local missing
  mapfile -t missing < <(missing_packages restic:restic borg:borgbackup hyperfine:hyperfine jq:jq /usr/bin/time:time \
    openssl:openssl python3:python3 cmp:diffutils)
  install_packages "${missing[@]}"
}
need
[[ -f $ANCHORS/modify.py && -f $ANCHORS/mkdata.sh ]] \
  || { echo "anchors not found at $ANCHORS (set ISG_ANCHORS to the folder holding mkdata.sh and modify.py)" >&2; exit 1; }
[[ -f $DATA/.complete ]] || ANCHORS_DATA="$DATA" bash "$ANCHORS/mkdata.sh" >&2
"$ISG" --version >/dev/null            # builds the launcher's binary once, outside any timing

# --- small helpers (mirroring the anchors' common.sh) ----------------------------------------------------------
q() { printf '%q' "$1"; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / s / 1e6 }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
spread() { sort -g | awk '{ a[NR] = $1 } END { printf "%.3g..%.3g", a[1], a[NR] }'; }
# mibstats < bytes per line -> "median MiB (min..max)"
mibstats() { sort -g | awk '{ a[NR] = $1 } END { m = (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)
  if (NR == 1) printf "%.1f MiB", m / 1048576; else printf "%.1f MiB (%.1f..%.1f)", m / 1048576, a[1] / 1048576, a[NR] / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }
repo_bytes() { du -sb "$WORK/$1/$2/repo" | cut -f1; }     # TOOL SLOT
label() { case $1 in isg) echo "isg add";; restic) echo "restic backup";; borg) echo "borg create (repokey, lz4)";; esac; }
rlabel() { case $1 in isg) echo "isg get";; restic) echo "restic restore";; borg) echo "borg extract";; esac; }
ROWS=()
row() { local r; r=$(printf '| %s | %s | %s | %s | %s |' "$@"); ROWS+=("$r"); echo "$r"; }
note() { echo "# $*"; }

# --- the three tools: command lines, as strings for hyperfine and sh -c -----------------------------------------
# Each repository lives in $WORK/TOOL/SLOT/repo (restic's cache and borg's base folder beside it, not counted).
init_cmd() {        # TOOL SLOT
  local s; s=$(q "$WORK/$1/$2")
  case $1 in
    isg) echo "rm -rf $s && mkdir -p $s && $(q "$ISG") init -q $s/repo" ;;
    restic) echo "rm -rf $s && restic init -q --repository-version 2 -r $s/repo --cache-dir $s/cache" ;;
    borg) echo "rm -rf $s && mkdir -p $s && BORG_BASE_DIR=$s/base borg init -e repokey $s/repo >/dev/null 2>&1" ;;
  esac
}
backup_cmd() {      # TOOL SLOT DIR NAME [VERSION]: back up DIR/NAME as NAME (restic: as DIR/NAME)
  local s d n v="${5:-a}"; s=$(q "$WORK/$1/$2"); d=$(q "$3"); n=$(q "$4")
  case $1 in
    isg) echo "cd $d && $(q "$ISG") add -q -r $s/repo $n${5:+ --as $(q "$v")}" ;;
    restic) echo "cd $d && restic -q -r $s/repo --cache-dir $s/cache backup $n" ;;
    borg) echo "cd $d && BORG_BASE_DIR=$s/base borg create $s/repo::$(q "$v") $n" ;;
  esac
}
restore_cmd() {     # TOOL SLOT DIR NAME OUT: restore what backup_cmd stored into the existing folder OUT
  local s d n o; s=$(q "$WORK/$1/$2"); d=$(q "$3"); n=$(q "$4"); o=$(q "$5")
  case $1 in
    isg) echo "$(q "$ISG") get -q -r $s/repo $n -o $o/$n" ;;
    restic) echo "restic -q -r $s/repo --cache-dir $s/cache restore latest --path $d/$n --target $o" ;;
    borg) echo "cd $o && BORG_BASE_DIR=$s/base borg extract $s/repo::a" ;;
  esac
}
# Where a restore of DIR/NAME lands: OUT/NAME for all three (restic keeps only the last path element at the top).
restored_path() { echo "$4/$3"; }   # TOOL DIR NAME OUT

# one_run KEY PREPARE COMMAND: one hyperfine run; appends wall seconds to $T/KEY and user+system to $T/KEY.cpu
one_run() {
  local key=$1 json="$WORK/hf/$1.json"
  hyperfine --style none --runs 1 --warmup 0 --prepare "$2" --export-json "$json" "$3" >"$WORK/hf/$key.log" 2>&1 \
    || { cat "$WORK/hf/$key.log" >&2; echo "failed: $3" >&2; return 1; }
  jq -r '.results[0].times[0]' "$json" >>"$WORK/times/$key"
  jq -r '.results[0] | .user + .system' "$json" >>"$WORK/times/$key.cpu"
}
# rounds KEY AFTER: RUNS rounds; in round r every tool runs once, starting with tool r mod n. For each TOOL the
# caller defines prep_KEY and cmd_KEY (functions TOOL -> string); AFTER (TOOL) runs after each timed run.
rounds() {
  local key=$1 after=$2 r i t n=${#TOOLS[@]}
  for ((r = 0; r < RUNS; r++)); do
    for ((i = 0; i < n; i++)); do
      t=${TOOLS[(r + i) % n]}
      one_run "$key-$t" "$("prep_$key" "$t")" "$("cmd_$key" "$t")"
      "$after" "$t"
    done
  done
}
# timing_row TOOL KEY OPERATION DATA BYTES: median of the rounds as a table row; MB/s kept in $T/KEY.mbps
timing_row() {
  local t=$1 key="$2-$1" s m
  s=$(median <"$WORK/times/$key"); m=$(mbps "$5" "$s"); echo "$m" >"$WORK/times/$key.mbps"
  row "$3" "$4" "$(mib "$5") MiB" "$m" "hyperfine, median of $RUNS ($(spread <"$WORK/times/$key") s, CPU $(median <"$WORK/times/$key.cpu" | xargs printf '%.2f') s)"
}

# --- start ----------------------------------------------------------------------------------------------------
rm -rf "$WORK"; mkdir -p "$WORK/hf" "$WORK/times" "$WORK/src" "$WORK/space"
WORK="$(readlink -f "$WORK")"; DATA="$(readlink -f "$DATA")"; BIG_DIR="$WORK/big"
cleanup() { rm -f "$BIG_DIR/big/big.bin"; [[ ${ISG_BENCH_KEEP:-0} == 1 ]] || rm -rf "$WORK"; }
trap cleanup EXIT
START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC'); LOAD_START=$(loadavg); T0=$(date +%s)
MACHINE=$(machine_line 'sha_ni|aes|vaes|vpclmulqdq|avx2|avx512f|avx512bw|gfni')
V_ISG=$("$ISG" --version | head -1); V_DOTNET=$(dotnet --version 2>/dev/null || echo "?")
V_RESTIC=$(restic version | head -1); V_BORG=$(borg --version); V_HF=$(hyperfine --version)
note "bench/backup.sh $START_DATE on $(hostname): $MACHINE; load average $LOAD_START; RUNS=$RUNS"
note "isg $V_ISG (.NET $V_DOTNET), $V_RESTIC, $V_BORG, $V_HF"

cp "$DATA/random-256M.bin" "$WORK/src/random.bin"
FB=$(stat -c %s "$WORK/src/random.bin")
MB=$(du -sb "$DATA/mixed" | cut -f1); NTEXT=$(find "$DATA/mixed/text" -type f | wc -l)
find "$DATA/mixed" "$WORK/src" -type f -exec cat {} + >/dev/null      # page cache warm
echo "| tool | operation | data | median MB/s | how measured |"
echo "|---|---|---|---|---|"

# 1. first backup, random data
prep_random() { init_cmd "$1" random; }
cmd_random() { backup_cmd "$1" random "$WORK" src; }
size_random() { repo_bytes "$1" random >>"$WORK/times/random-$1.size"; }
rounds random size_random
for t in "${TOOLS[@]}"; do timing_row "$t" random "$(label "$t")" "first backup, random data" "$FB"; done

# 2. first backup, compressible set
prep_mixed() { init_cmd "$1" mixed; }
cmd_mixed() { backup_cmd "$1" mixed "$DATA" mixed; }
size_mixed() { repo_bytes "$1" mixed >>"$WORK/times/mixed-$1.size"; }
rounds mixed size_mixed
for t in "${TOOLS[@]}"; do timing_row "$t" mixed "$(label "$t")" "first backup, compressible set" "$MB"; done

# 3. restore into a fresh folder (from the repositories the last round of 1 and 2 left)
OUT="$WORK/out"
prep_getrandom() { echo "rm -rf $(q "$OUT") && mkdir -p $(q "$OUT")"; }
cmd_getrandom() { restore_cmd "$1" random "$WORK" src "$OUT"; }
check_getrandom() {
  [[ -f $WORK/times/verified-random-$1 ]] && return 0
  cmp "$(restored_path "$1" "$WORK" src "$OUT")/random.bin" "$WORK/src/random.bin" \
    || { echo "$1: restored random.bin differs" >&2; exit 1; }
  touch "$WORK/times/verified-random-$1"
}
rounds getrandom check_getrandom
for t in "${TOOLS[@]}"; do timing_row "$t" getrandom "$(rlabel "$t")" "restore, random data (verified with cmp)" "$FB"; done
prep_getmixed() { prep_getrandom "$@"; }
cmd_getmixed() { restore_cmd "$1" mixed "$DATA" mixed "$OUT"; }
check_getmixed() {
  [[ -f $WORK/times/verified-mixed-$1 ]] && return 0
  diff -r "$(restored_path "$1" "$DATA" mixed "$OUT")" "$DATA/mixed" >/dev/null \
    || { echo "$1: restored mixed/ differs" >&2; exit 1; }
  touch "$WORK/times/verified-mixed-$1"
}
rounds getmixed check_getmixed
for t in "${TOOLS[@]}"; do timing_row "$t" getmixed "$(rlabel "$t")" "restore, compressible set (verified with diff -r)" "$MB"; done
rm -rf "$OUT"

# 4. space: growth after a 1 % scattered overwrite, then (from the original) after inserting 4 KiB at offset 0.
# Every version stays in the repository (restic: snapshots, borg: archives, isg: --as v1/v2/v3), as the anchors do.
SRC="$WORK/space/src/random.bin"; mkdir -p "$(dirname "$SRC")"
for ((r = 0; r < RUNS; r++)); do
  for ((i = 0; i < ${#TOOLS[@]}; i++)); do
    t=${TOOLS[(r + i) % ${#TOOLS[@]}]}
    sh -c "$(init_cmd "$t" space)" >/dev/null
    cp "$DATA/random-256M.bin" "$SRC"; sh -c "$(backup_cmd "$t" space "$WORK/space" src v1)" >/dev/null
    b0=$(repo_bytes "$t" space)
    SCATTER=$(python3 "$ANCHORS/modify.py" scatter "$SRC" 1)
    sh -c "$(backup_cmd "$t" space "$WORK/space" src v2)" >/dev/null; b1=$(repo_bytes "$t" space)
    cp "$DATA/random-256M.bin" "$SRC"; python3 "$ANCHORS/modify.py" insert "$SRC" 4096 >/dev/null
    sh -c "$(backup_cmd "$t" space "$WORK/space" src v3)" >/dev/null; b2=$(repo_bytes "$t" space)
    echo $((b1 - b0)) >>"$WORK/times/scatter-$t"; echo $((b2 - b1)) >>"$WORK/times/insert-$t"
    echo "$b0" >>"$WORK/times/first-$t"
  done
done
rm -rf "$WORK/space"
note "space, $RUNS fresh repositories each, median (min..max); scatter: $SCATTER"
SPACE=("| measure |$(printf ' %s |' "${TOOLS[@]}")" "|---|$(printf -- '---|%.0s' "${TOOLS[@]}")")
printf '%s\n' "${SPACE[@]}"
space_row() {       # TITLE KEY [SUFFIX]
  local r="| $1 |" t
  for t in "${TOOLS[@]}"; do r+=" $(mibstats <"$WORK/times/$2-$t${3:-}") |"; done
  SPACE+=("$r"); echo "$r"
}
space_row "repository after the first backup of random-256M.bin" first
space_row "growth: 2nd backup after overwriting 1 % (41 × 64 KiB, spread out)" scatter
space_row "growth: 3rd backup, the original with 4 KiB inserted at offset 0" insert
space_row "compressible set $(mib "$MB") MiB: repository after the first backup (timed runs)" mixed .size

# 5. peak RSS and MB/s for a big file (written once, deleted at the end)
BIG_BYTES=$((BIG_MIB * MiB)); BIG_ROWS=()
free_gib=$(df -k --output=avail "$WORK" | tail -1 | awk '{ printf "%d", $1 / 1048576 }')
need_gib=$((BIG_MIB >= 1024 ? 20 : 1))
if ((free_gib < need_gib)); then
  note "skipped the $BIG_MIB MiB file: $free_gib GiB free on $(df --output=target "$WORK" | tail -1), need $need_gib"
  BIG_ROWS+=("| (skipped: $free_gib GiB free, need $need_gib) | | | | |")
else
  mkdir -p "$BIG_DIR/big"
  openssl enc -aes-256-ctr -nosalt -K "$(printf '%064d' 0 | tr 0 b)" -iv "$(printf '%032d' 0)" -in /dev/zero 2>/dev/null \
    | head -c "$BIG_BYTES" >"$BIG_DIR/big/big.bin" || true     # SIGPIPE expected
  [[ $(stat -c %s "$BIG_DIR/big/big.bin") == "$BIG_BYTES" ]]
  cat "$BIG_DIR/big/big.bin" >/dev/null
  BIGOUT="$WORK/bigout"
  timed() {         # TOOL OPERATION COMMAND: /usr/bin/time, one run; prints a row
    local f="$WORK/times/time-$1-$2" e m u s c
    /usr/bin/time -f '%e %M %U %S' -o "$f" sh -c "$3" >/dev/null
    read -r e m u s <"$f"; c=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.1f", u + s }')
    echo "$m" >"$WORK/times/rss-$1-$2"
    local r; r=$(printf '| %s | %s | %s MiB | %.0f | %s | %s s (CPU %s s) |' "$1" "$2" "$BIG_MIB" "$(awk -v k="$m" 'BEGIN { print k / 1024 }')" "$(mbps "$BIG_BYTES" "$e")" "$e" "$c")
    BIG_ROWS+=("$r"); echo "$r"
  }
  echo "| tool | operation | data | peak RSS MiB | MB/s | wall (one run) |"
  echo "|---|---|---|---|---|---|"
  for t in "${TOOLS[@]}"; do
    sh -c "$(init_cmd "$t" big)" >/dev/null
    timed "$t" backup "$(backup_cmd "$t" big "$BIG_DIR" big)"
    rm -rf "$BIGOUT"; mkdir -p "$BIGOUT"
    timed "$t" restore "$(restore_cmd "$t" big "$BIG_DIR" big "$BIGOUT")"
    cmp "$(restored_path "$t" "$BIG_DIR" big "$BIGOUT")/big.bin" "$BIG_DIR/big/big.bin" \
      || { echo "$t: restored big.bin differs" >&2; exit 1; }
    rm -rf "$BIGOUT" "$WORK/$t/big"
  done
  rm -f "$BIG_DIR/big/big.bin"
fi
LOAD_END=$(loadavg); ELAPSED=$(( $(date +%s) - T0 ))

# --- targets --------------------------------------------------------------------------------------------------
TARGETS=()
target() {          # TEXT MEASURED_RATIO GOAL (ratio >= goal is met) [DETAIL]
  local verdict
  verdict=$(awk -v r="$2" -v g="$3" 'BEGIN { if (r == "n/a") print "n/a"; else print (r + 0 >= g + 0 ? "**met**" : "**not met**") }')
  local line="| $1 | $2× | ≥ $3× | $verdict | ${4:-} |"
  TARGETS+=("$line"); echo "$line"
}
mb() { cat "$WORK/times/$1.mbps" 2>/dev/null || echo 0; }
have() { [[ " ${TOOLS[*]} " == *" $1 "* ]]; }
echo
echo "| target | measured | goal | verdict | figures |"
echo "|---|---|---|---|---|"
if have isg && have restic; then
  for k in random mixed; do
    d=$([[ $k == random ]] && echo "random 256 MiB" || echo "compressible set")
    target "ingest ≥ 3× restic ($d)" "$(ratio "$(mb "$k-isg")" "$(mb "$k-restic")")" 3 "isg $(mb "$k-isg") MB/s, restic $(mb "$k-restic") MB/s"
  done
fi
if have isg && have borg; then
  for k in random mixed; do
    d=$([[ $k == random ]] && echo "random 256 MiB" || echo "compressible set")
    target "ingest ≥ 2× borg ($d)" "$(ratio "$(mb "$k-isg")" "$(mb "$k-borg")")" 2 "isg $(mb "$k-isg") MB/s, borg $(mb "$k-borg") MB/s"
  done
fi
if have isg && have restic; then
  for k in getrandom getmixed; do
    d=$([[ $k == getrandom ]] && echo "random 256 MiB" || echo "compressible set")
    target "restore ≥ 2× restic ($d)" "$(ratio "$(mb "$k-isg")" "$(mb "$k-restic")")" 2 "isg $(mb "$k-isg") MB/s, restic $(mb "$k-restic") MB/s"
  done
  for k in scatter insert; do
    d=$([[ $k == scatter ]] && echo "after the 1 % edit" || echo "after the 4 KiB insert")
    gi=$(median <"$WORK/times/$k-isg"); gr=$(median <"$WORK/times/$k-restic")
    # Expressed as restic's growth ÷ isg's, so that "≥ 1×" means isg grew no more than restic.
    target "growth $d ≤ restic's (restic ÷ isg)" "$(ratio "$gr" "$gi")" 1 "isg $(mib "$gi") MiB, restic $(mib "$gr") MiB"
  done
fi
if have isg && [[ -f $WORK/times/rss-isg-backup ]]; then
  for op in backup restore; do
    k=$(cat "$WORK/times/rss-isg-$op")
    target "peak RSS of isg $([[ $op == backup ]] && echo add || echo get) ≤ 256 MiB ($BIG_MIB MiB file; 256 ÷ RSS)" \
      "$(ratio 262144 "$k")" 1 "$(mib $((k * 1024))) MiB"
  done
fi

# --- the report -----------------------------------------------------------------------------------------------
mkdir -p "$(dirname "$DOC")"
# Other scripts (bench/erasure.sh, bench/scrub.sh) own the sections between their markers; keep them as they are.
OWNED_SECTIONS=""
if [[ -f $DOC ]]; then
  OWNED_SECTIONS=$(awk '/^<!-- bench\/[a-z-]+\.sh: begin -->$/ { keep = 1 } keep { print } /^<!-- bench\/[a-z-]+\.sh: end -->$/ { keep = 0; print "" }' "$DOC")
fi
{
  cat <<EOF
# Benchmarks: isg beside restic and borg

Isg's backup path (\`isg add\`), restore path (\`isg get\`) and space use, measured in the same run as the two
tools it is meant to beat, on the same data (the anchors' \`mkdata.sh\`: \`random-256M.bin\` and the compressible
set \`mixed/\`: $NTEXT text files plus 128 MiB of repeated 1 MiB blocks). Each figure is a whole process, key
derivation included, with each tool's default: isg Argon2id 64 MiB t=3 p=4, restic scrypt as \`restic init\`
calibrates it, borg \`repokey\` (PBKDF2). Throughput is hyperfine's median over RUNS rounds; in each round every
tool runs once in a rotating order, with a fresh repository (backup) or a fresh output folder (restore) made by
\`--prepare\`, data in the page cache. Restored bytes are checked with \`cmp\` / \`diff -r\` once per tool. Space is
\`du -sb\` of the repository (restic's cache and borg's base folder not counted), median (min..max) over RUNS
fresh repositories, because all three tools key their chunker per repository. MB/s = 10^6 bytes/s, MiB = 2^20 bytes.

Reproduce: \`bash bench/backup.sh\` (about 10–15 minutes; \`ISG_BENCH_QUICK=1 bash bench/backup.sh\` is a smoke
test: 1 round, a 128 MiB file instead of 4 GiB, report in /tmp). It installs restic, borgbackup, hyperfine, jq and
time when missing, and needs the anchors (\`../shared/anchors\`, or \`ISG_ANCHORS\`).

## Run of $START_DATE

* Machine: $MACHINE.
* Load average at start: $LOAD_START; at the end: $LOAD_END (run took $ELAPSED s). The machine is shared:
  figures from a loaded machine are provisional; compare ratios within one run, not across runs.
* Versions: isg $V_ISG (.NET $V_DOTNET, ReadyToRun build of \`./isg\`), $V_RESTIC (repository v2, zstd auto),
  $V_BORG (repokey, lz4), $V_HF. RUNS=$RUNS.

### Throughput

| tool | operation | data | median MB/s | how measured |
|---|---|---|---|---|
EOF
  printf '%s\n' "${ROWS[@]}"
  cat <<EOF

### Space

Growth is how much the repository grew (\`du -sb\`) from one backup to the next; every version is kept (restic
snapshots, borg archives, isg \`add --as v1/v2/v3\`). The insert is made on a fresh copy of the original.

EOF
  printf '%s\n' "${SPACE[@]}"
  cat <<EOF

### Peak memory and a ${BIG_MIB} MiB file

One run each: backup into a fresh repository, then restore into an empty folder, checked with \`cmp\`. Peak RSS is
\`/usr/bin/time -f %M\` (the largest resident set of the process). The file is an AES-256-CTR keystream (random,
incompressible), generated for the run and deleted after it.

| tool | operation | data | peak RSS MiB | MB/s | wall (one run) |
|---|---|---|---|---|---|
EOF
  printf '%s\n' "${BIG_ROWS[@]}"
  cat <<EOF

## Targets

The issue's targets are informative; the table states what this run measured. A ratio is isg's figure divided by
the other tool's, except for growth (restic's ÷ isg's) and memory (256 MiB ÷ isg's peak RSS), so that ≥ goal
always means met.

| target | measured | goal | verdict | figures |
|---|---|---|---|---|
EOF
  printf '%s\n' "${TARGETS[@]}"
  # The hand-written analysis (where the time goes, what comes next) follows the figures it explains.
  if [[ -f "$ROOT/bench/backup-notes.md" ]]; then
    echo
    cat "$ROOT/bench/backup-notes.md"
  fi
  if [[ -n $OWNED_SECTIONS ]]; then
    echo
    echo "$OWNED_SECTIONS"
  fi
} >"$DOC"
note "report written to $DOC (run took $ELAPSED s; load average at the end $LOAD_END)"
