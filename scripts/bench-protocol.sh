#!/usr/bin/env bash
# Runs the protocol-library benchmarks (Benchmarks/, ordo-one/benchmark): Produce and Fetch encode and
# decode over 1 MiB of record batches, CRC-32C, and memcpy of 1 MiB as the baseline of the same run.
# Method and latest figures: docs/benchmarks.md. Extra arguments go to `swift package benchmark`.
set -euo pipefail
cd "$(dirname "$0")/../Benchmarks"
swift package benchmark --target ProtocolBenchmarks "$@"
