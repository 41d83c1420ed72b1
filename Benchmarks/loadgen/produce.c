/*
 * The produce modes. Every producer uses acks=all, so a delivery report means the broker committed
 * the message with an fsync.
 */
#include "loadgen.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- produce-sync: the original design's method -------------------------------------------------
 * N producers, each sending one message and waiting for its acknowledgement before the next.
 * linger.ms=0: a producer that waits for every ack has nothing to batch, and librdkafka's default
 * 5 ms linger would only add 5 ms to each send.
 *
 * --per-connection 1 (the default): each producer is its own client with its own connection, and
 * polls its client itself for its delivery report. --per-connection K > 1: the producers share a
 * client (and so a connection) in groups of K, as the threads of one service share its client; the
 * messages they have queued at the same moment go out in one Produce request. A shared client's
 * delivery reports are then served by one polling thread per client, which wakes the producer
 * whose message it was (a thread blocked in rd_kafka_poll would not see its report served by
 * another thread's poll until its own timeout).
 *
 * --windows W: the run is cut into W windows of --seconds / W, and before each one the producers
 * wait (each after its last acknowledgement) while this process measures fdatasync for
 * --baseline-seconds in --dir, as the storage benchmark does: a dip of the disk then lands in one
 * window of either side and does not move the medians. A second of sending comes first, not counted.
 * The rate is the median of the windows' rates; the fdatasync rate the median of its windows. */

/* The gate the producers pass before each send; closed between windows. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_changed = PTHREAD_COND_INITIALIZER;   /* producers wait on it */
static pthread_cond_t producer_parked = PTHREAD_COND_INITIALIZER; /* the main thread waits on it */
static int gate_open = 1, gate_finished, parked_producers;

/* 1: send the next message; 0: the run is over. */
static int pass_gate(int64_t deadline_ns) {
    if (__atomic_load_n(&gate_open, __ATOMIC_ACQUIRE)) return monotonic_ns() < deadline_ns;
    pthread_mutex_lock(&gate_lock);
    parked_producers++;
    pthread_cond_signal(&producer_parked);
    while (!gate_open && !gate_finished) pthread_cond_wait(&gate_changed, &gate_lock);
    parked_producers--;
    int go = !gate_finished;
    pthread_mutex_unlock(&gate_lock);
    return go && monotonic_ns() < deadline_ns;
}

static void set_gate(int open, int finished) {
    pthread_mutex_lock(&gate_lock);
    __atomic_store_n(&gate_open, open, __ATOMIC_RELEASE);
    gate_finished = finished;
    pthread_cond_broadcast(&gate_changed);
    pthread_mutex_unlock(&gate_lock);
}

/* Closes the gate and waits until every producer has its last acknowledgement and waits at it. */
static void close_gate(int producers) {
    set_gate(0, 0);
    pthread_mutex_lock(&gate_lock);
    while (parked_producers < producers) pthread_cond_wait(&producer_parked, &gate_lock);
    pthread_mutex_unlock(&gate_lock);
}

static int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(double *values, int count) {
    qsort(values, (size_t)count, sizeof(double), compare_double);
    return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

struct sync_producer {
    const struct options *options;
    rd_kafka_t *shared;      /* NULL: a client of its own */
    int64_t deadline_ns;
    long acknowledged;
    long failed;
    struct latencies latencies;
    pthread_mutex_t lock;    /* shared clients: the polling thread signals `acknowledged_now` */
    pthread_cond_t acknowledged_now;
};

struct pending_ack {
    int done;
    rd_kafka_resp_err_t error;
    struct sync_producer *waiter;  /* shared clients: whom to wake */
};

static void note_delivery(rd_kafka_t *kafka, const rd_kafka_message_t *message, void *opaque) {
    (void)kafka;
    (void)opaque;
    struct pending_ack *ack = message->_private;
    struct sync_producer *waiter = ack->waiter;
    if (waiter) pthread_mutex_lock(&waiter->lock);
    ack->error = message->err;
    ack->done = 1;
    if (waiter) {
        pthread_cond_signal(&waiter->acknowledged_now);
        pthread_mutex_unlock(&waiter->lock);
    }
}

static rd_kafka_t *sync_client(const struct options *options) {
    const char *settings[] = {
        "bootstrap.servers", options->brokers, "acks", "all", "linger.ms", "0", NULL,
    };
    rd_kafka_conf_t *config = kafka_config(settings);
    rd_kafka_conf_set_dr_msg_cb(config, note_delivery);
    char error[512];
    rd_kafka_t *kafka = rd_kafka_new(RD_KAFKA_PRODUCER, config, error, sizeof error);
    if (!kafka) fail("producer: %s", error);
    return kafka;
}

static void *sync_producer_main(void *argument) {
    struct sync_producer *producer = argument;
    rd_kafka_t *kafka = producer->shared ? producer->shared : sync_client(producer->options);
    char *value = malloc((size_t)producer->options->size);
    memset(value, 'x', (size_t)producer->options->size);
    while (pass_gate(producer->deadline_ns)) {
        struct pending_ack ack = {.waiter = producer->shared ? producer : NULL};
        int64_t sent = monotonic_ns();
        rd_kafka_resp_err_t queued = rd_kafka_producev(
            kafka, RD_KAFKA_V_TOPIC(producer->options->topic), RD_KAFKA_V_VALUE(value, (size_t)producer->options->size),
            RD_KAFKA_V_OPAQUE(&ack), RD_KAFKA_V_END);
        if (queued) fail("produce: %s", rd_kafka_err2str(queued));
        if (producer->shared) {
            pthread_mutex_lock(&producer->lock);
            while (!ack.done) pthread_cond_wait(&producer->acknowledged_now, &producer->lock);
            pthread_mutex_unlock(&producer->lock);
        } else {
            while (!ack.done) rd_kafka_poll(kafka, 100);
        }
        if (ack.error) {
            producer->failed++;
        } else {
            producer->acknowledged++;
            latencies_add(&producer->latencies, monotonic_ns() - sent);
        }
    }
    if (!producer->shared) {
        rd_kafka_flush(kafka, 10000);
        rd_kafka_destroy(kafka);
    }
    free(value);
    return NULL;
}

struct shared_client {
    rd_kafka_t *kafka;
    pthread_t poller;
    volatile int stop;
};

static void *shared_client_poller(void *argument) {
    struct shared_client *client = argument;
    while (!client->stop) rd_kafka_poll(client->kafka, 100);
    return NULL;
}

int run_produce_sync(const struct options *options) {
    int per_connection = options->per_connection > 1 ? options->per_connection : 1;
    int client_count = per_connection > 1 ? (options->producers + per_connection - 1) / per_connection : 0;
    struct shared_client *clients = calloc((size_t)client_count + 1, sizeof *clients);
    for (int i = 0; i < client_count; i++) {
        clients[i].kafka = sync_client(options);
        pthread_create(&clients[i].poller, NULL, shared_client_poller, &clients[i]);
    }
    struct sync_producer *producers = calloc((size_t)options->producers, sizeof *producers);
    pthread_t *threads = calloc((size_t)options->producers, sizeof *threads);
    int windows = options->windows;
    if (windows) set_gate(0, 0);  /* the producers start at the closed gate */
    int64_t started = monotonic_ns();
    int64_t deadline = windows ? INT64_MAX : started + (int64_t)(options->seconds * 1e9);
    for (int i = 0; i < options->producers; i++) {
        producers[i].options = options;
        producers[i].shared = client_count ? clients[i / per_connection].kafka : NULL;
        producers[i].deadline_ns = deadline;
        pthread_mutex_init(&producers[i].lock, NULL);
        pthread_cond_init(&producers[i].acknowledged_now, NULL);
        pthread_create(&threads[i], NULL, sync_producer_main, &producers[i]);
    }
    double *window_rates = calloc((size_t)windows + 1, sizeof(double));
    double *fsync_rates = calloc((size_t)windows + 1, sizeof(double));
    long counted_before = 0;  /* acknowledgements before the first counted window: warm-up */
    if (windows) {
        int64_t window_ns = (int64_t)(options->seconds / windows * 1e9);
        for (int w = -1; w < windows; w++) {
            if (w >= 0) fsync_rates[w] = fsync_rate(options->directory, options->baseline_seconds, NULL);
            long before = 0, after = 0;
            for (int i = 0; i < options->producers; i++) before += producers[i].acknowledged;
            int64_t opened = monotonic_ns();
            set_gate(1, 0);
            struct timespec pause = {(time_t)((w < 0 ? 1000000000 : window_ns) / 1000000000), (long)((w < 0 ? 1000000000 : window_ns) % 1000000000)};
            nanosleep(&pause, NULL);
            close_gate(options->producers);
            int64_t closed = monotonic_ns();
            for (int i = 0; i < options->producers; i++) after += producers[i].acknowledged;
            if (w < 0) {
                counted_before = after;
                for (int i = 0; i < options->producers; i++) producers[i].latencies.count = 0;  /* warm-up */
            } else {
                window_rates[w] = (double)(after - before) / ((double)(closed - opened) / 1e9);
            }
        }
        set_gate(0, 1);
    }
    struct latencies all = {0};
    long acknowledged = 0, failed = 0;
    for (int i = 0; i < options->producers; i++) {
        pthread_join(threads[i], NULL);
        acknowledged += producers[i].acknowledged;
        failed += producers[i].failed;
        latencies_merge(&all, &producers[i].latencies);
    }
    acknowledged -= counted_before;
    double elapsed = (double)(monotonic_ns() - started) / 1e9;
    for (int i = 0; i < client_count; i++) {
        clients[i].stop = 1;
        pthread_join(clients[i].poller, NULL);
        rd_kafka_flush(clients[i].kafka, 10000);
        rd_kafka_destroy(clients[i].kafka);
    }
    double rate = (double)acknowledged / elapsed;
    char window_json[65536] = "";
    if (windows) {
        /* the producers were parked during the fdatasync windows: the rate is that of the windows */
        size_t used = 0;
        used += (size_t)snprintf(window_json + used, sizeof window_json - used, ",\"windows\":%d,\"window_seconds\":%.3f,\"window_rates\":[", windows, options->seconds / windows);
        for (int w = 0; w < windows && used < sizeof window_json; w++) used += (size_t)snprintf(window_json + used, sizeof window_json - used, "%s%.1f", w ? "," : "", window_rates[w]);
        used += (size_t)snprintf(window_json + used, sizeof window_json - used, "],\"fsync_window_seconds\":%.3f,\"fsync_window_rates\":[", options->baseline_seconds);
        for (int w = 0; w < windows && used < sizeof window_json; w++) used += (size_t)snprintf(window_json + used, sizeof window_json - used, "%s%.1f", w ? "," : "", fsync_rates[w]);
        double fsync_median = median_of(fsync_rates, windows);
        snprintf(window_json + used, sizeof window_json - used, "],\"fsync_per_second\":%.1f", fsync_median);
        rate = median_of(window_rates, windows);
        elapsed = options->seconds;
    }
    printf("{\"mode\":\"produce-sync\",\"producers\":%d,\"per_connection\":%d,\"acknowledged\":%ld,\"failed\":%ld,\"seconds\":%.3f,"
           "\"messages_per_second\":%.1f,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f%s}\n",
           options->producers, per_connection, acknowledged, failed, elapsed, rate,
           latencies_percentile_ms(&all, 0.50), latencies_percentile_ms(&all, 0.95), latencies_percentile_ms(&all, 0.99), window_json);
    return failed == 0 ? 0 : 1;
}

/* --- produce-batch: librdkafka's own batching ----------------------------------------------------
 * One producer with librdkafka's defaults (5 ms linger, 1 MB batches), acks=all, sending as fast as
 * its queue takes messages; idempotent with --idempotence 1 (as a transactional producer always is,
 * with at most 5 requests in flight). The rate counts acknowledged messages only, from the first
 * acknowledgement to the last, so that connecting, the first metadata round trip and the first
 * batch's linger are not counted (as consume starts its clock at the first message). Delivery
 * reports are served every 1,024 sends, so the clock reads are that coarse (about a millisecond). */

struct batch_counts {
    long acknowledged;
    long failed;
    rd_kafka_resp_err_t first_error;
    int64_t first_ack_ns, last_ack_ns;
};

static void count_delivery(rd_kafka_t *kafka, const rd_kafka_message_t *message, void *opaque) {
    (void)kafka;
    struct batch_counts *counts = opaque;
    if (message->err) {
        if (!counts->failed) counts->first_error = message->err;
        counts->failed++;
    } else {
        counts->last_ack_ns = monotonic_ns();
        if (!counts->acknowledged) counts->first_ack_ns = counts->last_ack_ns;
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
    double since_start = (double)(monotonic_ns() - started) / 1e9;
    double elapsed = counts.acknowledged > 1 ? (double)(counts.last_ack_ns - counts.first_ack_ns) / 1e9 : since_start;
    rd_kafka_destroy(kafka);
    free(value);
    printf("{\"mode\":\"produce-batch\",\"sent\":%ld,\"acknowledged\":%ld,\"failed\":%ld,\"first_error\":\"%s\",\"seconds\":%.3f,"
           "\"seconds_from_start\":%.3f,\"timed\":\"first to last acknowledgement\",\"messages_per_second\":%.1f,\"megabytes_per_second\":%.2f}\n",
           sent, counts.acknowledged, counts.failed, counts.failed ? rd_kafka_err2name(counts.first_error) : "", elapsed, since_start,
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
