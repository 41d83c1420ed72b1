#!/usr/bin/env bash
# Builds monolog-loadgen against Debian's librdkafka-dev and libsqlite3-dev, into .build/loadgen/.
set -euo pipefail
cd "$(dirname "$0")"
out="../../.build/loadgen"
mkdir -p "$out"
cc -O2 -Wall -Wextra -std=gnu11 -o "$out/monolog-loadgen" ./*.c $(pkg-config --cflags --libs rdkafka sqlite3) -lpthread
echo "$(cd "$out" && pwd)/monolog-loadgen"
