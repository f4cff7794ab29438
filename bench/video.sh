#!/usr/bin/env bash
# Video benchmark (issue 4): the glitch channel measured end to end through the real `isg` and ffmpeg.
#  1. Speed of the lossless profile on VIDEO_MIB (default 256) MiB of random data: `isg encode` and `isg decode`
#     wall time beside ffmpeg alone doing the same codec work on the same frames in the same run (encode: ffmpeg
#     reading the video's raw frames from a file and writing FFV1 with our arguments; decode: ffmpeg decoding our
#     video to raw frames into /dev/null). Our overhead = ours / ffmpeg alone - 1. Also the master's size.
#  2. The same for the youtube profile (H.264) on YT_MIB (default 16) MiB.
#  3. Each profile through its simulated platform channel (`isg encode --probe`): net payload KB per second of
#     video, raw bit error rate, frames the inner code could not correct, frames the outer code rebuilt, bit-exact.
#  4. Peak RSS of encoding and decoding RSS_MIB (default 1024) MiB with the lossless profile (GNU time %M).
# Writes its section of docs/benchmarks.md (ISG_BENCH_DOC to change) between its markers.
# Environment: VIDEO_MIB, YT_MIB, RSS_MIB, PROBE_MB (default 8 MB per channel; paranoid, whose frames carry least,
# gets an eighth of it), VIDEO_WORK, ISG_BIN.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
ISG="${ISG_BIN:-$ROOT/isg}"
VIDEO_MIB="${VIDEO_MIB:-256}"
YT_MIB="${YT_MIB:-16}"
RSS_MIB="${RSS_MIB:-1024}"
PROBE_MB="${PROBE_MB:-8}"
WORK="${VIDEO_WORK:-/tmp/isg-video-bench}"
DOC="${ISG_BENCH_DOC:-$ROOT/docs/benchmarks.md}"
BEGIN_MARK='<!-- bench/video.sh: begin -->'
END_MARK='<!-- bench/video.sh: end -->'

install_packages $(missing_packages ffmpeg:ffmpeg jq:jq /usr/bin/time:time)
"$ISG" --version >/dev/null            # builds the launcher's binary once, outside any timing
rm -rf "$WORK"; mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
STARTED=$(date +%s)
LOAD_START=$(loadavg)

# seconds_of CMD...: runs CMD, prints "wall_seconds max_rss_kib" (GNU time), fails when CMD fails.
seconds_of() { /usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$@" >/dev/null; cat "$WORK/time.txt"; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / s / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
overhead() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.0f %%", 100 * (a / b - 1) }'; }

# speed_rows PROFILE MIB PIXFMT WIDTH HEIGHT FFMPEG_ARGS...: encode/decode rows of one profile.
speed_rows() {
  local profile=$1 mib=$2 pixfmt=$3 width=$4 height=$5; shift 5
  local file="$WORK/$profile.bin" video="$WORK/$profile.mkv" bytes enc dec ffenc ffdec size
  head -c $((mib * 1048576)) /dev/urandom >"$file"
  bytes=$(stat -c %s "$file")
  read -r enc _ < <(seconds_of "$ISG" -q encode "$file" -o "$video" --profile "$profile")
  read -r dec _ < <(seconds_of "$ISG" -q decode "$video" -o "$WORK/$profile.out")
  cmp -s "$file" "$WORK/$profile.out" || { echo "$profile: decoded file differs" >&2; exit 1; }
  size=$(stat -c %s "$video")
  # ffmpeg alone: the same frames (decoded from our video into a raw file first, untimed) through the same encoder.
  ffmpeg -hide_banner -loglevel error -i "$video" -f rawvideo -pix_fmt "$pixfmt" -y "$WORK/frames.raw"
  read -r ffenc _ < <(seconds_of ffmpeg -hide_banner -loglevel error -f rawvideo -pix_fmt "$pixfmt" -s "${width}x$height" -r 30 \
    -i "$WORK/frames.raw" "$@" -f matroska -y "$WORK/ffmpeg.mkv")
  read -r ffdec _ < <(seconds_of ffmpeg -hide_banner -loglevel error -i "$video" -f rawvideo -pix_fmt "$pixfmt" -y /dev/null)
  rm -f "$WORK/frames.raw" "$WORK/ffmpeg.mkv" "$WORK/$profile.out"
  echo "| $profile | encode | $mib MiB | $(mbps "$bytes" "$enc") MB/s ($enc s) | $(mbps "$bytes" "$ffenc") MB/s ($ffenc s) | $(overhead "$enc" "$ffenc") | master $(ratio "$size" "$bytes")× the file |"
  echo "| $profile | decode | $mib MiB | $(mbps "$bytes" "$dec") MB/s ($dec s) | $(mbps "$bytes" "$ffdec") MB/s ($ffdec s) | $(overhead "$dec" "$ffdec") | bit-exact |"
  rm -f "$file" "$video"
}

echo "video bench: lossless speed ($VIDEO_MIB MiB)" >&2
SPEED=("$(speed_rows lossless "$VIDEO_MIB" rgb24 1280 720 -c:v ffv1 -level 3 -slices 4 -g 1 -pix_fmt bgr0)")
echo "video bench: youtube speed ($YT_MIB MiB)" >&2
SPEED+=("$(speed_rows youtube "$YT_MIB" gray 1920 1080 -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p)")

CHANNELS=()
for pair in lossless:lossless-copy youtube:youtube-10m dense:light-h264 paranoid:youtube-3m-720p; do
  profile=${pair%%:*}; channel=${pair#*:}
  bytes=$((PROBE_MB * 1000000)); [[ $profile == paranoid ]] && bytes=$((bytes / 8))
  echo "video bench: $profile through $channel ($bytes bytes)" >&2
  json=$("$ISG" -q encode --probe "$channel" --profile "$profile" --probe-bytes "$bytes" --json || true)
  [[ -n $json ]] || { echo "probe $profile/$channel printed nothing" >&2; exit 1; }
  CHANNELS+=("$(jq -r '"| \(.profile) | \(.channel) | \(.netBytesPerSecond / 1000 | floor) KB/s | \(.channelBitsPerSecond / 1e6 * 100 | floor / 100) Mbit/s | \(if .rawBitErrorRate == null then "n/a" else (.rawBitErrorRate * 1e6 | floor / 1e6) end) | \(.framesRead) read, \(.framesDamaged) beyond inner code, \(.framesRebuilt) rebuilt, \(.groupsLost) groups lost | \(if .bitExact then "yes" else "NO: \(.failure)" end) |"' <<<"$json")")
done

echo "video bench: peak RSS ($RSS_MIB MiB, lossless)" >&2
head -c $((RSS_MIB * 1048576)) /dev/urandom >"$WORK/big.bin"
read -r rss_enc_s rss_enc < <(seconds_of "$ISG" -q encode "$WORK/big.bin" -o "$WORK/big.mkv" --profile lossless)
read -r rss_dec_s rss_dec < <(seconds_of "$ISG" -q decode "$WORK/big.mkv" -o "$WORK/big.out")
cmp -s "$WORK/big.bin" "$WORK/big.out" || { echo "1 GiB round trip differs" >&2; exit 1; }
RSS_ROWS=("| encode | $RSS_MIB MiB | $((rss_enc / 1024)) MiB | $rss_enc_s s |" "| decode | $RSS_MIB MiB | $((rss_dec / 1024)) MiB | $rss_dec_s s |")

ELAPSED=$(( $(date +%s) - STARTED ))
SECTION="$WORK/section.md"
{
  echo "$BEGIN_MARK"
  cat <<EOF
## Video: the glitch channel (bench/video.sh)

\`bash bench/video.sh\` on $(date -u +%Y-%m-%d), $(machine_line 'avx2|avx512f|gfni'); $(ffmpeg -version | head -1 | cut -d' ' -f1-3);
load average $LOAD_START at the start, $(loadavg) at the end; $ELAPSED s in all.

### Speed beside ffmpeg alone (same frames, same encoder arguments, same run)

"ffmpeg alone" encodes the raw frames of our own video from a file with our encoder arguments, and decodes our
video to raw frames into /dev/null: the codec work without ours. Rates are payload (file) bytes per second.

| profile | operation | file | isg | ffmpeg alone | our overhead | |
|---|---|---|---|---|---|---|
EOF
  printf '%s\n' "${SPEED[@]}"
  cat <<EOF

### Through simulated platform channels (\`isg encode --probe CHANNEL --profile P\`, $PROBE_MB MB of random data each, paranoid an eighth)

| profile | channel | net payload per second of video | channel bitrate | raw BER | frames | bit-exact |
|---|---|---|---|---|---|---|
EOF
  printf '%s\n' "${CHANNELS[@]}"
  cat <<EOF

### Peak memory (GNU time, maximum resident set of the isg process; ffmpeg runs in its own process)

| operation | file | peak RSS | wall |
|---|---|---|---|
EOF
  printf '%s\n' "${RSS_ROWS[@]}"
  if [[ -f "$ROOT/bench/video-notes.md" ]]; then
    echo
    cat "$ROOT/bench/video-notes.md"
  fi
  echo "$END_MARK"
} >"$SECTION"
cat "$SECTION"
write_section "$DOC" "$BEGIN_MARK" "$END_MARK" "$SECTION"
echo "# video section written to $DOC" >&2
