#!/usr/bin/env bash
# Runs the whole test suite: unit tests and end-to-end tests against the real process tree.
# Installs missing system packages first, so it works on a fresh Debian machine with Swift.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --test
# The end-to-end tests start the service executables, so build them along with the tests.
swift build --build-tests
swift test --skip-build --disable-xctest "$@"
