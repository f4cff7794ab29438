#!/usr/bin/env bash
# Installs what the tests need (Debian packages) and runs every test in the solution.
# Prints one closing line: "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

packages=(libzstd1 libargon2-1 libisal2 sqlite3 ffmpeg libzbar0 yt-dlp avahi-daemon avahi-utils dbus iproute2)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
# Node.js often comes from elsewhere than Debian (the machine image has its own node and npm): only a missing
# command asks apt for it, since Debian's npm conflicts with a nodejs it did not install.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"
  echo "test.sh: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

# npm servers the backend tests run on loopback (js-ipfs, s3rver), pinned by .tools/npm/package-lock.json; skipped
# when already installed at the locked versions.
if command -v npm >/dev/null; then
  tools=.tools/npm/node_modules
  if ! [[ -x $tools/.bin/jsipfs && -x $tools/.bin/s3rver && ! .tools/npm/package-lock.json -nt $tools/.package-lock.json ]]; then
    echo "test.sh: installing npm test servers into .tools/npm"
    npm install --prefix .tools/npm --no-audit --no-fund --loglevel=error
  fi
else
  echo "test.sh: npm not found: the IPFS and S3 backend tests need it (apt-get install npm)" >&2
fi

results="$(pwd)/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
status=0
dotnet test Isg.sln -c Release --nologo --logger "trx" --results-directory "$results" "$@" || status=$?

# Sum the TRX counters of every test project into one line CI can read (plain grep/awk: no python needed).
cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | awk '
  function field(name,   m) { return match($0, name "=\"[0-9]+\"") ? substr($0, RSTART + length(name) + 2, RLENGTH - length(name) - 3) + 0 : 0 }
  { p += field("passed"); f += field("failed") + field("error") + field("timeout") + field("aborted"); s += field("notExecuted") }
  END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' || true

# The README's launcher as users run it (ReadyToRun build), with a round trip through it.
if ((status == 0)); then
  smoke=$(mktemp -d)
  trap 'rm -rf "$smoke"' EXIT
  export ISG_PASSPHRASE=launcher-smoke
  if ./isg --repo "$smoke/repo" init --kdf-memory 8 -q \
     && ./isg --repo "$smoke/repo" add src -q \
     && ./isg --repo "$smoke/repo" get src -o "$smoke/out" -q \
     && diff -r src "$smoke/out" >/dev/null; then
    echo "launcher: ./isg init/add/get round trip of src/ passed"
  else
    echo "launcher: ./isg init/add/get round trip of src/ FAILED"
    status=1
  fi
fi
exit $status
