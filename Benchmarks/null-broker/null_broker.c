/*
 * null-broker: the fastest anything can answer a Kafka producer on this machine.
 *
 * Why it exists: with ten producers each waiting for its acks=all acknowledgement, the rate on a
 * 2-vCPU VM is set less by the disk than by wake-ups: the client's threads, librdkafka's broker
 * thread and the loopback all share the two cores with the broker. A rate quoted against fdatasync
 * alone does not say how close Monolog is to what this client can reach here at all. This program
 * is that ceiling: one thread, one epoll loop, non-blocking sockets, no storage. It parses each
 * frame's request header and answers ApiVersions, Metadata, InitProducerId and Produce (Produce with
 * error 0 and a base offset from a per-partition counter, advanced by the record count of each batch
 * header; nothing is kept). scripts/bench.sh runs scenario a against it right before and after
 * Monolog and quotes Monolog's rate as a ratio of it.
 *
 * Fetch v4 is advertised and answered too (always empty, after the request's max_wait_ms, at most
 * 1 s), only because librdkafka 2.0.2 writes record batches of format v2 only when the broker's
 * ranges contain both Produce v3 and Fetch v4; without it the producer would send another format
 * than the one it sends to Monolog.
 *
 *   null-broker [--partitions N] PORT [TOPIC...]
 *
 * Listens on 127.0.0.1:PORT (0: any free port) and says "null-broker listening on 127.0.0.1:PORT"
 * on stderr once it accepts. Every topic a client names exists, with N partitions (default 1) led by
 * broker 0, itself; a Metadata request for all topics lists the TOPICs given and those named so
 * far. SIGTERM or SIGINT: prints one JSON line of counts on stdout and exits 0.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { PRODUCE = 0, FETCH = 1, METADATA = 3, API_VERSIONS = 18, INIT_PRODUCER_ID = 22 };
enum { UNKNOWN_TOPIC_OR_PARTITION = 3, UNSUPPORTED_VERSION = 35 };

/* What is advertised is exactly what is answered below. first_flexible: from that version on the
 * request has header v2 and the body compact encodings with tagged fields; the response header v1. */
static const struct { int16_t key, min, max, first_flexible; } apis[] = {
    {PRODUCE, 3, 9, 9},           /* 3: the first with record batches v2; librdkafka 2.0.2 sends 7 */
    {FETCH, 4, 4, 12},            /* see above: always empty */
    {METADATA, 0, 9, 9},          /* librdkafka 2.0.2 sends 4, 2.16 sends 9 */
    {API_VERSIONS, 0, 3, 3},      /* a newer request gets UNSUPPORTED_VERSION in the v0 layout */
    {INIT_PRODUCER_ID, 0, 4, 2},
};
enum { API_COUNT = sizeof apis / sizeof apis[0], MAX_TOPICS = 256, MAX_PARTITIONS = 1024,
       MAX_FRAME = 128 << 20 };

static const char *host = "127.0.0.1";
static int port, partition_count = 1;
static struct topic { char *name; int64_t *next_offset; } topics[MAX_TOPICS];
static int topic_count;
static int64_t next_producer_id = 1000;
static long connections, requests, produce_requests, produced_records;
static volatile sig_atomic_t stopping;

/* --- writing ------------------------------------------------------------------------------------ */

struct buffer { uint8_t *data; size_t len, cap, sent; };

static void reserve(struct buffer *b, size_t more) {
    if (b->len + more <= b->cap) return;
    while (b->cap < b->len + more) b->cap = b->cap ? b->cap * 2 : 65536;
    if (!(b->data = realloc(b->data, b->cap))) { perror("null-broker: realloc"); exit(1); }
}
static void put(struct buffer *b, const void *p, size_t n) { reserve(b, n); memcpy(b->data + b->len, p, n); b->len += n; }
static void put_i8(struct buffer *b, int8_t v) { put(b, &v, 1); }
static void put_i16(struct buffer *b, int16_t v) { uint16_t x = htons((uint16_t)v); put(b, &x, 2); }
static void put_i32(struct buffer *b, int32_t v) { uint32_t x = htonl((uint32_t)v); put(b, &x, 4); }
static void put_i64(struct buffer *b, int64_t v) { put_i32(b, (int32_t)((uint64_t)v >> 32)); put_i32(b, (int32_t)(uint64_t)v); }
static void put_uvarint(struct buffer *b, uint64_t v) {
    for (; v >= 0x80; v >>= 7) put_i8(b, (int8_t)(v | 0x80));
    put_i8(b, (int8_t)v);
}
/* Lengths: int16 (strings) or int32 (arrays, bytes) before flexible versions, then unsigned varint
 * of length + 1, with 0 for null. */
static void put_string(struct buffer *b, const void *s, int n, int flex) {
    if (flex) put_uvarint(b, (uint64_t)(n + 1)); else put_i16(b, (int16_t)n);
    if (n > 0) put(b, s, (size_t)n);
}
static void put_array(struct buffer *b, int n, int flex) { if (flex) put_uvarint(b, (uint64_t)(n + 1)); else put_i32(b, n); }
static void put_no_tags(struct buffer *b, int flex) { if (flex) put_uvarint(b, 0); }

/* --- reading ------------------------------------------------------------------------------------ */

struct reader { const uint8_t *p, *end; int bad; };

static const uint8_t *take(struct reader *r, size_t n) {
    if (r->bad || (size_t)(r->end - r->p) < n) { r->bad = 1; return NULL; }
    const uint8_t *at = r->p;
    r->p += n;
    return at;
}
static int8_t get_i8(struct reader *r) { const uint8_t *p = take(r, 1); return p ? (int8_t)p[0] : 0; }
static int16_t get_i16(struct reader *r) { const uint8_t *p = take(r, 2); return p ? (int16_t)(p[0] << 8 | p[1]) : 0; }
static int32_t get_i32(struct reader *r) {
    const uint8_t *p = take(r, 4);
    return p ? (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]) : 0;
}
static int64_t get_i64(struct reader *r) { uint64_t high = (uint32_t)get_i32(r); return (int64_t)(high << 32 | (uint32_t)get_i32(r)); }
static uint64_t get_uvarint(struct reader *r) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t byte = (uint8_t)get_i8(r);
        v |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80) || r->bad) return v;
    }
    r->bad = 1;
    return 0;
}
/* A string's or a byte array's length (-1: null); *at points to its bytes. */
static int32_t get_sized(struct reader *r, int flex, int wide, const uint8_t **at) {
    int32_t n = flex ? (int32_t)get_uvarint(r) - 1 : wide ? get_i32(r) : get_i16(r);
    *at = n > 0 ? take(r, (size_t)n) : r->p;
    return r->bad ? -1 : n;
}
static int32_t get_array(struct reader *r, int flex) { return flex ? (int32_t)get_uvarint(r) - 1 : get_i32(r); }
static void skip_tags(struct reader *r, int flex) {
    if (!flex) return;
    for (uint64_t n = get_uvarint(r); n > 0 && !r->bad; n--) {
        get_uvarint(r);
        take(r, get_uvarint(r));
    }
}

/* --- topics ------------------------------------------------------------------------------------- */

static struct topic *topic_named(const uint8_t *name, int32_t len) {
    if (len <= 0) return NULL;
    for (int i = 0; i < topic_count; i++) {
        if ((int32_t)strlen(topics[i].name) == len && memcmp(topics[i].name, name, (size_t)len) == 0) return &topics[i];
    }
    if (topic_count == MAX_TOPICS) return NULL;
    struct topic *t = &topics[topic_count++];
    t->name = strndup((const char *)name, (size_t)len);
    t->next_offset = calloc((size_t)partition_count, sizeof(int64_t));
    return t;
}

/* Records in a Produce request's records field: one or more record batches (v2: the count is in the
 * header, at byte 57); for the old message sets, one per message. */
static int64_t record_count(const uint8_t *p, int32_t len) {
    int64_t count = 0;
    struct reader r = {p, p + (len > 0 ? len : 0), 0};
    while (r.end - r.p >= 12) {
        struct reader batch = r;
        get_i64(&batch);
        int32_t size = get_i32(&batch);
        if (size < 0 || r.end - batch.p < size) break;
        if (size >= 49 && batch.p[4] == 2) count += (uint32_t)(batch.p[45] << 24 | batch.p[46] << 16 | batch.p[47] << 8 | batch.p[48]);
        else count++;
        r.p = batch.p + size;
    }
    return count;
}

/* --- answers: each appends the response body; returns 0 when the request could not be parsed ---- */

static int api_versions(struct reader *r, struct buffer *out, int version) {
    (void)r;  /* ClientSoftwareName and Version (v3+) are not needed */
    int supported = version <= apis[3].max, flex = supported && version >= 3;
    put_i16(out, supported ? 0 : UNSUPPORTED_VERSION);
    put_array(out, API_COUNT, flex);
    for (int i = 0; i < API_COUNT; i++) {
        put_i16(out, apis[i].key); put_i16(out, apis[i].min); put_i16(out, apis[i].max);
        put_no_tags(out, flex);
    }
    if (supported && version >= 1) put_i32(out, 0);  /* throttle_time_ms */
    put_no_tags(out, flex);
    return 1;
}

static void metadata_topic(struct buffer *out, int version, int flex, struct topic *t, const uint8_t *name, int32_t len) {
    put_i16(out, t ? 0 : UNKNOWN_TOPIC_OR_PARTITION);
    put_string(out, name, len, flex);
    if (version >= 1) put_i8(out, 0);  /* is_internal */
    put_array(out, t ? partition_count : 0, flex);
    for (int p = 0; t && p < partition_count; p++) {
        put_i16(out, 0); put_i32(out, p); put_i32(out, 0);  /* error, partition, leader: broker 0 */
        if (version >= 7) put_i32(out, -1);                 /* leader_epoch: unknown */
        put_array(out, 1, flex); put_i32(out, 0);           /* replicas */
        put_array(out, 1, flex); put_i32(out, 0);           /* in-sync replicas */
        if (version >= 5) put_array(out, 0, flex);          /* offline replicas */
        put_no_tags(out, flex);
    }
    if (version >= 8) put_i32(out, INT32_MIN);  /* topic_authorized_operations: not asked for */
    put_no_tags(out, flex);
}

static int metadata(struct reader *r, struct buffer *out, int version, int flex) {
    if (version >= 3) put_i32(out, 0);  /* throttle_time_ms */
    put_array(out, 1, flex);
    put_i32(out, 0);
    put_string(out, host, (int)strlen(host), flex);
    put_i32(out, port);
    if (version >= 1) put_string(out, NULL, -1, flex);  /* rack */
    put_no_tags(out, flex);
    if (version >= 2) put_string(out, "null-broker", 11, flex);  /* cluster_id */
    if (version >= 1) put_i32(out, 0);  /* controller_id */
    int32_t wanted = get_array(r, flex);
    if (wanted < 0 || (wanted == 0 && version == 0)) {  /* all topics */
        put_array(out, topic_count, flex);
        for (int i = 0; i < topic_count; i++) metadata_topic(out, version, flex, &topics[i], (const uint8_t *)topics[i].name, (int32_t)strlen(topics[i].name));
    } else {
        put_array(out, wanted, flex);
        for (int32_t i = 0; i < wanted && !r->bad; i++) {
            const uint8_t *name;
            int32_t len = get_sized(r, flex, 0, &name);
            skip_tags(r, flex);
            if (!r->bad) metadata_topic(out, version, flex, topic_named(name, len), name, len);
        }
    }
    if (version >= 8 && version <= 10) put_i32(out, INT32_MIN);  /* cluster_authorized_operations */
    put_no_tags(out, flex);
    return !r->bad;  /* the flags after the topics are not needed */
}

static int init_producer_id(struct reader *r, struct buffer *out, int flex) {
    (void)r;  /* transactional id, timeout, and (v3+) the current id and epoch are not needed */
    put_i32(out, 0); put_i16(out, 0);  /* throttle_time_ms, error */
    put_i64(out, next_producer_id++); put_i16(out, 0);
    put_no_tags(out, flex);
    return 1;
}

/* Returns -1 for acks=0 (no answer). The response mirrors the request: the same topics and
 * partitions in the same order. */
static int produce(struct reader *r, struct buffer *out, int version, int flex) {
    const uint8_t *unused;
    get_sized(r, flex, 0, &unused);  /* transactional_id */
    int16_t acks = get_i16(r);
    get_i32(r);                      /* timeout_ms */
    int32_t topic_n = get_array(r, flex);
    put_array(out, topic_n > 0 ? topic_n : 0, flex);
    for (int32_t i = 0; i < topic_n && !r->bad; i++) {
        const uint8_t *name;
        int32_t len = get_sized(r, flex, 0, &name);
        struct topic *t = topic_named(name, len);
        put_string(out, name, len, flex);
        int32_t partition_n = get_array(r, flex);
        put_array(out, partition_n > 0 ? partition_n : 0, flex);
        for (int32_t j = 0; j < partition_n && !r->bad; j++) {
            int32_t partition = get_i32(r);
            const uint8_t *records;
            int32_t size = get_sized(r, flex, 1, &records);
            skip_tags(r, flex);
            int known = t && partition >= 0 && partition < partition_count;
            int64_t base = -1;
            if (known) {
                base = t->next_offset[partition];
                int64_t count = record_count(records, size);
                t->next_offset[partition] += count;
                produced_records += count;
            }
            put_i32(out, partition);
            put_i16(out, known ? 0 : UNKNOWN_TOPIC_OR_PARTITION);
            put_i64(out, base);
            put_i64(out, -1);                               /* log_append_time_ms: CreateTime topics */
            if (version >= 5) put_i64(out, 0);              /* log_start_offset */
            if (version >= 8) { put_array(out, 0, flex); put_string(out, NULL, -1, flex); }  /* record_errors, error_message */
            put_no_tags(out, flex);
        }
        skip_tags(r, flex);
        put_no_tags(out, flex);
    }
    put_i32(out, 0);  /* throttle_time_ms */
    put_no_tags(out, flex);
    produce_requests++;
    return r->bad ? 0 : acks == 0 ? -1 : 1;
}

/* Always empty: the high watermark is the partition's counter. Returns the time to wait in ms. */
static int fetch(struct reader *r, struct buffer *out) {
    get_i32(r);  /* replica_id */
    int32_t max_wait_ms = get_i32(r);
    get_i32(r); get_i32(r); get_i8(r);  /* min_bytes, max_bytes, isolation_level */
    put_i32(out, 0);  /* throttle_time_ms */
    int32_t topic_n = get_array(r, 0);
    put_array(out, topic_n > 0 ? topic_n : 0, 0);
    for (int32_t i = 0; i < topic_n && !r->bad; i++) {
        const uint8_t *name;
        int32_t len = get_sized(r, 0, 0, &name);
        struct topic *t = topic_named(name, len);
        put_string(out, name, len, 0);
        int32_t partition_n = get_array(r, 0);
        put_array(out, partition_n > 0 ? partition_n : 0, 0);
        for (int32_t j = 0; j < partition_n && !r->bad; j++) {
            int32_t partition = get_i32(r);
            get_i64(r); get_i32(r);  /* fetch_offset, partition_max_bytes */
            int known = t && partition >= 0 && partition < partition_count;
            int64_t end = known ? t->next_offset[partition] : -1;
            put_i32(out, partition);
            put_i16(out, known ? 0 : UNKNOWN_TOPIC_OR_PARTITION);
            put_i64(out, end); put_i64(out, end);  /* high watermark, last stable offset */
            put_i32(out, -1);                      /* aborted_transactions: null */
            put_i32(out, 0);                       /* records: empty */
        }
    }
    if (r->bad) return -1;
    return max_wait_ms < 0 ? 0 : max_wait_ms > 1000 ? 1000 : max_wait_ms;
}

/* --- connections -------------------------------------------------------------------------------- */

struct connection {
    int fd, writable_wanted;
    struct buffer in, out;
    size_t held_from;           /* while a Fetch waits: output from here on is not sent yet, and */
    int64_t held_until_ns;      /* no further request is read (Kafka answers a connection in order) */
    struct connection *next, *prev;
};
static struct connection *all_connections;
static int epoll_fd, held_count;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void close_connection(struct connection *c) {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    if (c->held_until_ns) held_count--;
    if (c->prev) c->prev->next = c->next; else all_connections = c->next;
    if (c->next) c->next->prev = c->prev;
    free(c->in.data); free(c->out.data); free(c);
}

/* Writes what may be sent; asks epoll for EPOLLOUT only while some of it is left. 0: closed. */
static int flush(struct connection *c) {
    size_t limit = c->held_until_ns ? c->held_from : c->out.len;
    while (c->out.sent < limit) {
        ssize_t n = write(c->fd, c->out.data + c->out.sent, limit - c->out.sent);
        if (n > 0) { c->out.sent += (size_t)n; continue; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        close_connection(c);
        return 0;
    }
    if (c->out.sent == c->out.len) c->out.len = c->out.sent = 0;
    int want = c->out.sent < limit;
    if (want != c->writable_wanted) {
        struct epoll_event e = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = c};
        epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &e);
        c->writable_wanted = want;
    }
    return 1;
}

/* One request: appends its framed answer to c->out. 0: a request this broker does not serve. */
static int answer(struct connection *c, const uint8_t *frame, int32_t size) {
    struct reader r = {frame, frame + size, 0};
    int16_t key = get_i16(&r), version = get_i16(&r);
    int32_t correlation_id = get_i32(&r);
    int api = -1;
    for (int i = 0; i < API_COUNT; i++) if (apis[i].key == key) api = i;
    if (api < 0 || version < apis[api].min || (version > apis[api].max && key != API_VERSIONS)) {
        fprintf(stderr, "null-broker: api %d v%d is not served; closing the connection\n", key, version);
        return 0;
    }
    int flex = version >= apis[api].first_flexible && version <= apis[api].max;
    const uint8_t *client_id;
    get_sized(&r, 0, 0, &client_id);  /* the header's client_id is never a compact string */
    skip_tags(&r, flex);
    size_t start = c->out.len;
    put_i32(&c->out, 0);  /* the frame's size, set below */
    put_i32(&c->out, correlation_id);
    put_no_tags(&c->out, flex && key != API_VERSIONS);  /* response header v1, but v0 for ApiVersions */
    int done = 0, wait_ms = 0;
    switch (key) {
    case API_VERSIONS: done = api_versions(&r, &c->out, version); break;
    case METADATA: done = metadata(&r, &c->out, version, flex); break;
    case INIT_PRODUCER_ID: done = init_producer_id(&r, &c->out, flex); break;
    case PRODUCE: done = produce(&r, &c->out, version, flex); break;
    case FETCH: wait_ms = fetch(&r, &c->out); done = wait_ms >= 0; break;
    }
    requests++;
    if (done == -1) { c->out.len = start; return 1; }  /* acks=0 */
    if (!done) { fprintf(stderr, "null-broker: malformed api %d v%d request\n", key, version); return 0; }
    uint32_t length = htonl((uint32_t)(c->out.len - start - 4));
    memcpy(c->out.data + start, &length, 4);
    if (wait_ms > 0) {
        c->held_from = start;
        c->held_until_ns = now_ns() + (int64_t)wait_ms * 1000000;
        held_count++;
    }
    return 1;
}

/* Answers every complete frame read so far, unless a Fetch waits. 0: closed. */
static int answer_frames(struct connection *c) {
    size_t at = 0;
    while (!c->held_until_ns && c->in.len - at >= 4) {
        const uint8_t *p = c->in.data + at;
        int32_t size = (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
        if (size < 8 || size > MAX_FRAME) { close_connection(c); return 0; }
        if (c->in.len - at - 4 < (size_t)size) break;
        if (!answer(c, p + 4, size)) { close_connection(c); return 0; }
        at += 4 + (size_t)size;
    }
    memmove(c->in.data, c->in.data + at, c->in.len - at);
    c->in.len -= at;
    return flush(c);
}

static void on_readable(struct connection *c) {
    for (;;) {
        reserve(&c->in, 65536);
        ssize_t n = read(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len);
        if (n > 0) { c->in.len += (size_t)n; continue; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        close_connection(c);  /* end of stream or error */
        return;
    }
    answer_frames(c);
}

/* Sends the Fetch answers whose wait is over, and reads on. Returns the ms until the next one is due. */
static int release_held(void) {
    if (held_count == 0) return -1;
    int64_t now = now_ns(), next = INT64_MAX;
    for (struct connection *c = all_connections, *after; c; c = after) {
        after = c->next;
        if (!c->held_until_ns) continue;
        if (c->held_until_ns <= now) {
            c->held_until_ns = 0;
            held_count--;
            if (!answer_frames(c)) continue;
        }
        if (c->held_until_ns && c->held_until_ns < next) next = c->held_until_ns;
    }
    return next == INT64_MAX ? -1 : (int)((next - now) / 1000000 + 1);
}

static void on_signal(int signal) { (void)signal; stopping = 1; }

int main(int argc, char **argv) {
    int arg = 1;
    if (arg + 1 < argc && strcmp(argv[arg], "--partitions") == 0) { partition_count = atoi(argv[arg + 1]); arg += 2; }
    if (arg >= argc || partition_count < 1 || partition_count > MAX_PARTITIONS) {
        fprintf(stderr, "usage: null-broker [--partitions N] PORT [TOPIC...]\n");
        return 2;
    }
    port = atoi(argv[arg++]);
    for (; arg < argc; arg++) topic_named((const uint8_t *)argv[arg], (int32_t)strlen(argv[arg]));

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), yes = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &address.sin_addr);
    socklen_t address_len = sizeof address;
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 1024) != 0 ||
        getsockname(listener, (struct sockaddr *)&address, &address_len) != 0) {
        perror("null-broker: listen");
        return 1;
    }
    port = ntohs(address.sin_port);
    struct sigaction action = {.sa_handler = on_signal};
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    signal(SIGPIPE, SIG_IGN);
    epoll_fd = epoll_create1(0);
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &e);
    fprintf(stderr, "null-broker listening on %s:%d\n", host, port);

    struct epoll_event events[64];
    int timeout = -1;
    while (!stopping) {
        int n = epoll_wait(epoll_fd, events, 64, timeout);
        if (n < 0 && errno != EINTR) { perror("null-broker: epoll_wait"); return 1; }
        for (int i = 0; i < n; i++) {
            struct connection *c = events[i].data.ptr;
            if (!c) {  /* the listener */
                int fd;
                while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
                    c = calloc(1, sizeof *c);
                    c->fd = fd;
                    c->next = all_connections;
                    if (all_connections) all_connections->prev = c;
                    all_connections = c;
                    struct epoll_event ce = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ce);
                    connections++;
                }
            } else if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                on_readable(c);
            } else if (events[i].events & EPOLLOUT) {
                flush(c);
            }
        }
        timeout = release_held();
    }
    printf("{\"mode\":\"null-broker\",\"connections\":%ld,\"requests\":%ld,\"produce_requests\":%ld,\"records\":%ld}\n",
           connections, requests, produce_requests, produced_records);
    return 0;
}
