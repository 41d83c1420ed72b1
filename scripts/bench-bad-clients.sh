#!/usr/bin/env bash
# Load of bad clients: does the Kafka gateway stay bounded and keep serving well-behaved clients while
# 1,000 hostile connections run? Builds the release (or takes MONOLOG_BIN_DIR), then for each run
# (Benchmarks/bad-clients/driver.py) starts `monolog-supervisor start` on a fresh data directory with a
# SASL_PLAINTEXT listener on a free port, and runs three phases of BENCH_BAD_SECONDS each:
#
#   baseline  10 producers (acks=all, 512 B, each waiting for its ack) and one consumer, alone;
#   attack    the same good clients while 1,000 bad connections run, paced to 15 MB/s in all: garbage,
#             slow-loris partial frames, frames claiming 2 GiB, pre-authentication giant frames, deep
#             pipelines of long-poll fetches, ~100 MiB Produce frames (the classes and their rates are
#             BAD_CLASSES in the driver);
#   after     the good clients alone again, once the bad ones have left.
#
# The Kafka gateway's VmRSS is sampled every 0.2 s throughout. Checks, per run: gateway RSS max < 300 MB;
# no errors for the good clients under load (every acknowledged message consumed); their p99 under load
# < 5x the baseline p99 of the same run; normal service afterwards (no errors, p99 < 2x baseline, at
# least half the baseline rate, the same gateway process). Exit status 1 if any check fails in any run.
#
#   scripts/bench-bad-clients.sh              3 runs of 30 s phases (about 6 minutes)
#   scripts/bench-bad-clients.sh --quick      1 run of 10 s phases, to check the script itself (leaves
#                                             docs/ alone: results stay in BENCH_DIR)
#
# Environment: BENCH_BAD_RUNS=3, BENCH_BAD_SECONDS=30, MONOLOG_BIN_DIR=DIR (prebuilt executables
# instead of `swift build -c release`), BENCH_DIR=.build/bench-bad-clients (data directories, logs).
# Raw results: docs/results/bad-clients-<date>.jsonl (one line per phase and run); the medians go into
# docs/benchmarks.md between the bench-bad-clients markers, unless BENCH_BAD_NO_DOCS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

runs="${BENCH_BAD_RUNS:-3}"
seconds="${BENCH_BAD_SECONDS:-30}"
quick=0
if [[ "${1:-}" == "--quick" ]]; then
    runs=1 seconds=10 quick=1
elif [[ $# -gt 0 ]]; then
    sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
work="${BENCH_DIR:-$repo/.build/bench-bad-clients}"
log() { echo "[bad-clients] $*" >&2; }

scripts/install-deps.sh --test
if [[ -n "${MONOLOG_BIN_DIR:-}" ]]; then
    bin_dir="$(cd "$MONOLOG_BIN_DIR" && pwd)"
else
    log "building release"
    swift build -c release >&2
    bin_dir="$(swift build -c release --show-bin-path)"
fi
mkdir -p "$work"
# The driver builds its ~100 MiB record batch with the broker's own CRC-32C code.
cc -O2 -shared -fPIC -ILibraries/CCRC32C/include -o "$work/libcrc32c.so" Libraries/CCRC32C/crc32c.c

# 1,000 bad connections plus the good clients, in this shell and in the broker it starts.
hard="$(ulimit -Hn)"
if [[ "$hard" == unlimited || "$hard" -gt 65536 ]]; then hard=65536; fi
ulimit -n "$hard"
[[ "$(ulimit -n)" -ge 4096 ]] || { echo "error: the open-file limit is $(ulimit -n); 4096 or more is needed" >&2; exit 1; }
log "open-file limit $(ulimit -n)"

date="$(date -u +%Y-%m-%d)"
results="$work/results.jsonl"
: > "$results"
status=0
for run in $(seq 1 "$runs"); do
    .venv/bin/python Benchmarks/bad-clients/driver.py run --bin-dir "$bin_dir" --work "$work/run-$run" \
        --results "$results" --crc-lib "$work/libcrc32c.so" --run "$run" --seconds "$seconds" || status=1
done

raw="$results"
report_args=(--results "$raw" --runs "$runs" --seconds "$seconds")
if [[ $quick == 0 ]]; then
    mkdir -p docs/results
    raw="docs/results/bad-clients-$date.jsonl"
    cp "$results" "$raw"
    report_args=(--results "$raw" --runs "$runs" --seconds "$seconds")
    [[ "${BENCH_BAD_NO_DOCS:-0}" == 1 ]] || report_args+=(--doc docs/benchmarks.md)
fi
python3 Benchmarks/bad-clients/report.py "${report_args[@]}"
log "raw results: $raw"
exit "$status"
