#!/usr/bin/env bash
# Every broker benchmark in one command: builds release, the librdkafka load generator
# (Benchmarks/loadgen) and the null broker (Benchmarks/null-broker), then, for each run, measures the
# machine's limits (fdatasync per write, one-row SQLite commits, SQLite bulk inserts, SQLite sequential
# reads) and the null broker's rate for scenario a (the ceiling of this client on this machine), starts
# `monolog-supervisor start` on a fresh data directory and runs scenarios a–h against it with a real
# Kafka client, then the null broker again. Keeps every result line in docs/results/bench-DATE.jsonl,
# writes the medians, with ratios to the baselines of the same runs, into docs/benchmarks.md between
# the bench.sh markers, and prints them.
#
#   scripts/bench.sh                 the full method (3 runs; about 15 minutes)
#   scripts/bench.sh --quick         1 run with short durations, to check the script itself
#
# Durations and sizes (environment):
#   BENCH_RUNS=3                 runs; figures are medians over them
#   BENCH_SYNC_SECONDS=60        a. 10 producers each waiting for its ack, and a100 (the same with 100)
#   BENCH_SYNC_PRODUCERS=10
#   BENCH_SYNC_WINDOWS=12        a and a100 run in this many windows, each after 0.5 s of fdatasync
#   BENCH_MANY_PRODUCERS=100     a100: producers, sharing a client and connection in groups of
#   BENCH_PER_CONNECTION=10        this many, as the threads of a service do
#   BENCH_NULL_SECONDS=10        a and a100 against the null broker, before and after Monolog
#   BENCH_BATCH_MESSAGES=2000000 b. pipelined produce, then c. consume, of this many 512-byte messages
#   BENCH_IDLE_SECONDS=10        d. idle long-poll consumer
#   BENCH_TXN_SECONDS=20         g. pipelined produce with and without a transaction every 100 ms
#   BENCH_TXN_LATENCY_SECONDS=20 h. 10 transactional producers, one record per transaction
#   BENCH_DIR=.build/bench       where data directories and baseline files go (the disk under test)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

runs="${BENCH_RUNS:-3}"
sync_seconds="${BENCH_SYNC_SECONDS:-60}"
sync_producers="${BENCH_SYNC_PRODUCERS:-10}"
sync_windows="${BENCH_SYNC_WINDOWS:-12}"
many_producers="${BENCH_MANY_PRODUCERS:-100}"
per_connection="${BENCH_PER_CONNECTION:-10}"
null_seconds="${BENCH_NULL_SECONDS:-10}"
batch_messages="${BENCH_BATCH_MESSAGES:-2000000}"
idle_seconds="${BENCH_IDLE_SECONDS:-10}"
txn_seconds="${BENCH_TXN_SECONDS:-20}"
txn_latency_seconds="${BENCH_TXN_LATENCY_SECONDS:-20}"
if [[ "${1:-}" == "--quick" ]]; then
    runs=1 sync_seconds=4 sync_windows=2 null_seconds=3 batch_messages=200000 idle_seconds=3 txn_seconds=3 txn_latency_seconds=3
elif [[ $# -gt 0 ]]; then
    sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
bench_dir="${BENCH_DIR:-$repo/.build/bench}"

log() { echo "[bench] $*" >&2; }

scripts/install-deps.sh --bench
log "building release"
swift build -c release >&2
bin="$(swift build -c release --show-bin-path)"
loadgen="$(Benchmarks/loadgen/build.sh)"
litestream="$(scripts/install-deps.sh --replication | tail -n 1)"
null_broker="$(Benchmarks/null-broker/build.sh)"

mkdir -p "$bench_dir"
results="$bench_dir/results.jsonl"
: > "$results"
record() { echo "$1" >> "$results"; }
# A result line with the scenario and the run it belongs to, for modes that more than one scenario runs.
record_as() { echo "{\"scenario\":\"$1\",\"run\":$run,${2#\{}" >> "$results"; }

# The broker's own EndTxn latency histogram, as {"upper bound in seconds": cumulative count}.
endtxn_histogram() {
    python3 - "$http" <<'PY'
import json, re, sys, urllib.request
text = urllib.request.urlopen(sys.argv[1] + "/metrics", timeout=30).read().decode()
buckets = {m.group(1): int(float(m.group(2))) for m in
           re.finditer(r'^monolog_kafka_request_duration_seconds_bucket\{api="EndTxn",le="([^"]+)"\} (\S+)$', text, re.M)}
print(json.dumps(buckets))
PY
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

http_post() {  # path body
    python3 - "$http" "$1" "$2" <<'PY'
import sys, urllib.request
request = urllib.request.Request(sys.argv[1] + sys.argv[2], data=sys.argv[3].encode(), headers={"Content-Type": "application/json"})
urllib.request.urlopen(request, timeout=30).read()
PY
}

# The pid of each service, from the supervisor's own status.
service_pids() {
    "$bin/monolog-supervisor" status --json --data-dir "$data" | python3 -c '
import json, sys
for service in json.load(sys.stdin)["services"]:
    if service.get("pid"): print(service["service"], service["pid"])'
}

# CPU ticks (user + system) used so far by the supervisor and every service.
cpu_ticks() {
    local total=0 pid
    for pid in $supervisor_pid $(service_pids | awk '{print $2}'); do
        [[ -r /proc/$pid/stat ]] || continue
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
    done
    echo "$total"
}

# {"storage-writer": [rss_kB, pss_kB], ...}: resident memory of each process, the supervisor included.
# RSS counts pages shared with other processes (the Swift runtime, Foundation) in full in each one;
# PSS divides them among their users, so the PSS sum is what the tree takes together.
memory_json() {
    {
        echo "supervisor $supervisor_pid"
        service_pids
    } | while read -r name pid; do
        echo "$name $(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0) $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)"
    done | python3 -c '
import json, sys
print(json.dumps({name: [int(rss), int(pss)] for name, rss, pss in (line.split() for line in sys.stdin)}))'
}

start_broker() {  # name [extra arguments for monolog-supervisor start]
    data="$bench_dir/data-$1"
    shift
    rm -rf "$data"
    kafka_port="$(free_port)"
    http="http://127.0.0.1:$(free_port)"
    broker_log="$bench_dir/broker-$(basename "$data").log"
    "$bin/monolog-supervisor" start --data-dir "$data" --kafka-addr "127.0.0.1:$kafka_port" \
        --http-addr "${http#http://}" --log-level info "$@" > "$broker_log" 2>&1 &
    supervisor_pid=$!
    for _ in $(seq 1 300); do
        grep -q "monolog ready" "$broker_log" && break
        sleep 0.05
    done
    grep -q "monolog ready" "$broker_log" || { cat "$broker_log" >&2; exit 1; }
    brokers="127.0.0.1:$kafka_port"
}

stop_broker() {
    kill -TERM "$supervisor_pid" 2>/dev/null || true
    wait "$supervisor_pid" 2>/dev/null || true
    rm -rf "$data"
}
trap 'kill -TERM "${supervisor_pid:-0}" "${null_pid:-0}" 2>/dev/null || true' EXIT

# Scenario a, with 10 producers each a client of its own and with 100 sharing clients, against the
# null broker (Benchmarks/null-broker: pre-encoded answers, nothing stored): the fastest anything
# answers this client on this machine. A fresh null broker for each; its counts are recorded too.
null_broker_scenarios() {  # before|after
    local spec name producers group port line
    for spec in "a-null $sync_producers 1" "a100-null $many_producers $per_connection"; do
        read -r name producers group <<< "$spec"
        port="$(free_port)"
        "$null_broker" "$port" sync > "$bench_dir/null-broker.json" 2> "$bench_dir/null-broker.log" &
        null_pid=$!
        for _ in $(seq 1 100); do
            grep -q "listening" "$bench_dir/null-broker.log" && break
            sleep 0.05
        done
        grep -q "listening" "$bench_dir/null-broker.log" || { cat "$bench_dir/null-broker.log" >&2; exit 1; }
        line="$("$loadgen" produce-sync --brokers "127.0.0.1:$port" --topic sync --producers "$producers" \
            --per-connection "$group" --seconds "$null_seconds")"
        kill -TERM "$null_pid"
        wait "$null_pid"
        record_as "$name" "{\"when\":\"$1\",${line#\{}"
        record_as "$name" "{\"when\":\"$1\",$(sed 's/^{//' "$bench_dir/null-broker.json")"
    done
}

for run in $(seq 1 "$runs"); do
    log "run $run/$runs: baselines"
    record "$("$loadgen" baseline-fsync --dir "$bench_dir" --seconds 3)"
    record "$("$loadgen" baseline-sqlite --dir "$bench_dir" --seconds 3)"
    record "$("$loadgen" baseline-sqlite-bulk --dir "$bench_dir" --seconds 3)"
    record "$("$loadgen" baseline-sqlite-read --dir "$bench_dir" --messages "$batch_messages")"

    log "run $run/$runs: a and a100 against the null broker (before Monolog), ${null_seconds} s each"
    null_broker_scenarios before

    log "run $run/$runs: e. start-up"
    start_broker "$run"
    startup_seconds="$(grep -o 'startup=[0-9.]*' "$broker_log" | head -1 | cut -d= -f2)"
    http_post /api/topics '{"name":"sync","partitions":1}'
    http_post /api/topics '{"name":"batch","partitions":1}'
    http_post /api/topics '{"name":"idle","partitions":1}'
    http_post /api/topics '{"name":"plain","partitions":1}'
    http_post /api/topics '{"name":"txn","partitions":1}'
    http_post /api/topics '{"name":"txn-latency","partitions":1}'
    sleep 1
    record "{\"mode\":\"startup\",\"seconds\":$startup_seconds,\"idle_memory_kb\":$(memory_json)}"

    log "run $run/$runs: a. $sync_producers producers each waiting for its ack, ${sync_seconds} s in $sync_windows windows after fdatasync ones"
    record_as a "$("$loadgen" produce-sync --brokers "$brokers" --topic sync --producers "$sync_producers" --seconds "$sync_seconds" \
        --windows "$sync_windows" --dir "$bench_dir")"
    log "run $run/$runs: a100. $many_producers producers, $per_connection per connection, each waiting for its ack, ${sync_seconds} s"
    record_as a100 "$("$loadgen" produce-sync --brokers "$brokers" --topic sync --producers "$many_producers" \
        --per-connection "$per_connection" --seconds "$sync_seconds" --windows "$sync_windows" --dir "$bench_dir")"

    log "run $run/$runs: b. pipelined produce of $batch_messages messages"
    "$loadgen" produce-batch --brokers "$brokers" --topic batch --messages "$batch_messages" > "$bench_dir/batch.json" &
    loadgen_pid=$!
    sleep 2
    loaded_memory="$(memory_json)"
    wait "$loadgen_pid"
    record "$(cat "$bench_dir/batch.json")"
    record "{\"mode\":\"loaded-memory\",\"memory_kb\":$loaded_memory}"

    log "run $run/$runs: c. consume $batch_messages messages from the start"
    record "$("$loadgen" consume --brokers "$brokers" --topic batch --messages "$batch_messages")"

    log "run $run/$runs: g. idempotent pipelined produce for ${txn_seconds} s without, then with, a transaction every 100 ms"
    record_as g "$("$loadgen" produce-batch --brokers "$brokers" --topic plain --seconds "$txn_seconds" --messages 1000000000 --idempotence 1)"
    record_as g "$("$loadgen" produce-txn --brokers "$brokers" --topic txn --seconds "$txn_seconds" --txn-ms 100)"

    log "run $run/$runs: h. 10 transactional producers, one 512-byte record per transaction, ${txn_latency_seconds} s"
    before="$(endtxn_histogram)"
    record_as h "$("$loadgen" txn-latency --brokers "$brokers" --topic txn-latency --producers 10 --seconds "$txn_latency_seconds")"
    record "{\"mode\":\"endtxn-histogram\",\"before\":$before,\"after\":$(endtxn_histogram)}"

    log "run $run/$runs: d. idle long-poll consumer, ${idle_seconds} s"
    "$loadgen" idle-consume --brokers "$brokers" --topic idle --seconds "$((idle_seconds + 3))" > /dev/null &
    loadgen_pid=$!
    sleep 2  # connected and parked in its long poll
    before="$(cpu_ticks)"
    sleep "$idle_seconds"
    after="$(cpu_ticks)"
    wait "$loadgen_pid"
    record "{\"mode\":\"idle-cpu\",\"ticks\":$((after - before)),\"hz\":$(getconf CLK_TCK),\"seconds\":$idle_seconds}"

    log "run $run/$runs: f. kill -9 of the writer holding $(du -sh "$data" | cut -f1), then the first acknowledged produce"
    database_bytes="$(stat -c %s "$data/monolog.db")"
    writer_pid="$(service_pids | awk '$1 == "storage-writer" {print $2}')"
    since="$(date +%s%N)"
    kill -9 "$writer_pid"
    recovery="$("$loadgen" first-ack --brokers "$brokers" --topic sync --since-ns "$since")"
    record "${recovery%\}},\"database_bytes\":$database_bytes}"

    stop_broker

    log "run $run/$runs: a again with replication on (Litestream to a local directory, 1 s sync interval)"
    start_broker "$run-replicated" --replica "$bench_dir/replica-$run" --replication-sync-interval 1s --litestream-bin "$litestream"
    http_post /api/topics '{"name":"sync","partitions":1}'
    sleep 1
    record_as a-replicated "$("$loadgen" produce-sync --brokers "$brokers" --topic sync --producers "$sync_producers" \
        --seconds "$sync_seconds" --windows "$sync_windows" --dir "$bench_dir")"
    stop_broker
    rm -rf "$bench_dir/replica-$run"

    log "run $run/$runs: a and a100 against the null broker (after Monolog), ${null_seconds} s each"
    null_broker_scenarios after
done

log "writing docs/benchmarks.md and docs/results/bench-$(date +%F).jsonl"
mkdir -p "$repo/docs/results"
cp "$results" "$repo/docs/results/bench-$(date +%F).jsonl"
python3 "$repo/scripts/bench-report.py" "$results" "$repo/docs/benchmarks.md" \
    --runs "$runs" --sync-seconds "$sync_seconds" --sync-producers "$sync_producers" \
    --many-producers "$many_producers" --per-connection "$per_connection" \
    --null-seconds "$null_seconds" \
    --batch-messages "$batch_messages" --idle-seconds "$idle_seconds" \
    --txn-seconds "$txn_seconds" --txn-latency-seconds "$txn_latency_seconds" \
    --raw "docs/results/bench-$(date +%F).jsonl"
