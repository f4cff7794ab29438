# Helpers shared by the bench/*.sh scripts; source it after setting ROOT: source "$ROOT/bench/lib.sh".

# missing_packages COMMAND:PACKAGE...: prints the PACKAGE of every COMMAND not found on PATH, one per line.
missing_packages() {
  local pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || echo "${pair#*:}"
  done
}

# install_packages PACKAGE...: installs them with apt-get when running as root, else names them and exits 1.
# Nothing to do without arguments.
install_packages() {
  (($# == 0)) && return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "installing: $*" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >&2
  else
    echo "missing: $* (sudo apt-get install $*)" >&2; exit 1
  fi
}

# loadavg: the 1, 5 and 15 minute load averages.
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# machine_line FLAGS_REGEX: CPUs, model, the CPU flags matching FLAGS_REGEX (e.g. 'avx2|gfni'), RAM, OS and kernel.
machine_line() {
  local cpu flags
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
  flags=$(grep -m1 flags /proc/cpuinfo | grep -o -w -E "$1" | xargs)
  echo "$(nproc) CPUs, $cpu (flags: $flags), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r)"
}

# write_section DOC BEGIN_MARK END_MARK SECTION_FILE: replaces the lines from BEGIN_MARK to END_MARK in DOC with the
# contents of SECTION_FILE (which holds both marks), or appends it when DOC has no such section. Other lines stay.
write_section() {
  local doc=$1 begin=$2 end=$3 section=$4 tmp
  mkdir -p "$(dirname "$doc")"; touch "$doc"
  tmp=$(mktemp)
  awk -v b="$begin" -v e="$end" -v f="$section" '
    $0 == b { while ((getline line < f) > 0) print line; skip = 1; done = 1; next }
    skip { if ($0 == e) skip = 0; next }
    { print }
    END { if (!done) { print ""; while ((getline line < f) > 0) print line } }' "$doc" >"$tmp"
  cp "$tmp" "$doc"; rm -f "$tmp"
}

# Peer benchmarks (bench/peers*.sh): node NODE is the repository folder $WORK/NODE, driven by the launcher $ISG; the
# functions below use the caller's WORK and ISG, and the arrays peers_workspace declares.

# peers_workspace: empties $WORK (with $WORK/src for inputs), kills the started nodes and removes $WORK on exit, keeping
# the nodes' logs in $WORK.logs (a run's outlier can be read afterwards), exports the passphrase and mDNS off, and
# declares PEER, HTTP, ID (per node: peer port, HTTP port, device id), PID (per started node) and pids (every started node).
peers_workspace() {
  rm -rf "$WORK"; mkdir -p "$WORK/src"
  pids=()
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null
        rm -rf "$WORK.logs"; mkdir -p "$WORK.logs"; cp "$WORK"/*.log "$WORK.logs/" 2>/dev/null || true; rm -rf "$WORK"' EXIT
  export ISG_PASSPHRASE=bench-passphrase ISG_NO_MDNS=1
  declare -gA PEER HTTP ID PID
}

# free_port: a free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# now: seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }

# median: the median of the numbers on stdin, one a line.
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# pair_ratios: reads lines "A B" (two timings taken side by side) and prints "RATIO SE SLOWER N": the geometric mean of
# B / A over the pairs, its standard error in percent, how many pairs had B slower, and how many pairs there were.
# Pairs cancel the machine's drift between runs (a shared VM: the same fetch takes 0.8 s in one run and 1.0 s in the next).
pair_ratios() {
  awk '{ l = log($2 / $1); s += l; q += l * l; n++; if ($2 > $1) slower++ }
       END { m = s / n; sd = n > 1 ? sqrt((q - n * m * m) / (n - 1)) : 0
             printf "%.3f %.1f %d %d\n", exp(m), 100 * sd / sqrt(n), slower, n }'
}

# rss PID: the peak resident set (VmHWM) of process PID so far, in MiB.
rss() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

# content SEED BYTES: BYTES pseudo-random bytes (AES-CTR keyed by SEED), the same for the same SEED.
content() { openssl enc -aes-256-ctr -nosalt -K "$(printf '%064x' "$1")" -iv "$(printf '%032d' 9)" -in /dev/zero 2>/dev/null | head -c "$2" || true; }

# on NODE ARG...: runs isg ARG... on the repository of NODE.
on() { local node=$1; shift; ISG_REPO="$WORK/$node" "$ISG" "$@"; }

# first_device NODE: creates the repository as NODE, with redundancy 0 (Syncthing keeps no parity either).
first_device() {
  on "$1" init --kdf-memory 8 >/dev/null
  on "$1" config set redundancy 0 >/dev/null
}

# join_device NODE FROM: makes NODE a new device of FROM's repository (isg init --join: its descriptor and wrapped
# key, a fresh identity and an empty catalogue), with redundancy 0.
join_device() {
  on "$1" init --join "$WORK/$2" >/dev/null
  on "$1" config set redundancy 0 >/dev/null
}

# address_nodes NODE...: picks a free peer port (PEER) and HTTP port (HTTP) for each NODE and reads its device id (ID).
address_nodes() {
  local n
  for n in "$@"; do PEER[$n]=$(free_port); HTTP[$n]=$(free_port); ID[$n]=$(on "$n" id --json | jq -r .deviceId); done
}

# pair NODE OTHER: NODE accepts OTHER as a peer at OTHER's peer port.
pair() { on "$1" peer add "${ID[$2]}" --address "127.0.0.1:${PEER[$2]}" >/dev/null; }

# start_node NODE [OPTION...]: starts `isg node run` for NODE on its ports in the background (log: $WORK/NODE.log);
# sets PID[NODE] and adds it to pids.
start_node() {
  ISG_REPO="$WORK/$1" ISG_PEER_LISTEN="127.0.0.1:${PEER[$1]}" "$ISG" node run --listen "127.0.0.1:${HTTP[$1]}" "${@:2}" >"$WORK/$1.log" 2>&1 &
  PID[$1]=$!; pids+=($!)
}

# status NODE: the JSON of NODE's GET /api/sync (fails while the node does not answer).
status() { curl -sf "http://127.0.0.1:${HTTP[$1]}/api/sync"; }

# wait_node NODE...: waits until each NODE answers /api/sync, at most 60 s each.
wait_node() {
  local n
  for n in "$@"; do for _ in $(seq 600); do status "$n" >/dev/null 2>&1 && break; sleep 0.1; done; done
}
