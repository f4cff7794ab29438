#!/usr/bin/env bash
# Upload and download MB/s through each platform backend (`isg bench backend`: the backend inside the node's decorator
# stack), beside the rate the server alone sustains in the same run with curl doing the same requests: s3rver (PUT/GET
# of the same objects), a js-ipfs daemon (block/put and block/get of the same blocks: the backend splits each object
# into 1 MiB - 1 KiB raw blocks, so curl sends those), and the tests' fakes of Discord (webhook execute with the file,
# then the attachment URL), Telegram (sendDocument, then getFile and the file) and YouTube (a resumable session and
# one PUT per video, then the direct download), run by bench/Isg.Benchmarks (`serve-fakes`). s3rver and js-ipfs come
# from .tools/npm (./test.sh installs them). Writes its section of docs/benchmarks.md.
# Each backend is measured ROUNDS times, curl and isg in turn, and the best of each is kept (other work shares the
# two cores: the best round is the one least disturbed); the table gives the range of the 1-minute load meanwhile.
# Settings: OBJECTS (64), SIZE (4194304 bytes), CONCURRENCY (4), ROUNDS (3), BENCH_WORK (/tmp/isg-backends-bench).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
source "$ROOT/bench/lib.sh"
ISG="${ISG_BIN:-$ROOT/isg}"
OBJECTS="${OBJECTS:-64}"
SIZE="${SIZE:-4194304}"
CONCURRENCY="${CONCURRENCY:-4}"
ROUNDS="${ROUNDS:-3}"
PART=$((1048576 - 1024))
WORK="${BENCH_WORK:-/tmp/isg-backends-bench}"
TOOLS="$ROOT/.tools/npm"
[[ -x $TOOLS/node_modules/.bin/s3rver && -x $TOOLS/node_modules/.bin/jsipfs ]] || { echo "run ./test.sh (or npm ci --prefix .tools/npm) first" >&2; exit 1; }
install_packages $(missing_packages curl:curl python3:python3)

load_before=$(loadavg)
"$ISG" --version >/dev/null            # builds the launcher's binary once, outside any timing
dotnet build -c Release -nologo -v q "$ROOT/bench/Isg.Benchmarks" >/dev/null
rm -rf "$WORK"; mkdir -p "$WORK/objects" "$WORK/blocks" "$WORK/ipfs" "$WORK/resp" "$WORK/down"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; [[ ${BENCH_KEEP:-0} == 1 ]] || rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
rate() { awk -v b="$1" -v a="$2" -v z="$3" 'BEGIN { printf "%.1f", b / (z - a) / 1000000 }'; }
load1() { cut -d' ' -f1 /proc/loadavg; }
field() { sed -n "s/.*$1 \([0-9.]*\) MB\/s.*/\1/p" <<<"$2"; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a + 0 >= b + 0) ? a : b }'; }
# measure NAME FUNCTION: runs FUNCTION (which sets CURL_UP, CURL_DOWN and ISG_OUT, an `isg bench backend` line, and may
# set BARE_OUT, another one) ROUNDS times and keeps in NAME_* the best curl and isg rates and the range of the load.
measure() {
  local name=$1 round load lo="" hi=""
  for round in $(seq 1 "$ROUNDS"); do
    load=$(load1); lo=${lo:-$load}; hi=$(max "$load" "$hi"); lo=$(awk -v a="$load" -v b="$lo" 'BEGIN { print (a + 0 < b + 0) ? a : b }')
    BARE_OUT=""; ROUND=$round; "$2"
    printf -v "${name}_curl_up" %s "$(max "$CURL_UP" "$(eval echo "\${${name}_curl_up:-}")")"
    printf -v "${name}_curl_down" %s "$(max "$CURL_DOWN" "$(eval echo "\${${name}_curl_down:-}")")"
    printf -v "${name}_up" %s "$(max "$(field upload "$ISG_OUT")" "$(eval echo "\${${name}_up:-}")")"
    printf -v "${name}_down" %s "$(max "$(field download "$ISG_OUT")" "$(eval echo "\${${name}_down:-}")")"
    if [[ -n $BARE_OUT ]]; then
      printf -v "${name}_bare_up" %s "$(max "$(field upload "$BARE_OUT")" "$(eval echo "\${${name}_bare_up:-}")")"
      printf -v "${name}_bare_down" %s "$(max "$(field download "$BARE_OUT")" "$(eval echo "\${${name}_bare_down:-}")")"
    fi
    echo "$name round $round (load $load): curl $CURL_UP / $CURL_DOWN MB/s; isg $ISG_OUT${BARE_OUT:+; bare $BARE_OUT}" >&2
  done
  printf -v "${name}_load" %s "$lo-$hi"
}

for i in $(seq 0 $((OBJECTS - 1))); do head -c "$SIZE" /dev/urandom >"$WORK/objects/$i"; done
(cd "$WORK/blocks" && for i in $(seq 0 $((OBJECTS - 1))); do split -b "$PART" -d -a 3 "$WORK/objects/$i" "$i-"; done)
bytes=$((OBJECTS * SIZE))

# s3rver (its list tokens need DES: OpenSSL's legacy provider).
s3port=$(free_port)
NODE_OPTIONS=--openssl-legacy-provider "$TOOLS/node_modules/.bin/s3rver" -d "$WORK/s3" -a 127.0.0.1 -p "$s3port" \
  --configure-bucket isg-bench --silent >"$WORK/s3rver.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$s3port/" && break; sleep 0.1; done
s3=http://127.0.0.1:$s3port/isg-bench
s3_round() {
  local a b c
  a=$(now); ls "$WORK/objects" | xargs -P "$CONCURRENCY" -I{} curl -sf -o /dev/null -T "$WORK/objects/{}" "$s3/curl$ROUND-{}"; b=$(now)
  ls "$WORK/objects" | xargs -P "$CONCURRENCY" -I{} curl -sf -o /dev/null "$s3/curl$ROUND-{}"; c=$(now)
  CURL_UP=$(rate $bytes $a $b); CURL_DOWN=$(rate $bytes $b $c)
  ISG_OUT=$("$ISG" bench backend s3 --endpoint "http://127.0.0.1:$s3port/" --bucket isg-bench --objects "$OBJECTS" --size "$SIZE" --concurrency "$CONCURRENCY")
  BARE_OUT=$("$ISG" bench backend s3 --bare --endpoint "http://127.0.0.1:$s3port/" --bucket isg-bench --objects "$OBJECTS" --size "$SIZE" --concurrency "$CONCURRENCY")
}
measure s3 s3_round

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
ipfs_round() {
  local a b c
  a=$(now)
  ls "$WORK/blocks" | grep -v '\.cid$' | xargs -P "$CONCURRENCY" -I{} sh -c "curl -sf -X POST -F file=@$WORK/blocks/{} '$api/block/put?cid-codec=raw&format=raw&mhtype=sha2-256' | sed 's/.*\"Key\":\"\\([^\"]*\\)\".*/\\1/' > $WORK/blocks/{}.cid && curl -sf -o /dev/null -X POST '$api/pin/add?arg='\$(cat $WORK/blocks/{}.cid)"
  b=$(now)
  for f in "$WORK"/blocks/*.cid; do cat "$f"; echo; done | xargs -P "$CONCURRENCY" -I{} curl -sf -o /dev/null -X POST "$api/block/get?arg={}"; c=$(now)
  CURL_UP=$(rate $bytes $a $b); CURL_DOWN=$(rate $bytes $b $c)
  ISG_OUT=$("$ISG" bench backend ipfs --endpoint "http://127.0.0.1:$apiport/" --objects "$OBJECTS" --size "$SIZE" --concurrency "$CONCURRENCY")
}
measure ipfs ipfs_round

# The platform fakes (Discord, Telegram, YouTube), all in one process.
dotnet "$ROOT/bench/Isg.Benchmarks/bin/Release/net10.0/Isg.Benchmarks.dll" serve-fakes >"$WORK/fakes.out" 2>"$WORK/fakes.log" & pids+=($!)
for _ in $(seq 1 300); do grep -q '^ready$' "$WORK/fakes.out" && break; sleep 0.1; done
get() { sed -n "s|^$1=||p" "$WORK/fakes.out"; }
json_all() { python3 -c 'import json,sys
for p in sys.argv[2:]:
    v = json.load(open(p))
    for k in sys.argv[1].split("."): v = v[int(k)] if k.isdigit() else v[k]
    print(v)' "$@"; }
export SIZE WORK CONCURRENCY

# Discord: execute the webhook with the file as attachment (wait=true: the message comes back), then GET its URL.
dapi=$(get discord.api); hook=$(get discord.webhook)
export DEXEC="${dapi}webhooks/${hook##*/webhooks/}?wait=true"
discord_round() {
  local a b c d
  a=$(now)
  ls "$WORK/objects" | xargs -P "$CONCURRENCY" -I{} sh -c 'curl -sf -o "$WORK/resp/discord-$0.json" -F "payload_json={\"attachments\":[{\"id\":0,\"filename\":\"f$0\"}]};type=application/json" -F "files[0]=@$WORK/objects/$0;filename=f$0;type=application/octet-stream" "$DEXEC"' {}
  b=$(now)
  json_all attachments.0.url "$WORK"/resp/discord-*.json >"$WORK/discord.urls"
  c=$(now)
  xargs -P "$CONCURRENCY" -I{} curl -sf -o /dev/null "{}" <"$WORK/discord.urls"
  d=$(now)
  CURL_UP=$(rate $bytes $a $b); CURL_DOWN=$(rate $bytes $c $d)
  ISG_OUT=$("$ISG" bench backend discord --endpoint "$dapi" --credential "webhook=$hook" --objects "$OBJECTS" --size "$SIZE" --concurrency "$CONCURRENCY")
}
measure discord discord_round

# Telegram: sendDocument, then getFile (file_id -> file_path) and GET the file.
tapi=$(get telegram.api); ttoken=$(get telegram.token); chat=$(get telegram.chat)
export TBOT="${tapi}bot$ttoken" TFILE="${tapi}file/bot$ttoken" CHAT="$chat"
telegram_round() {
  local a b c d
  a=$(now)
  ls "$WORK/objects" | xargs -P "$CONCURRENCY" -I{} sh -c 'curl -sf -o "$WORK/resp/telegram-$0.json" -F "chat_id=$CHAT" -F disable_notification=true -F disable_content_type_detection=true -F "document=@$WORK/objects/$0;filename=f$0;type=application/octet-stream" "$TBOT/sendDocument"' {}
  b=$(now)
  json_all result.document.file_id "$WORK"/resp/telegram-*.json >"$WORK/telegram.ids"
  c=$(now)
  xargs -P "$CONCURRENCY" -I{} sh -c 'p=$(curl -sf -d "file_id=$0" "$TBOT/getFile" | sed "s/.*\"file_path\":\"\([^\"]*\)\".*/\1/"); curl -sf -o /dev/null "$TFILE/$p"' {} <"$WORK/telegram.ids"
  d=$(now)
  CURL_UP=$(rate $bytes $a $b); CURL_DOWN=$(rate $bytes $c $d)
  ISG_OUT=$("$ISG" bench backend telegram --endpoint "$tapi" --credential "botToken=$ttoken" --setting "chatId=$chat" --objects "$OBJECTS" --size "$SIZE" --concurrency "$CONCURRENCY")
}
measure telegram telegram_round

# YouTube: an access token once; per video a resumable session (POST) and one PUT of the whole file (under the 8 MiB
# chunk size), then the direct download to a file, as the YouTube store does.
yapi=$(get youtube.api); ydown=$(get youtube.download)
yid=$(get youtube.client_id); ysecret=$(get youtube.client_secret); yrefresh=$(get youtube.refresh_token)
export YAT=$(curl -sf -d grant_type=refresh_token -d "client_id=$yid" -d "client_secret=$ysecret" -d "refresh_token=$yrefresh" "$(get youtube.token_url)" \
  | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
export YUP="${yapi}upload/youtube/v3/videos?uploadType=resumable&part=snippet,status"
ybase=${ydown%"{id}"}
youtube_round() {
  local a b c d
  a=$(now)
  ls "$WORK/objects" | xargs -P "$CONCURRENCY" -I{} sh -c 'loc=$(curl -sf -D - -o /dev/null -H "Authorization: Bearer $YAT" -H "X-Upload-Content-Length: $SIZE" -H "X-Upload-Content-Type: video/x-matroska" -H "Content-Type: application/json" --data "{\"snippet\":{\"title\":\"t$0\",\"description\":\"d\",\"categoryId\":\"28\"},\"status\":{\"privacyStatus\":\"unlisted\"}}" "$YUP" | tr -d "\r" | sed -n "s/^[Ll]ocation: //p"); curl -sf -o "$WORK/resp/youtube-$0.json" -X PUT -H "Authorization: Bearer $YAT" -H "Content-Range: bytes 0-$((SIZE - 1))/$SIZE" -H "Content-Type: video/x-matroska" --data-binary "@$WORK/objects/$0" "$loc"' {}
  b=$(now)
  json_all id "$WORK"/resp/youtube-*.json >"$WORK/youtube.ids"
  c=$(now)
  xargs -P "$CONCURRENCY" -I{} curl -sf -o "$WORK/down/{}" "$ybase{}" <"$WORK/youtube.ids"
  d=$(now)
  CURL_UP=$(rate $bytes $a $b); CURL_DOWN=$(rate $bytes $c $d)
  ISG_OUT=$("$ISG" bench backend youtube --endpoint "$yapi" --credential "clientId=$yid" --credential "clientSecret=$ysecret" \
    --credential "refreshToken=$yrefresh" --setting "downloadUrl=$ydown" --objects "$OBJECTS" --size "$SIZE" --concurrency "$CONCURRENCY")
}
measure youtube youtube_round

pct() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.0f%%", 100 * x / y }'; }
row() { # LABEL NAME [bare]
  local up down curl_up curl_down
  eval "curl_up=\$${2}_curl_up curl_down=\$${2}_curl_down up=\$${2}${3:+_bare}_up down=\$${2}${3:+_bare}_down"
  echo "| $1 | $up / $curl_up MB/s ($(pct "$up" "$curl_up")) | $down / $curl_down MB/s ($(pct "$down" "$curl_down")) | $(eval echo "\$${2}_load") |"
}
table="| backend | upload: isg / curl | download: isg / curl | load |
|---|---|---|---|
$(row "s3 (s3rver 3.7.1)" s3)
$(row "s3, backend alone (--bare)" s3 bare)
$(row "ipfs (js-ipfs 0.66.1, block/put + pin/add)" ipfs)
$(row "discord (tests' fake: webhook + attachment URL)" discord)
$(row "telegram (tests' fake: sendDocument, getFile + file)" telegram)
$(row "youtube (tests' fake: resumable session + PUT, direct download)" youtube)"
echo "$table"

section="<!-- bench/backends.sh: begin -->
## Platform backends: \`bench/backends.sh\`

Run of $(date -u '+%Y-%m-%d %H:%M') UTC (\`bash bench/backends.sh\`): $OBJECTS objects of $SIZE bytes, $CONCURRENCY in
flight, best of $ROUNDS rounds for each of curl and isg, through \`isg bench backend TYPE\` (the backend inside the node's decorator stack: retries, circuit breaker,
metrics; no rate limit, no upload queue) beside curl making the same requests to the same server in the same run.
curl sends IPFS the same 1 MiB - 1 KiB raw blocks the backend makes (block/put then pin/add, block/get), s3rver whole
objects (PUT, GET), the Discord fake one message per object (execute webhook, then the attachment URL), the Telegram
fake one document per object (sendDocument; getFile, then the file) and the YouTube fake one resumable session and one
PUT per video, then the direct download to a file (the YouTube store without packing or encoding). Machine:
$(machine_line 'avx2|sha_ni'); load before the run $load_before, after $(loadavg); the load column is the
range of the 1-minute load average at the start of each round (other work shares the two cores).

$table

The servers are test doubles (Node.js, one core each; the platform fakes are Kestrel in one .NET process), so the
ratio is what the figure is for: the target is at least 80% of the server alone.
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
