#!/usr/bin/env bash
# Installs the Debian packages Monolog builds against, if any are missing. Quick when all are present.
#   scripts/install-deps.sh          build dependencies (the C libraries and pkg-config)
#   scripts/install-deps.sh --test   the same, plus what the test suite drives (kcat)
set -euo pipefail

packages=(pkg-config libsqlite3-dev libcurl4-openssl-dev zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev)
if [[ "${1:-}" == "--test" ]]; then
    packages+=(kcat)
fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

echo "Installing missing Debian packages: ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "error: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
