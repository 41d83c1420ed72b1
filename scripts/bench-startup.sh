#!/usr/bin/env bash
# Start-up time of the whole tree, as the supervisor logs it: from `monolog-supervisor start` to the
# first answered Kafka Metadata request (with the HTTP port accepting). Cold: a new data directory (the
# database is created and migrated); warm: the same directory started again. Prints the medians of
# RUNS starts of each, and the ratio cold/warm.
#   scripts/bench-startup.sh [runs]    default 10; builds release binaries first
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
swift build -c release --product monolog-supervisor >/dev/null
swift build -c release >/dev/null
bin="$(swift build -c release --show-bin-path)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_once() {  # $1: data dir; prints the startup seconds the supervisor logged
    local log="$work/log" kafka http
    kafka="$(port)"; http="$(port)"
    "$bin/monolog-supervisor" start --data-dir "$1" --kafka-addr "127.0.0.1:$kafka" --http-addr "127.0.0.1:$http" >"$log" 2>&1 &
    local pid=$!
    for _ in $(seq 1 600); do grep -q "monolog ready" "$log" && break; sleep 0.05; done
    grep -o 'startup=[0-9.]*' "$log" | head -1 | cut -d= -f2
    kill -TERM "$pid"; wait "$pid" || true
}

cold=(); warm=()
for i in $(seq 1 "$runs"); do
    dir="$work/data-$i"
    cold+=("$(start_once "$dir")")
    warm+=("$(start_once "$dir")")
done
python3 - "${cold[*]}" "${warm[*]}" <<'PYTHON'
import statistics, sys
cold = [float(x) for x in sys.argv[1].split()]
warm = [float(x) for x in sys.argv[2].split()]
c, w = statistics.median(cold), statistics.median(warm)
print(f"start-up to first answered Metadata, {len(cold)} runs each")
print(f"  cold (new data directory): median {c*1000:.0f} ms")
print(f"  warm (existing directory): median {w*1000:.0f} ms")
print(f"  cold/warm: {c/w:.2f}x")
PYTHON
