#!/usr/bin/env bash
# Start-up time of the whole tree, as the supervisor logs it: from `monolog-supervisor start` to the
# first answered Kafka Metadata request (with the HTTP port accepting). Cold: a new data directory (the
# database is created and migrated); warm: the same directory started again. Keeps one JSON line per
# start in docs/results/startup-DATE.jsonl and writes the table of medians (and the ratio cold/warm)
# made from them into docs/benchmarks.md between the bench-startup markers, and prints it.
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
raw="docs/results/startup-$(date +%F).jsonl"
mkdir -p docs/results
: > "$raw"
for i in "${!cold[@]}"; do
    echo "{\"start\":\"cold\",\"run\":$((i + 1)),\"seconds\":${cold[$i]}}" >> "$raw"
    echo "{\"start\":\"warm\",\"run\":$((i + 1)),\"seconds\":${warm[$i]}}" >> "$raw"
done
python3 - "$raw" docs/benchmarks.md <<'PYTHON'
import importlib.util, json, os, statistics, sys
spec = importlib.util.spec_from_file_location("bench_report", os.path.join("scripts", "bench-report.py"))
bench_report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench_report)
raw, document = sys.argv[1], sys.argv[2]
lines = [json.loads(line) for line in open(raw) if line.strip()]
cold = [line["seconds"] for line in lines if line["start"] == "cold"]
warm = [line["seconds"] for line in lines if line["start"] == "warm"]
c, w = statistics.median(cold), statistics.median(warm)
date = raw[len("docs/results/startup-"):-len(".jsonl")]
table = "\n".join([
    f"Run of {date} by `scripts/bench-startup.sh`: {bench_report.machine()}, release build. "
    f"Raw results: [{raw}]({raw[len('docs/'):]}).",
    "",
    f"| start | median of {len(cold)} | range | ratio |",
    "| --- | ---: | ---: | ---: |",
    f"| cold (new data directory) | {c * 1000:.0f} ms | {min(cold) * 1000:.0f}–{max(cold) * 1000:.0f} ms | {c / w:.2f}× warm |",
    f"| warm (existing directory) | {w * 1000:.0f} ms | {min(warm) * 1000:.0f}–{max(warm) * 1000:.0f} ms | baseline |",
])
print(table)
bench_report.replace_between_markers(document, "<!-- bench-startup:begin -->", "<!-- bench-startup:end -->", table)
PYTHON
