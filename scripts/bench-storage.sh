#!/usr/bin/env bash
# Storage benchmarks against the real storage writer (release build): group commit with N clients each
# waiting for its ack, as a ratio to one fdatasync per write (interleaved windows) and to one-row SQLite
# commits measured in the same run; and the cost of a fetch at offset 0, 5M and 10M. Keeps the raw
# results in docs/results/storage-DATE.jsonl and writes the tables generated from them into
# docs/benchmarks.md between the bench-storage markers (scripts/bench-storage-report.py).
#   scripts/bench-storage.sh [--windows 12] [--seconds 1] [--clients 10] [--messages 10000000]
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
swift build -c release --product monolog-storage-writer >&2
writer="$(swift build -c release --show-bin-path)/monolog-storage-writer"
raw="docs/results/storage-$(date +%F).jsonl"
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
(
    cd Benchmarks
    # SwiftPM keeps the build plan of this package's dependency on the main package (`..`) in
    # release.yaml and does not notice a source file added there since; without the plan it re-plans.
    rm -f .build/release.yaml
    swift build -c release --product StorageBenchmarks >&2
    "$(swift build -c release --show-bin-path)/StorageBenchmarks" --writer-binary "$writer" --results "$results" "$@"
)
mkdir -p docs/results
cp "$results" "$raw"
python3 scripts/bench-storage-report.py "$results" "$repo/docs/benchmarks.md" --raw "$raw"
