#!/usr/bin/env bash
# Kills the storage writer with SIGKILL at random moments while eight clients append, many times over,
# and checks after each run that every acknowledged message is stored exactly once, offsets are
# contiguous and `PRAGMA integrity_check` is ok (Tests/EndToEndTests/WriterCrashTests.swift).
#   scripts/writer-crash-loop.sh [kills]    default 300
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${1:-300}"
swift build --build-tests
MONOLOG_WRITER_KILL_ROUNDS="$kills" swift test --skip-build --disable-xctest --filter "WriterCrashTests/randomKills"
