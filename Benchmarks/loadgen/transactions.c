/*
 * The transactional modes: what exactly-once costs a producer.
 */
#include "loadgen.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A transactional producer (acks=all and idempotence come with it), its transactions initialised. */
static rd_kafka_t *transactional_producer(const struct options *options, const char *transactional_id, const char *linger_ms) {
    const char *settings[] = {
        "bootstrap.servers", options->brokers, "transactional.id", transactional_id, "linger.ms", linger_ms, NULL,
    };
    rd_kafka_conf_t *config = kafka_config(settings);
    char error[512];
    rd_kafka_t *kafka = rd_kafka_new(RD_KAFKA_PRODUCER, config, error, sizeof error);
    if (!kafka) fail("producer: %s", error);
    rd_kafka_error_t *failure = rd_kafka_init_transactions(kafka, 30000);
    if (failure) fail("init_transactions: %s", rd_kafka_error_string(failure));
    return kafka;
}

static void must_transact(rd_kafka_error_t *failure, const char *what) {
    if (failure) fail("%s: %s", what, rd_kafka_error_string(failure));
}

/* --- produce-txn: pipelined produce inside transactions -------------------------------------------
 * One transactional producer with librdkafka's default batching (5 ms linger, 1 MB batches) sending
 * as fast as its queue takes messages, committing a transaction every --txn-ms (100 ms by default),
 * for --seconds. Counts the messages of committed transactions: the same load as produce-batch with
 * --seconds, so the two rates compare. */

int run_produce_txn(const struct options *options) {
    rd_kafka_t *kafka = transactional_producer(options, "monolog-bench-txn", "5");
    char *value = malloc((size_t)options->size);
    memset(value, 'x', (size_t)options->size);
    int64_t started = monotonic_ns();
    int64_t deadline = started + (int64_t)(options->seconds * 1e9);
    long committed = 0, transactions = 0;
    while (monotonic_ns() < deadline) {
        must_transact(rd_kafka_begin_transaction(kafka), "begin_transaction");
        int64_t commit_at = monotonic_ns() + (int64_t)options->transaction_ms * 1000000;
        long sent = 0;
        while (monotonic_ns() < commit_at) {
            rd_kafka_resp_err_t queued = rd_kafka_producev(
                kafka, RD_KAFKA_V_TOPIC(options->topic), RD_KAFKA_V_VALUE(value, (size_t)options->size), RD_KAFKA_V_END);
            if (queued == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                rd_kafka_poll(kafka, 1);
                continue;
            }
            if (queued) fail("produce: %s", rd_kafka_err2str(queued));
            sent++;
            if ((sent & 1023) == 0) rd_kafka_poll(kafka, 0);
        }
        /* Commit flushes the transaction's messages and fails if any was not delivered. */
        must_transact(rd_kafka_commit_transaction(kafka, 60000), "commit_transaction");
        committed += sent;
        transactions++;
    }
    double elapsed = (double)(monotonic_ns() - started) / 1e9;
    rd_kafka_destroy(kafka);
    free(value);
    printf("{\"mode\":\"produce-txn\",\"committed\":%ld,\"transactions\":%ld,\"transaction_ms\":%d,\"seconds\":%.3f,"
           "\"messages_per_second\":%.1f,\"megabytes_per_second\":%.2f}\n",
           committed, transactions, options->transaction_ms, elapsed, (double)committed / elapsed,
           (double)committed * options->size / elapsed / 1e6);
    return 0;
}

/* --- txn-latency: small transactions, many producers ----------------------------------------------
 * --producers transactional producers, each its own client, each committing one --size-byte record
 * per transaction, back to back, for --seconds. The client's own view of each commit_transaction is
 * reported; scripts/bench.sh reads the broker's EndTxn histogram around this mode. */

struct txn_producer {
    const struct options *options;
    int index;
    int64_t deadline_ns;
    long transactions;
    struct latencies commit_latencies;
};

static void *txn_producer_main(void *argument) {
    struct txn_producer *producer = argument;
    char transactional_id[64];
    snprintf(transactional_id, sizeof transactional_id, "monolog-bench-latency-%d", producer->index);
    rd_kafka_t *kafka = transactional_producer(producer->options, transactional_id, "0");
    char *value = malloc((size_t)producer->options->size);
    memset(value, 'x', (size_t)producer->options->size);
    while (monotonic_ns() < producer->deadline_ns) {
        must_transact(rd_kafka_begin_transaction(kafka), "begin_transaction");
        rd_kafka_resp_err_t queued = rd_kafka_producev(
            kafka, RD_KAFKA_V_TOPIC(producer->options->topic), RD_KAFKA_V_VALUE(value, (size_t)producer->options->size), RD_KAFKA_V_END);
        if (queued) fail("produce: %s", rd_kafka_err2str(queued));
        /* Deliver the record first, so the commit below times the EndTxn round trip, not the Produce. */
        rd_kafka_flush(kafka, 30000);
        int64_t committing = monotonic_ns();
        must_transact(rd_kafka_commit_transaction(kafka, 30000), "commit_transaction");
        latencies_add(&producer->commit_latencies, monotonic_ns() - committing);
        producer->transactions++;
    }
    rd_kafka_destroy(kafka);
    free(value);
    return NULL;
}

int run_txn_latency(const struct options *options) {
    struct txn_producer *producers = calloc((size_t)options->producers, sizeof *producers);
    pthread_t *threads = calloc((size_t)options->producers, sizeof *threads);
    int64_t started = monotonic_ns();
    int64_t deadline = started + (int64_t)(options->seconds * 1e9);
    for (int i = 0; i < options->producers; i++) {
        producers[i].options = options;
        producers[i].index = i;
        producers[i].deadline_ns = deadline;
        pthread_create(&threads[i], NULL, txn_producer_main, &producers[i]);
    }
    struct latencies all = {0};
    long transactions = 0;
    for (int i = 0; i < options->producers; i++) {
        pthread_join(threads[i], NULL);
        transactions += producers[i].transactions;
        latencies_merge(&all, &producers[i].commit_latencies);
    }
    double elapsed = (double)(monotonic_ns() - started) / 1e9;
    printf("{\"mode\":\"txn-latency\",\"producers\":%d,\"transactions\":%ld,\"seconds\":%.3f,\"transactions_per_second\":%.1f,"
           "\"client_commit_p50_ms\":%.3f,\"client_commit_p99_ms\":%.3f}\n",
           options->producers, transactions, elapsed, (double)transactions / elapsed, latencies_percentile_ms(&all, 0.50),
           latencies_percentile_ms(&all, 0.99));
    return 0;
}
