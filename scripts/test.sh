#!/usr/bin/env bash
# Runs the whole test suite: unit tests and end-to-end tests against the real process tree.
# Installs missing system packages first, so it works on a fresh Debian machine with Swift.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --test
# The end-to-end tests start the service executables, so build them along with the tests.
swift build --build-tests
# Every end-to-end test starts its own broker (four processes), and unbounded, swift-testing starts
# all of them at once: on two cores the load average reached 20 and timing-sensitive tests failed at
# random. Six tests at a time keeps it near 5 and costs about 20 s of wall time (86 s against 68 s
# here); override with MONOLOG_TEST_PARALLELISM.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${MONOLOG_TEST_PARALLELISM:-6}"
swift test --skip-build --disable-xctest "$@"
