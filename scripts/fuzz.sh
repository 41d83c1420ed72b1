#!/usr/bin/env bash
# Fuzzes every decoder of bytes that come from outside the broker with libFuzzer (Fuzz/, a package of
# its own): Kafka request frames of every API and version, record batches with their CRC and every
# decompressor, the storage writer's socket protocol, and HTTP request bodies.
#
#   scripts/fuzz.sh [SECONDS]     each target for SECONDS (default 60); CI runs this with 60
#
# Builds the targets in release with -sanitize=fuzzer,address (a few minutes the first time), seeds each
# from scripts/fuzz/seeds.py (golden frames from real clients, their record batches, writer frames,
# HTTP bodies), then runs them one after another. A crash, an AddressSanitizer report, a leak, an input
# that takes over 10 s or a target over 2 GiB stops that target and fails the script; the input that did
# it is left in Fuzz/Artifacts/ (turn it into a regression test before fixing the bug).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
targets=(FuzzKafkaRequest FuzzRecordBatch FuzzWriterProtocol FuzzHTTPBody)
# -parse-as-library: the targets have no top-level code (libFuzzer's driver runs them). lld: gold fails
# with an internal error on these binaries' debug information.
flags=(-c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -use-ld=lld)

echo "fuzz: building ${targets[*]}" >&2
(cd Fuzz && swift build "${flags[@]}")
bin=$(cd Fuzz && swift build "${flags[@]}" --show-bin-path)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 scripts/fuzz/seeds.py "$work/seeds"
mkdir -p Fuzz/Artifacts

failed=()
for target in "${targets[@]}"; do
    echo "fuzz: $target for ${seconds}s" >&2
    mkdir -p "$work/corpus/$target"
    if ! "$bin/$target" "$work/corpus/$target" "$work/seeds/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="Fuzz/Artifacts/$target-" -print_final_stats=1 2> "$work/$target.log"; then
        tail -60 "$work/$target.log" >&2
        failed+=("$target")
    else
        grep -E "^(stat::number_of_executed_runs|stat::peak_rss_mb)|^Done " "$work/$target.log" | sed "s/^/fuzz: $target: /" >&2 || true
    fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz: FAILED: ${failed[*]} (inputs in Fuzz/Artifacts/)" >&2
    exit 1
fi
echo "fuzz: all targets ran ${seconds}s without a finding" >&2
