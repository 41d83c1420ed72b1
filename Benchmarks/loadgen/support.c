#include "loadgen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int64_t monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

int64_t realtime_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

void fail(const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    fprintf(stderr, "monolog-loadgen: ");
    vfprintf(stderr, format, arguments);
    fprintf(stderr, "\n");
    va_end(arguments);
    exit(1);
}

void latencies_add(struct latencies *latencies, int64_t value) {
    if (latencies->count == latencies->capacity) {
        latencies->capacity = latencies->capacity ? latencies->capacity * 2 : 4096;
        latencies->values = realloc(latencies->values, latencies->capacity * sizeof(int64_t));
        if (!latencies->values) fail("out of memory");
    }
    latencies->values[latencies->count++] = value;
}

void latencies_merge(struct latencies *into, const struct latencies *from) {
    for (size_t i = 0; i < from->count; i++) latencies_add(into, from->values[i]);
}

static int compare_int64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

double latencies_percentile_ms(struct latencies *latencies, double p) {
    if (latencies->count == 0) return 0;
    qsort(latencies->values, latencies->count, sizeof(int64_t), compare_int64);
    size_t index = (size_t)(p * (double)(latencies->count - 1) + 0.5);
    return (double)latencies->values[index] / 1e6;
}

rd_kafka_conf_t *kafka_config(const char *const *settings) {
    rd_kafka_conf_t *config = rd_kafka_conf_new();
    char error[512];
    for (size_t i = 0; settings[i]; i += 2) {
        if (rd_kafka_conf_set(config, settings[i], settings[i + 1], error, sizeof error) != RD_KAFKA_CONF_OK) {
            fail("%s=%s: %s", settings[i], settings[i + 1], error);
        }
    }
    return config;
}

int topic_partition_count(rd_kafka_t *kafka, const char *topic) {
    rd_kafka_topic_t *handle = rd_kafka_topic_new(kafka, topic, NULL);
    const struct rd_kafka_metadata *metadata = NULL;
    rd_kafka_resp_err_t error = rd_kafka_metadata(kafka, 0, handle, &metadata, 10000);
    if (error) fail("metadata for %s: %s", topic, rd_kafka_err2str(error));
    if (metadata->topic_cnt != 1 || metadata->topics[0].err) {
        fail("topic %s: %s", topic, rd_kafka_err2str(metadata->topic_cnt ? metadata->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
    }
    int count = metadata->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(metadata);
    rd_kafka_topic_destroy(handle);
    return count;
}
