/*
 * monolog-loadgen: a load generator for Monolog built on librdkafka, so the client side of every
 * benchmark is a real, fast Kafka client and not Monolog's own code. Each mode prints one line of JSON.
 */
#ifndef MONOLOG_LOADGEN_H
#define MONOLOG_LOADGEN_H

#include <stddef.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>

struct options {
    const char *brokers;
    const char *topic;
    const char *directory;   /* baselines: where the test files go */
    int producers;           /* produce-sync: concurrent producers */
    int per_connection;      /* produce-sync: producers sharing one client and connection (1: a client each) */
    int size;                /* message value bytes */
    long messages;           /* produce-batch and consume: how many */
    double seconds;          /* how long a timed mode runs */
    int64_t since_ns;        /* first-ack: CLOCK_REALTIME nanoseconds to measure from */
    int transaction_ms;      /* produce-txn: how long each transaction runs before its commit */
    int idempotence;         /* produce-batch: enable.idempotence */
    int windows;             /* produce-sync: 0, or alternate this many windows with fdatasync ones */
    double baseline_seconds; /* produce-sync with --windows: each fdatasync window (in --dir) */
};

/* The modes; each returns the process exit status. */
int run_produce_sync(const struct options *options);
int run_produce_batch(const struct options *options);
int run_consume(const struct options *options);
int run_idle_consume(const struct options *options);
int run_first_ack(const struct options *options);
int run_baseline_fsync(const struct options *options);
int run_baseline_sqlite(const struct options *options);
int run_baseline_sqlite_bulk(const struct options *options);
int run_baseline_sqlite_read(const struct options *options);
int run_produce_txn(const struct options *options);
int run_txn_latency(const struct options *options);

/* 4 KiB append + fdatasync in `directory` for `seconds`: writes per second (and how many). */
double fsync_rate(const char *directory, double seconds, long *writes);

/* Clocks. */
int64_t monotonic_ns(void);
int64_t realtime_ns(void);

/* A growable array of latencies in nanoseconds, and its percentiles. */
struct latencies {
    int64_t *values;
    size_t count;
    size_t capacity;
};
void latencies_add(struct latencies *latencies, int64_t value);
void latencies_merge(struct latencies *into, const struct latencies *from);
/* Sorts in place; p in [0, 1]; milliseconds. */
double latencies_percentile_ms(struct latencies *latencies, double p);

/* A librdkafka configuration with `settings` (name, value pairs, NULL-terminated); exits on a bad one. */
rd_kafka_conf_t *kafka_config(const char *const *settings);
/* The topic's partition count from the broker's metadata; exits when the topic does not exist. */
int topic_partition_count(rd_kafka_t *kafka, const char *topic);

_Noreturn void fail(const char *format, ...);

#endif
