/*
 * The consume modes: a consumer assigned every partition of the topic (no group, so no rebalance
 * time is measured), with librdkafka's default fetch settings.
 */
#include "loadgen.h"

#include <stdio.h>
#include <stdlib.h>

static rd_kafka_t *assigned_consumer(const struct options *options, int64_t start_offset) {
    const char *settings[] = {
        "bootstrap.servers", options->brokers, "group.id", "monolog-loadgen", "enable.auto.commit", "false",
        "enable.partition.eof", "false", NULL,
    };
    char error[512];
    rd_kafka_t *kafka = rd_kafka_new(RD_KAFKA_CONSUMER, kafka_config(settings), error, sizeof error);
    if (!kafka) fail("consumer: %s", error);
    rd_kafka_poll_set_consumer(kafka);
    int partitions = topic_partition_count(kafka, options->topic);
    rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(partitions);
    for (int partition = 0; partition < partitions; partition++) {
        rd_kafka_topic_partition_list_add(assignment, options->topic, partition)->offset = start_offset;
    }
    rd_kafka_resp_err_t assigned = rd_kafka_assign(kafka, assignment);
    if (assigned) fail("assign: %s", rd_kafka_err2str(assigned));
    rd_kafka_topic_partition_list_destroy(assignment);
    return kafka;
}

/* Reads --messages messages from the start of the topic; the clock starts at the first message, so
 * connecting and the first metadata round trip are not counted. */
int run_consume(const struct options *options) {
    rd_kafka_t *kafka = assigned_consumer(options, RD_KAFKA_OFFSET_BEGINNING);
    long received = 0;
    long bytes = 0;
    int64_t first = 0;
    int64_t give_up = monotonic_ns() + (int64_t)(options->seconds * 1e9);
    while (received < options->messages) {
        rd_kafka_message_t *message = rd_kafka_consumer_poll(kafka, 1000);
        if (!message) {
            if (monotonic_ns() > give_up) fail("only %ld of %ld messages within %.0f s", received, options->messages, options->seconds);
            continue;
        }
        if (message->err) fail("consume: %s", rd_kafka_message_errstr(message));
        if (!first) first = monotonic_ns();
        received++;
        bytes += (long)message->len;
        rd_kafka_message_destroy(message);
    }
    double elapsed = (double)(monotonic_ns() - first) / 1e9;
    rd_kafka_consumer_close(kafka);
    rd_kafka_destroy(kafka);
    printf("{\"mode\":\"consume\",\"messages\":%ld,\"seconds\":%.3f,\"messages_per_second\":%.1f,\"megabytes_per_second\":%.2f}\n",
           received, elapsed, (double)received / elapsed, (double)bytes / elapsed / 1e6);
    return 0;
}

/* Waits at the end of the topic for --seconds, as an idle consumer does: librdkafka keeps a long-poll
 * Fetch open on each partition. The caller measures the broker's CPU meanwhile. */
int run_idle_consume(const struct options *options) {
    rd_kafka_t *kafka = assigned_consumer(options, RD_KAFKA_OFFSET_END);
    long received = 0;
    int64_t deadline = monotonic_ns() + (int64_t)(options->seconds * 1e9);
    while (monotonic_ns() < deadline) {
        rd_kafka_message_t *message = rd_kafka_consumer_poll(kafka, 100);
        if (!message) continue;
        if (!message->err) received++;
        rd_kafka_message_destroy(message);
    }
    rd_kafka_consumer_close(kafka);
    rd_kafka_destroy(kafka);
    printf("{\"mode\":\"idle-consume\",\"seconds\":%.1f,\"received\":%ld}\n", options->seconds, received);
    return 0;
}
