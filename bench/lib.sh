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
