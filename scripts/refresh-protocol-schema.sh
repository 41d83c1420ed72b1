#!/usr/bin/env bash
# Rewrites the normalized snapshot of Kafka's message schemas, Tools/KafkaProtocolSchema/*.json, from a
# folder of Apache Kafka's message definitions (clients/src/main/resources/common/message):
#   scripts/refresh-protocol-schema.sh [DEFINITIONS_DIR]
# DEFINITIONS_DIR defaults to $KAFKA_MESSAGE_DEFINITIONS, else ../shared/kafka-protocol/message beside the
# checkout. Then run scripts/generate-protocol.sh to regenerate the codecs from the new snapshot.
set -euo pipefail
definitions="${1:-${KAFKA_MESSAGE_DEFINITIONS:-}}"
if [[ -n "$definitions" ]]; then
    # A folder given by the caller is relative to the caller's directory.
    [[ -d "$definitions" ]] || { echo "error: no such folder: $definitions" >&2; exit 1; }
    definitions="$(cd "$definitions" && pwd)"
fi
cd "$(dirname "$0")/.."
definitions="${definitions:-../shared/kafka-protocol/message}"
[[ -d "$definitions" ]] || {
    echo "error: Kafka's message definitions not found at $definitions; pass a folder or set KAFKA_MESSAGE_DEFINITIONS" >&2
    exit 1
}
swift run --quiet KafkaProtocolGenerator snapshot "$definitions" Tools/KafkaProtocolSchema
echo "now run scripts/generate-protocol.sh to regenerate the codecs from it"
