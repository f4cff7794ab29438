#!/usr/bin/env bash
# Why the node writes blocks with direct I/O: measures the system time of writing 1 GiB into a file three times:
# into fresh page-cache pages, into the pages the first file's deletion just freed, and again after 5 s (time for a
# VM's free-page reporting to hand them back to the host). On a lazily backed VM the first and last are several times
# slower than the second. Setting: DIR (where to write, default /tmp), MIB (1024).
set -euo pipefail
DIR="${DIR:-/tmp}" MIB="${MIB:-1024}" python3 - <<'PY'
import os, time, resource
path = os.path.join(os.environ["DIR"], f"isg-fresh-pages-{os.getpid()}")
mib = int(os.environ["MIB"])
chunk = os.urandom(1 << 20)

def write(label):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_stime
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for _ in range(mib):
            os.write(fd, chunk)
    finally:
        os.close(fd)
    print(f"{label}: {mib} MiB written with {resource.getrusage(resource.RUSAGE_SELF).ru_stime - before:.2f} s of system time", flush=True)
    os.unlink(path)

write("fresh pages")
write("recycled pages")
time.sleep(5)
write("after 5 s idle")
PY
