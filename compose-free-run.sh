#!/usr/bin/env bash
# Sets up and runs Monolog on a Debian machine with Swift installed: installs any missing system
# packages, builds the release binaries (incrementally: quick the second time), then runs the
# supervisor in the foreground. Extra arguments go to `monolog-supervisor start`, e.g.
#   ./compose-free-run.sh --data-dir /var/lib/monolog --http-addr :8080 --kafka-addr :9092
#   ./compose-free-run.sh --replica file:///srv/replica      (continuous replication, docs/OPERATIONS.md)
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v swift >/dev/null; then
    echo "error: the Swift toolchain (6.2 or newer) is needed to build Monolog; put 'swift' on PATH." >&2
    exit 1
fi
scripts/install-deps.sh
# Replication (docs/OPERATIONS.md) needs Litestream: installed when a replica is named on the command
# line, in the environment or in the YAML file, unless the caller says which litestream to run.
wants_replication=""
[[ -n "${MONOLOG_REPLICA:-}" ]] && wants_replication=1
previous=""
for argument in "$@"; do
    case "$argument" in --replica|--replica=*) wants_replication=1 ;; esac
    if [[ "$previous" == "--config" && -f "$argument" ]] && grep -q '^replication:' "$argument"; then wants_replication=1; fi
    previous="$argument"
done
if [[ -n "$wants_replication" && -z "${MONOLOG_LITESTREAM_BIN:-}" ]] && ! printf '%s\n' "$@" | grep -q -- '^--litestream-bin'; then
    MONOLOG_LITESTREAM_BIN="$(scripts/install-deps.sh --replication | tail -n 1)"
    export MONOLOG_LITESTREAM_BIN
fi
echo "Building Monolog (release)..." >&2
swift build -c release >&2
exec "$(swift build -c release --show-bin-path)/monolog-supervisor" start "$@"
