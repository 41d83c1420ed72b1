#!/usr/bin/env bash
# Builds the null broker (plain C, no dependencies) into .build/null-broker/ and prints its path.
set -euo pipefail
cd "$(dirname "$0")"
out="../../.build/null-broker"
mkdir -p "$out"
cc -O2 -Wall -Wextra -std=gnu11 -o "$out/null-broker" null_broker.c
echo "$(cd "$out" && pwd)/null-broker"
