#!/usr/bin/env bash
# Upload and download MB/s through the ipfs and s3 backends (`isg bench backend`), beside the rate the server alone
# sustains in the same run with curl: s3rver (PUT/GET of the same objects) and a js-ipfs daemon (block/put and
# block/get of the same blocks: the backend splits each object into 1 MiB - 1 KiB raw blocks, so curl sends those).
# Both servers come from .tools/npm (./test.sh installs them). Writes its section of docs/benchmarks.md.
# Settings: OBJECTS (64), SIZE (4194304 bytes), CONCURRENCY (4), BENCH_WORK (/tmp/isg-backends-bench).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
source "$ROOT/bench/lib.sh"
ISG="${ISG_BIN:-$ROOT/isg}"
OBJECTS="${OBJECTS:-64}"
SIZE="${SIZE:-4194304}"
CONCURRENCY="${CONCURRENCY:-4}"
PART=$((1048576 - 1024))
WORK="${BENCH_WORK:-/tmp/isg-backends-bench}"
TOOLS="$ROOT/.tools/npm"
[[ -x $TOOLS/node_modules/.bin/s3rver && -x $TOOLS/node_modules/.bin/jsipfs ]] || { echo "run ./test.sh (or npm ci --prefix .tools/npm) first" >&2; exit 1; }
install_packages $(missing_packages curl:curl python3:python3)

"$ISG" --version >/dev/null            # builds the launcher's binary once, outside any timing
rm -rf "$WORK"; mkdir -p "$WORK/objects" "$WORK/blocks" "$WORK/ipfs"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; [[ ${BENCH_KEEP:-0} == 1 ]] || rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
rate() { awk -v b="$1" -v a="$2" -v z="$3" 'BEGIN { printf "%.1f", b / (z - a) / 1000000 }'; }

for i in $(seq 0 $((OBJECTS - 1))); do head -c "$SIZE" /dev/urandom >"$WORK/objects/$i"; done
(cd "$WORK/blocks" && for i in $(seq 0 $((OBJECTS - 1))); do split -b "$PART" -d -a 3 "$WORK/objects/$i" "$i-"; done)
bytes=$((OBJECTS * SIZE))

# s3rver (its list tokens need DES: OpenSSL's legacy provider).
s3port=$(free_port)
NODE_OPTIONS=--openssl-legacy-provider "$TOOLS/node_modules/.bin/s3rver" -d "$WORK/s3" -a 127.0.0.1 -p "$s3port" \
  --configure-bucket isg-bench --silent >"$WORK/s3rver.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$s3port/" && break; sleep 0.1; done
s3=http://127.0.0.1:$s3port/isg-bench
a=$(now); ls "$WORK/objects" | xargs -P "$CONCURRENCY" -I{} curl -sf -o /dev/null -T "$WORK/objects/{}" "$s3/curl-{}"; b=$(now)
ls "$WORK/objects" | xargs -P "$CONCURRENCY" -I{} curl -sf -o /dev/null "$s3/curl-{}"; c=$(now)
s3_curl_up=$(rate $bytes $a $b); s3_curl_down=$(rate $bytes $b $c)
s3_isg=$("$ISG" bench backend s3 --endpoint "http://127.0.0.1:$s3port/" --bucket isg-bench --objects "$OBJECTS" --size "$SIZE" --concurrency "$CONCURRENCY")

# js-ipfs daemon, offline, API on a free port.
export IPFS_PATH="$WORK/ipfs" NODE_OPTIONS="--require $TOOLS/polyfill.cjs"
"$TOOLS/node_modules/.bin/jsipfs" init --profile test >/dev/null
apiport=$(free_port)
python3 - "$IPFS_PATH/config" "$apiport" <<'PY'
import json, sys
path, port = sys.argv[1], sys.argv[2]
config = json.load(open(path))
config["Addresses"].update(API=f"/ip4/127.0.0.1/tcp/{port}", RPC="/ip4/127.0.0.1/tcp/0", Gateway="/ip4/127.0.0.1/tcp/0")
json.dump(config, open(path, "w"))
PY
"$TOOLS/node_modules/.bin/jsipfs" daemon --offline >"$WORK/ipfs.log" 2>&1 & pids+=($!)
for _ in $(seq 1 300); do grep -q "Daemon is ready" "$WORK/ipfs.log" && break; sleep 0.2; done
unset NODE_OPTIONS
api=http://127.0.0.1:$apiport/api/v0
a=$(now)
ls "$WORK/blocks" | xargs -P "$CONCURRENCY" -I{} sh -c "curl -sf -X POST -F file=@$WORK/blocks/{} '$api/block/put?cid-codec=raw&format=raw&mhtype=sha2-256' | sed 's/.*\"Key\":\"\\([^\"]*\\)\".*/\\1/' > $WORK/blocks/{}.cid && curl -sf -o /dev/null -X POST '$api/pin/add?arg='\$(cat $WORK/blocks/{}.cid)"
b=$(now)
for f in "$WORK"/blocks/*.cid; do cat "$f"; echo; done | xargs -P "$CONCURRENCY" -I{} curl -sf -o /dev/null -X POST "$api/block/get?arg={}"; c=$(now)
ipfs_curl_up=$(rate $bytes $a $b); ipfs_curl_down=$(rate $bytes $b $c)
ipfs_isg=$("$ISG" bench backend ipfs --endpoint "http://127.0.0.1:$apiport/" --objects "$OBJECTS" --size "$SIZE" --concurrency "$CONCURRENCY")

field() { sed -n "s/.*$1 \([0-9.]*\) MB\/s.*/\1/p" <<<"$2"; }
pct() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.0f%%", 100 * x / y }'; }
s3_up=$(field upload "$s3_isg"); s3_down=$(field download "$s3_isg")
ipfs_up=$(field upload "$ipfs_isg"); ipfs_down=$(field download "$ipfs_isg")
table="| backend | upload: isg / curl | download: isg / curl |
|---|---|---|
| s3 (s3rver 3.7.1) | $s3_up / $s3_curl_up MB/s ($(pct "$s3_up" "$s3_curl_up")) | $s3_down / $s3_curl_down MB/s ($(pct "$s3_down" "$s3_curl_down")) |
| ipfs (js-ipfs 0.66.1, block/put + pin/add) | $ipfs_up / $ipfs_curl_up MB/s ($(pct "$ipfs_up" "$ipfs_curl_up")) | $ipfs_down / $ipfs_curl_down MB/s ($(pct "$ipfs_down" "$ipfs_curl_down")) |"
echo "$table"

section="<!-- bench/backends.sh: begin -->
## Platform backends: \`bench/backends.sh\`

Run of $(date -u '+%Y-%m-%d %H:%M') UTC: $OBJECTS objects of $SIZE bytes, $CONCURRENCY in flight, through
\`isg bench backend\` (IpfsBackend / S3Backend alone, no decorators) beside curl against the same server in the same
run. curl sends IPFS the same 1 MiB - 1 KiB raw blocks the backend makes (block/put then pin/add, block/get), and
s3rver whole objects (PUT, GET). Machine: $(machine_line 'avx2|sha_ni'); load $(loadavg).

$table

The servers are the test doubles (Node.js, one core each), so the ratio is what the figure is for: the target is at
least 80% of the server alone.
<!-- bench/backends.sh: end -->"
doc="$ROOT/docs/benchmarks.md"
if grep -q '<!-- bench/backends.sh: begin -->' "$doc"; then
  python3 - "$doc" "$section" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2]
text = open(path).read()
text = re.sub(r"<!-- bench/backends.sh: begin -->.*?<!-- bench/backends.sh: end -->", lambda _: section, text, flags=re.S)
open(path, "w").write(text)
PY
else
  printf '\n%s\n' "$section" >>"$doc"
fi
