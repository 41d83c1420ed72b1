/*
 * The produce modes. Every producer uses acks=all, so a delivery report means the broker committed
 * the message with an fsync.
 */
#include "loadgen.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- produce-sync: the original design's method -------------------------------------------------
 * N producers, each with its own client and connection, each sending one message and waiting for
 * its acknowledgement before the next. linger.ms=0: a producer that waits for every ack has nothing
 * to batch, and librdkafka's default 5 ms linger would only add 5 ms to each send. */

struct sync_producer {
    const struct options *options;
    int64_t deadline_ns;
    long acknowledged;
    long failed;
    struct latencies latencies;
};

struct pending_ack {
    int done;
    rd_kafka_resp_err_t error;
};

static void note_delivery(rd_kafka_t *kafka, const rd_kafka_message_t *message, void *opaque) {
    (void)kafka;
    (void)opaque;
    struct pending_ack *ack = message->_private;
    ack->error = message->err;
    ack->done = 1;
}

static void *sync_producer_main(void *argument) {
    struct sync_producer *producer = argument;
    const char *settings[] = {
        "bootstrap.servers", producer->options->brokers, "acks", "all", "linger.ms", "0", NULL,
    };
    rd_kafka_conf_t *config = kafka_config(settings);
    rd_kafka_conf_set_dr_msg_cb(config, note_delivery);
    char error[512];
    rd_kafka_t *kafka = rd_kafka_new(RD_KAFKA_PRODUCER, config, error, sizeof error);
    if (!kafka) fail("producer: %s", error);
    char *value = malloc((size_t)producer->options->size);
    memset(value, 'x', (size_t)producer->options->size);
    while (monotonic_ns() < producer->deadline_ns) {
        struct pending_ack ack = {0};
        int64_t sent = monotonic_ns();
        rd_kafka_resp_err_t queued = rd_kafka_producev(
            kafka, RD_KAFKA_V_TOPIC(producer->options->topic), RD_KAFKA_V_VALUE(value, (size_t)producer->options->size),
            RD_KAFKA_V_OPAQUE(&ack), RD_KAFKA_V_END);
        if (queued) fail("produce: %s", rd_kafka_err2str(queued));
        while (!ack.done) rd_kafka_poll(kafka, 100);
        if (ack.error) {
            producer->failed++;
        } else {
            producer->acknowledged++;
            latencies_add(&producer->latencies, monotonic_ns() - sent);
        }
    }
    rd_kafka_flush(kafka, 10000);
    rd_kafka_destroy(kafka);
    free(value);
    return NULL;
}

int run_produce_sync(const struct options *options) {
    struct sync_producer *producers = calloc((size_t)options->producers, sizeof *producers);
    pthread_t *threads = calloc((size_t)options->producers, sizeof *threads);
    int64_t started = monotonic_ns();
    int64_t deadline = started + (int64_t)(options->seconds * 1e9);
    for (int i = 0; i < options->producers; i++) {
        producers[i].options = options;
        producers[i].deadline_ns = deadline;
        pthread_create(&threads[i], NULL, sync_producer_main, &producers[i]);
    }
    struct latencies all = {0};
    long acknowledged = 0, failed = 0;
    for (int i = 0; i < options->producers; i++) {
        pthread_join(threads[i], NULL);
        acknowledged += producers[i].acknowledged;
        failed += producers[i].failed;
        latencies_merge(&all, &producers[i].latencies);
    }
    double elapsed = (double)(monotonic_ns() - started) / 1e9;
    printf("{\"mode\":\"produce-sync\",\"producers\":%d,\"acknowledged\":%ld,\"failed\":%ld,\"seconds\":%.3f,"
           "\"messages_per_second\":%.1f,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f}\n",
           options->producers, acknowledged, failed, elapsed, (double)acknowledged / elapsed,
           latencies_percentile_ms(&all, 0.50), latencies_percentile_ms(&all, 0.95), latencies_percentile_ms(&all, 0.99));
    return failed == 0 ? 0 : 1;
}

/* --- produce-batch: librdkafka's own batching ----------------------------------------------------
 * One producer with librdkafka's defaults (5 ms linger, 1 MB batches), acks=all, sending as fast as
 * its queue takes messages; idempotent with --idempotence 1 (as a transactional producer always is,
 * with at most 5 requests in flight). The rate counts acknowledged messages only. */

struct batch_counts {
    long acknowledged;
    long failed;
    rd_kafka_resp_err_t first_error;
};

static void count_delivery(rd_kafka_t *kafka, const rd_kafka_message_t *message, void *opaque) {
    (void)kafka;
    struct batch_counts *counts = opaque;
    if (message->err) {
        if (!counts->failed) counts->first_error = message->err;
        counts->failed++;
    } else {
        counts->acknowledged++;
    }
}

int run_produce_batch(const struct options *options) {
    struct batch_counts counts = {0};
    const char *settings[] = {
        "bootstrap.servers", options->brokers, "acks", "all", "enable.idempotence", options->idempotence ? "true" : "false", NULL,
    };
    rd_kafka_conf_t *config = kafka_config(settings);
    rd_kafka_conf_set_dr_msg_cb(config, count_delivery);
    rd_kafka_conf_set_opaque(config, &counts);
    char error[512];
    rd_kafka_t *kafka = rd_kafka_new(RD_KAFKA_PRODUCER, config, error, sizeof error);
    if (!kafka) fail("producer: %s", error);
    char *value = malloc((size_t)options->size);
    memset(value, 'x', (size_t)options->size);
    int64_t started = monotonic_ns();
    int64_t deadline = options->seconds > 0 ? started + (int64_t)(options->seconds * 1e9) : INT64_MAX;
    long sent = 0;
    while (sent < options->messages && monotonic_ns() < deadline) {
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
    rd_kafka_flush(kafka, 120000);
    double elapsed = (double)(monotonic_ns() - started) / 1e9;
    rd_kafka_destroy(kafka);
    free(value);
    printf("{\"mode\":\"produce-batch\",\"sent\":%ld,\"acknowledged\":%ld,\"failed\":%ld,\"first_error\":\"%s\",\"seconds\":%.3f,"
           "\"messages_per_second\":%.1f,\"megabytes_per_second\":%.2f}\n",
           sent, counts.acknowledged, counts.failed, counts.failed ? rd_kafka_err2name(counts.first_error) : "", elapsed,
           (double)counts.acknowledged / elapsed, (double)counts.acknowledged * options->size / elapsed / 1e6);
    return counts.failed == 0 ? 0 : 1;
}

/* --- first-ack: recovery time ---------------------------------------------------------------------
 * Sends one message at a time until one is acknowledged, and reports the time from --since-ns (taken
 * by the caller just before it killed the writer) to that acknowledgement. librdkafka retries inside
 * its 60 s message timeout; a message that fails outright is sent again. */

int run_first_ack(const struct options *options) {
    const char *settings[] = {
        "bootstrap.servers", options->brokers, "acks", "all", "linger.ms", "0",
        "message.timeout.ms", "60000", "retry.backoff.ms", "10", "reconnect.backoff.ms", "10", NULL,
    };
    rd_kafka_conf_t *config = kafka_config(settings);
    rd_kafka_conf_set_dr_msg_cb(config, note_delivery);
    char error[512];
    rd_kafka_t *kafka = rd_kafka_new(RD_KAFKA_PRODUCER, config, error, sizeof error);
    if (!kafka) fail("producer: %s", error);
    int64_t give_up = monotonic_ns() + (int64_t)(options->seconds * 1e9);
    int attempts = 0;
    for (;;) {
        struct pending_ack ack = {0};
        attempts++;
        rd_kafka_resp_err_t queued = rd_kafka_producev(
            kafka, RD_KAFKA_V_TOPIC(options->topic), RD_KAFKA_V_VALUE("probe", 5), RD_KAFKA_V_OPAQUE(&ack), RD_KAFKA_V_END);
        if (queued) fail("produce: %s", rd_kafka_err2str(queued));
        while (!ack.done) rd_kafka_poll(kafka, 1);
        if (!ack.error) break;
        if (monotonic_ns() > give_up) fail("no acknowledgement within %.0f s: %s", options->seconds, rd_kafka_err2str(ack.error));
    }
    int64_t acknowledged = realtime_ns();
    rd_kafka_destroy(kafka);
    printf("{\"mode\":\"first-ack\",\"attempts\":%d,\"milliseconds\":%.1f}\n", attempts, (double)(acknowledged - options->since_ns) / 1e6);
    return 0;
}
