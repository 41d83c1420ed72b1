#!/usr/bin/env bash
# Runs the unit tests under ThreadSanitizer and AddressSanitizer, each in a build folder of its own
# (.build-thread, .build-address: a full debug build each, several minutes on two cores). The
# end-to-end suites are left out: the processes they start are the ordinary build, not the sanitized one.
#
#   scripts/sanitize.sh                 both
#   scripts/sanitize.sh thread          one of them
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizers=("$@")
[[ ${#sanitizers[@]} -gt 0 ]] || sanitizers=(thread address)
for sanitizer in "${sanitizers[@]}"; do
    echo "sanitize: building with -sanitize=$sanitizer" >&2
    swift build --build-tests --sanitize="$sanitizer" --scratch-path ".build-$sanitizer"
    echo "sanitize: unit tests under $sanitizer" >&2
    # halt_on_error: the first report fails the run, with its stack.
    TSAN_OPTIONS="halt_on_error=1" ASAN_OPTIONS="halt_on_error=1:detect_leaks=0" \
        swift test --skip-build --sanitize="$sanitizer" --scratch-path ".build-$sanitizer" --skip EndToEndTests
done
echo "sanitize: ${sanitizers[*]}: no reports" >&2
