#!/usr/bin/env bash
# Storage benchmarks against the real storage writer (release build): group commit with N clients each
# waiting for its ack, as a ratio to one fdatasync per write and to one-row SQLite commits measured in
# the same run; and the cost of a fetch at offset 0, 5M and 10M. Prints markdown for docs/benchmarks.md.
#   scripts/bench-storage.sh [--windows 12] [--seconds 1] [--clients 10] [--messages 10000000]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product monolog-storage-writer >&2
writer="$(swift build -c release --show-bin-path)/monolog-storage-writer"
cd Benchmarks
# SwiftPM keeps the build plan of this package's dependency on the main package (`..`) in
# release.yaml and does not notice a source file added there since; without the plan it re-plans.
rm -f .build/release.yaml
swift build -c release --product StorageBenchmarks >&2
"$(swift build -c release --show-bin-path)/StorageBenchmarks" --writer-binary "$writer" "$@"
