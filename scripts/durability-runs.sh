#!/usr/bin/env bash
# The durability proof at length: runs Tests/EndToEndTests/DurabilityTests.swift with ROUNDS rounds per
# fault (SIGKILL of the storage writer, the Kafka gateway, the HTTP gateway, the supervisor followed by
# a new start; and `monolog-supervisor restart kafka-gateway`), each round a confluent-kafka idempotent
# producer at acks=all under load, keeps the JSON line of every round in docs/results/killnine-DATE.jsonl
# and writes the table of results into docs/durability.md (its power-loss section, written from
# scripts/powerloss.sh's rounds, is kept as it is).
#   scripts/durability-runs.sh [rounds]    default 30; needs scripts/install-deps.sh --test first
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-30}"
mkdir -p docs/results
report="$(pwd)/docs/results/killnine-$(date +%F).jsonl"
: > "$report"
swift build --build-tests
status=0
MONOLOG_DURABILITY_ROUNDS="$rounds" MONOLOG_DURABILITY_REPORT="$report" \
    swift test --skip-build --disable-xctest --filter DurabilityTests || status=$?
python3 - "$report" "$rounds" <<'PYTHON'
import collections, datetime, json, os, platform, sys
path, rounds = sys.argv[1], int(sys.argv[2])
rows = collections.OrderedDict((fault, collections.Counter()) for fault in
                               ["storage-writer", "kafka-gateway", "http-gateway", "supervisor", "restart kafka-gateway"])
for line in open(path):
    run = json.loads(line)
    totals = rows.setdefault(run["fault"], collections.Counter())
    totals["runs"] += 1
    ok = (run.get("lost") == 0 and run.get("duplicates") == 0 and run.get("integrity") == "ok"
          and run.get("failed") == 0 and run.get("fatal") == 0)
    totals["passed"] += 1 if ok else 0
    for key in ("acknowledged", "recovered", "lost", "duplicates", "failed"):
        totals[key] += run.get(key, 0)
    totals["runs_with_delivery_errors"] += 1 if run.get("failed", 0) > 0 or run.get("fatal", 0) else 0
    totals["fatal"] += run.get("fatal", 0)
names = {"storage-writer": "`kill -9` storage writer", "kafka-gateway": "`kill -9` Kafka gateway",
         "http-gateway": "`kill -9` HTTP gateway", "supervisor": "`kill -9` supervisor, then a new `start`",
         "restart kafka-gateway": "`monolog-supervisor restart kafka-gateway`"}
table = ["| fault | runs | passed | messages acknowledged | recovered | lost | read twice | runs with delivery errors |",
         "| --- | --- | --- | --- | --- | --- | --- | --- |"]
for fault, t in rows.items():
    table.append(f"| {names.get(fault, fault)} | {t['runs']} | {t['passed']} | {t['acknowledged']:,} | {t['recovered']:,} | {t['lost']} | {t['duplicates']} | {t['runs_with_delivery_errors']} ({t['failed']:,} messages, {t['fatal']} fatal) |")
text = f"""# Durability

A message acknowledged to a client survives `kill -9` of any process, and the machine losing power
([below](#power-loss)). The `kill -9` evidence was written by `scripts/durability-runs.sh {rounds}` on
{datetime.date.today().isoformat()} ({platform.machine()}, {os.cpu_count()} CPUs); the result of every run is in
[results/{os.path.basename(path)}](results/{os.path.basename(path)}).

## Method

Each run (`Tests/EndToEndTests/DurabilityTests.swift`, driving `Tests/Compat/python/durability.py`):
1. a fresh `monolog-supervisor start` on its own data directory and ports, and a 3-partition topic;
2. a confluent-kafka producer with `enable.idempotence=true` and `acks=all` writes unique values at
   1,000 a second for 2.5 s, keyed across the partitions, recording every delivery report;
3. 0.6 to 1.65 s in (a different moment each round), the fault: SIGKILL of the storage writer, the
   Kafka gateway or the HTTP gateway (the supervisor restarts it), SIGKILL of the supervisor (its
   services notice and stop; a new `start` on the same data directory follows), or
   `monolog-supervisor restart kafka-gateway`;
4. the producer flushes; every value is read back from the start of each partition;
5. the tree is stopped with SIGTERM (exit 0 expected) and `PRAGMA integrity_check` runs on the file.

A run passes when no acknowledged value is missing, no value is read twice, the producer saw no
delivery error and the integrity check says `ok`. CI runs 5 rounds of each fault with the test suite.

Delivery errors are counted apart: a message the producer reports as failed was never acknowledged,
so it is not lost, but an application sees it; the tests require none. These runs found three bugs,
all fixed before this table was made:
- while the writer restarted, its client could send a retried batch after the batch that follows it;
  the writer refused the later one as out of order, and librdkafka made that fatal. Requests now keep
  their submission order across reconnections.
- after such a gap librdkafka bumps its producer epoch itself (KIP-360) and starts again at sequence
  0; the writer refused the new epoch (INVALID_PRODUCER_EPOCH), failing thousands of messages. A higher
  epoch starting at sequence 0 is now accepted, as Kafka does.
- a batch in flight when the writer died was answered REQUEST_TIMED_OUT even when it had committed;
  at the next gap librdkafka bumped its epoch and resent it under the new epoch, and it was stored
  twice (one CI round in 25 found 2 values read twice). The writer client now sends in-flight
  idempotent appends again on the next connection, where a committed copy is recognised.

## Results

{chr(10).join(table)}
"""
# The power-loss section comes from scripts/powerloss.sh's rounds: keep it.
previous = open("docs/durability.md").read()
if "\n## Power loss" in previous:
    text += previous[previous.index("\n## Power loss"):]
open("docs/durability.md", "w").write(text)
print(text)
PYTHON
exit "$status"
