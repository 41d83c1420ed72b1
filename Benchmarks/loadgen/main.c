#include "loadgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: monolog-loadgen MODE [options]\n"
    "\n"
    "A librdkafka load generator for Monolog's benchmarks (scripts/bench.sh runs it). Each mode prints\n"
    "one line of JSON on stdout.\n"
    "\n"
    "modes:\n"
    "  produce-sync     --producers N concurrent producers, each waiting for its ack (acks=all) before the\n"
    "                   next send, for --seconds: messages/s and p50/p95/p99 latency; --per-connection K\n"
    "                   producers share one client and connection (default 1: a client each)\n"
    "  produce-batch    one producer with librdkafka's batching (acks=all) sending --messages, or for\n"
    "                   --seconds when given: messages/s and MB/s of acknowledged messages\n"
    "  consume          read --messages from the start of every partition: messages/s (gives up after --seconds)\n"
    "  idle-consume     wait at the end of the topic for --seconds (an idle long-polling consumer)\n"
    "  produce-txn      one transactional producer with librdkafka's batching, committing every --txn-ms,\n"
    "                   for --seconds: messages/s of committed transactions\n"
    "  txn-latency      --producers transactional producers, each committing one record per transaction,\n"
    "                   for --seconds: transactions/s and the client's commit latency p50/p99\n"
    "  first-ack        send until one message is acknowledged; milliseconds since --since-ns (CLOCK_REALTIME)\n"
    "  baseline-fsync   4 KiB append + fdatasync per write in --dir for --seconds: writes/s\n"
    "  baseline-sqlite  one-row transactions (WAL, synchronous=FULL) in --dir for --seconds: commits/s\n"
    "  baseline-sqlite-bulk  --size-byte rows in 1 MB transactions (WAL, synchronous=FULL) in --dir for\n"
    "                   --seconds: rows/s\n"
    "  baseline-sqlite-read  --messages rows of --size bytes written to SQLite in --dir (not timed), then\n"
    "                   read back in order by offset, 1 MB per SELECT, as a consumer reads: rows/s\n"
    "\n"
    "options:\n"
    "  --brokers HOST:PORT   (default 127.0.0.1:9092)   --topic NAME      (default bench)\n"
    "  --producers N         (default 10)                --size BYTES      (default 512)\n"
    "  --messages N          (default 2000000)           --seconds S       (default per mode: 10, 3 for\n"
    "                                                                      baselines, 60 for first-ack)\n"
    "  --since-ns NS         (first-ack)                 --dir PATH        (baselines; default .)\n"
    "  --txn-ms MS           (produce-txn; default 100)  --idempotence 0|1 (produce-batch; default 0)\n"
    "  --per-connection K    (produce-sync; default 1)   --windows W       (produce-sync: alternate W windows\n"
    "  --baseline-seconds S  (fdatasync windows; 0.5)                     with fdatasync ones in --dir)\n";

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    struct options options = {
        .brokers = "127.0.0.1:9092", .topic = "bench", .directory = ".", .producers = 10, .per_connection = 1, .size = 512,
        .messages = 2000000, .seconds = 0, .since_ns = 0, .transaction_ms = 100, .baseline_seconds = 0.5,
    };
    for (int i = 2; i < argc; i += 2) {
        if (i + 1 >= argc) fail("%s needs a value", argv[i]);
        const char *flag = argv[i], *value = argv[i + 1];
        if (strcmp(flag, "--brokers") == 0) options.brokers = value;
        else if (strcmp(flag, "--topic") == 0) options.topic = value;
        else if (strcmp(flag, "--dir") == 0) options.directory = value;
        else if (strcmp(flag, "--producers") == 0) options.producers = atoi(value);
        else if (strcmp(flag, "--per-connection") == 0) options.per_connection = atoi(value);
        else if (strcmp(flag, "--windows") == 0) options.windows = atoi(value);
        else if (strcmp(flag, "--baseline-seconds") == 0) options.baseline_seconds = atof(value);
        else if (strcmp(flag, "--size") == 0) options.size = atoi(value);
        else if (strcmp(flag, "--messages") == 0) options.messages = atol(value);
        else if (strcmp(flag, "--seconds") == 0) options.seconds = atof(value);
        else if (strcmp(flag, "--since-ns") == 0) options.since_ns = atoll(value);
        else if (strcmp(flag, "--txn-ms") == 0) options.transaction_ms = atoi(value);
        else if (strcmp(flag, "--idempotence") == 0) options.idempotence = atoi(value) != 0;
        else fail("unknown option %s (see --help)", flag);
    }
    if (options.producers < 1 || options.per_connection < 1 || options.size < 1 || options.messages < 1 || options.seconds < 0 || options.transaction_ms < 1 || options.windows < 0 || options.baseline_seconds <= 0) fail("counts and durations must be positive");
    const char *mode = argv[1];
    if (options.seconds == 0) {
        /* produce-batch runs until --messages unless --seconds is given; consume gives up after 120 s. */
        if (strncmp(mode, "baseline-", 9) == 0) options.seconds = 3;
        else if (strcmp(mode, "first-ack") == 0) options.seconds = 60;
        else if (strcmp(mode, "consume") == 0) options.seconds = 120;
        else if (strcmp(mode, "produce-batch") != 0) options.seconds = 10;
    }
    if (strcmp(mode, "produce-sync") == 0) return run_produce_sync(&options);
    if (strcmp(mode, "produce-batch") == 0) return run_produce_batch(&options);
    if (strcmp(mode, "consume") == 0) return run_consume(&options);
    if (strcmp(mode, "idle-consume") == 0) return run_idle_consume(&options);
    if (strcmp(mode, "first-ack") == 0) return run_first_ack(&options);
    if (strcmp(mode, "baseline-fsync") == 0) return run_baseline_fsync(&options);
    if (strcmp(mode, "baseline-sqlite") == 0) return run_baseline_sqlite(&options);
    if (strcmp(mode, "baseline-sqlite-bulk") == 0) return run_baseline_sqlite_bulk(&options);
    if (strcmp(mode, "baseline-sqlite-read") == 0) return run_baseline_sqlite_read(&options);
    if (strcmp(mode, "produce-txn") == 0) return run_produce_txn(&options);
    if (strcmp(mode, "txn-latency") == 0) return run_txn_latency(&options);
    fail("unknown mode %s (see --help)", mode);
}
