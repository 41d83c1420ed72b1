#!/usr/bin/env bash
# Regenerates Libraries/MonologKafkaProtocol/Generated/ from Kafka's message definitions
# (../shared/kafka-protocol/message by default; set KAFKA_MESSAGE_DEFINITIONS to use another folder).
set -euo pipefail
cd "$(dirname "$0")/.."
definitions="${KAFKA_MESSAGE_DEFINITIONS:-../shared/kafka-protocol/message}"
swift run --quiet KafkaProtocolGenerator "$definitions" \
    Libraries/MonologKafkaProtocol/Generated Tests/MonologKafkaProtocolTests/GeneratedExamples
