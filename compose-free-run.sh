#!/usr/bin/env bash
# Sets up and runs Monolog on a Debian machine with Swift installed: installs any missing system
# packages, builds the release binaries (incrementally: quick the second time), then runs the
# supervisor in the foreground. Extra arguments go to `monolog-supervisor start`, e.g.
#   ./compose-free-run.sh --data-dir /var/lib/monolog --http-addr :8080 --kafka-addr :9092
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v swift >/dev/null; then
    echo "error: the Swift toolchain (6.2 or newer) is needed to build Monolog; put 'swift' on PATH." >&2
    exit 1
fi
scripts/install-deps.sh
echo "Building Monolog (release)..." >&2
swift build -c release >&2
exec "$(swift build -c release --show-bin-path)/monolog-supervisor" start "$@"
