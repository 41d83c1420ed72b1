#!/usr/bin/env bash
# Regenerates Libraries/MonologKafkaProtocol/Generated/ (and the tests' GeneratedExamples/) from the
# normalized snapshot of Kafka's message schemas in Tools/KafkaProtocolSchema/. To take in new Kafka
# definitions, refresh that snapshot first with scripts/refresh-protocol-schema.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
swift run --quiet KafkaProtocolGenerator Tools/KafkaProtocolSchema \
    Libraries/MonologKafkaProtocol/Generated Tests/MonologKafkaProtocolTests/GeneratedExamples
