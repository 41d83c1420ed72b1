#!/usr/bin/env bash
# Static checks, run by CI after the tests (and worth running before a commit):
#   - formatting: swift-format lint with the repository's .swift-format (generated code excluded);
#     `scripts/check.sh --fix` formats in place instead;
#   - import rules: each target imports exactly what Package.swift declares, and only the storage
#     modules touch SQLite (scripts/check/imports.py);
#   - docs/ARCHITECTURE.md's module graph is Package.swift's (scripts/check/module_graph.py);
#   - the generated Kafka protocol code is what the generator makes from the committed schema snapshot.
set -euo pipefail
cd "$(dirname "$0")/.."

failed=0
step() { echo "check: $1" >&2; }

mapfile -t sources < <(git ls-files '*.swift' | grep -v -e '/Generated/' -e '/GeneratedExamples/')
if [[ "${1:-}" == "--fix" ]]; then
    swift-format format --in-place --configuration .swift-format "${sources[@]}"
fi
step "formatting (swift-format lint, ${#sources[@]} files)"
swift-format lint --strict --configuration .swift-format "${sources[@]}" || { echo "check: formatting differs; scripts/check.sh --fix formats in place" >&2; failed=1; }

step "import rules"
python3 scripts/check/imports.py || failed=1

step "module graph in docs/ARCHITECTURE.md"
python3 scripts/check/module_graph.py || failed=1

step "generated protocol code matches Tools/KafkaProtocolSchema"
generated=$(mktemp -d)
trap 'rm -rf "$generated"' EXIT
swift run --quiet KafkaProtocolGenerator Tools/KafkaProtocolSchema "$generated/code" "$generated/examples"
diff -r -q "$generated/code" Libraries/MonologKafkaProtocol/Generated \
    && diff -r -q "$generated/examples" Tests/MonologKafkaProtocolTests/GeneratedExamples \
    || { echo "check: generated code is stale; run scripts/generate-protocol.sh" >&2; failed=1; }

if [[ $failed -ne 0 ]]; then
    echo "check: FAILED" >&2
    exit 1
fi
echo "check: all passed" >&2
