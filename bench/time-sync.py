#!/usr/bin/env python3
"""Times a sync for the peer benchmarks: runs COMMAND (the add on the first node), then asks the second node's
GET /api/sync every INTERVAL seconds until it lists FILES entries and is converged. Prints two figures: the seconds from
just before COMMAND to the first answer that says so (the sync), and to COMMAND's end (the add).

Usage: time-sync.py STATUS_URL FILES INTERVAL -- COMMAND...

The node asked may still be starting: until it listens, a poll counts as "not yet".

One process with one kept-alive connection does all the asking. Starting `curl` and `jq` for every poll cost about
28 ms of CPU each on these 2-core machines (jq 1.6 parses its builtins at every start), about a third of the machine
at a 20 ms interval, taken from the nodes being timed. Syncthing's anchor polls with `ls | wc -l`.
"""
import http.client
import json
import subprocess
import sys
import time
import urllib.parse


def converged(connection, path, files):
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
    except ConnectionRefusedError:
        # A node started just before (peers-swarm.sh's fresh device) is not listening yet.
        connection.close()
        return False
    if response.status != 200:
        return False
    status = json.loads(body)
    return status["files"] == files and status["converged"]


def main():
    if len(sys.argv) < 6 or sys.argv[4] != "--":
        sys.exit(__doc__)
    url = urllib.parse.urlsplit(sys.argv[1])
    files, interval, command = int(sys.argv[2]), float(sys.argv[3]), sys.argv[5:]
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        connection.connect()
    except ConnectionRefusedError:
        pass
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    added = time.monotonic()
    while not converged(connection, url.path, files):
        time.sleep(interval)
    print(f"{time.monotonic() - started:.3f} {added - started:.3f}")


if __name__ == "__main__":
    main()
