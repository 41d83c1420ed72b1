/*
 * The machine's limits, measured in the same run as the scenarios: one fdatasync per 4 KiB append
 * (what "fsync per acknowledgement" costs without batching), and one-row SQLite transactions in WAL
 * mode with synchronous=FULL (what a naive SQLite broker would reach); SQLite's bulk insert rate (the
 * ceiling of batched writes through SQLite, for pipelined produce) and its sequential read rate (for a
 * consumer reading from the start).
 */
#include "loadgen.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 4 KiB appended, then fdatasync, for `seconds`: writes per second. */
double fsync_rate(const char *directory, double seconds, long *writes_out) {
    char path[4096];
    snprintf(path, sizeof path, "%s/fdatasync-baseline.bin", directory);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    if (fd < 0) fail("open %s", path);
    char block[4096];
    memset(block, 'x', sizeof block);
    long writes = 0;
    int64_t started = monotonic_ns();
    int64_t deadline = started + (int64_t)(seconds * 1e9);
    while (monotonic_ns() < deadline) {
        if (write(fd, block, sizeof block) != (ssize_t)sizeof block) fail("write %s", path);
        if (fdatasync(fd) != 0) fail("fdatasync %s", path);
        writes++;
    }
    double elapsed = (double)(monotonic_ns() - started) / 1e9;
    close(fd);
    unlink(path);
    if (writes_out) *writes_out = writes;
    return (double)writes / elapsed;
}

int run_baseline_fsync(const struct options *options) {
    long writes;
    double rate = fsync_rate(options->directory, options->seconds, &writes);
    printf("{\"mode\":\"baseline-fsync\",\"writes\":%ld,\"seconds\":%.3f,\"per_second\":%.1f}\n", writes, (double)writes / rate, rate);
    return 0;
}

static void must(int result, sqlite3 *db, const char *what) {
    if (result != SQLITE_OK && result != SQLITE_DONE && result != SQLITE_ROW) fail("%s: %s", what, sqlite3_errmsg(db));
}

/* A new database at `path` (WAL, synchronous=FULL) with one table of blobs, and its prepared insert. */
static sqlite3 *open_baseline_database(const char *path, sqlite3_stmt **insert) {
    unlink(path);
    sqlite3 *db;
    must(sqlite3_open(path, &db), db, "open");
    must(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                          "CREATE TABLE messages (id INTEGER PRIMARY KEY, value BLOB NOT NULL)", NULL, NULL, NULL), db, "schema");
    must(sqlite3_prepare_v2(db, "INSERT INTO messages (value) VALUES (?)", -1, insert, NULL), db, "prepare");
    return db;
}

/* Closes the database and removes its files. */
static void remove_baseline_database(sqlite3 *db, sqlite3_stmt *insert, const char *path) {
    sqlite3_finalize(insert);
    sqlite3_close(db);
    char companion[4200];
    snprintf(companion, sizeof companion, "%s-wal", path);
    unlink(companion);
    snprintf(companion, sizeof companion, "%s-shm", path);
    unlink(companion);
    unlink(path);
}

int run_baseline_sqlite(const struct options *options) {
    char path[4096];
    snprintf(path, sizeof path, "%s/sqlite-baseline.db", options->directory);
    sqlite3_stmt *insert;
    sqlite3 *db = open_baseline_database(path, &insert);
    char value[512];
    memset(value, 'x', sizeof value);
    long commits = 0;
    int64_t started = monotonic_ns();
    int64_t deadline = started + (int64_t)(options->seconds * 1e9);
    while (monotonic_ns() < deadline) {
        sqlite3_bind_blob(insert, 1, value, sizeof value, SQLITE_STATIC);
        must(sqlite3_step(insert), db, "insert");  /* autocommit: one row, one transaction, one fsync */
        sqlite3_reset(insert);
        commits++;
    }
    double elapsed = (double)(monotonic_ns() - started) / 1e9;
    remove_baseline_database(db, insert, path);
    printf("{\"mode\":\"baseline-sqlite\",\"commits\":%ld,\"seconds\":%.3f,\"per_second\":%.1f}\n", commits, elapsed, (double)commits / elapsed);
    return 0;
}

/* --- baseline-sqlite-bulk: SQLite's bulk insert rate -------------------------------------------
 * --size-byte rows inserted in transactions of 1 MB (WAL, synchronous=FULL, one fsync per
 * transaction), for --seconds: the ceiling a batched produce is quoted against. (Monolog stores a
 * whole record batch as one row, so it may pass it.) */

int run_baseline_sqlite_bulk(const struct options *options) {
    char path[4096];
    snprintf(path, sizeof path, "%s/sqlite-bulk-baseline.db", options->directory);
    sqlite3_stmt *insert;
    sqlite3 *db = open_baseline_database(path, &insert);
    char *value = malloc((size_t)options->size);
    memset(value, 'x', (size_t)options->size);
    long rows_per_transaction = (1024 * 1024) / options->size;
    if (rows_per_transaction < 1) rows_per_transaction = 1;
    long rows = 0;
    int64_t started = monotonic_ns();
    int64_t deadline = started + (int64_t)(options->seconds * 1e9);
    while (monotonic_ns() < deadline) {
        must(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), db, "begin");
        for (long i = 0; i < rows_per_transaction; i++) {
            sqlite3_bind_blob(insert, 1, value, options->size, SQLITE_STATIC);
            must(sqlite3_step(insert), db, "insert");
            sqlite3_reset(insert);
        }
        must(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), db, "commit");
        rows += rows_per_transaction;
    }
    double elapsed = (double)(monotonic_ns() - started) / 1e9;
    remove_baseline_database(db, insert, path);
    free(value);
    printf("{\"mode\":\"baseline-sqlite-bulk\",\"rows\":%ld,\"rows_per_transaction\":%ld,\"seconds\":%.3f,\"per_second\":%.1f,"
           "\"megabytes_per_second\":%.2f}\n",
           rows, rows_per_transaction, elapsed, (double)rows / elapsed, (double)rows * options->size / elapsed / 1e6);
    return 0;
}

/* --- baseline-sqlite-read: SQLite's read rate, for a consumer --------------------------------------
 * --messages rows of --size bytes are written first (1 MB transactions, WAL; not timed), then read
 * back as a consumer reads a partition from the start: sequential SELECTs by offset, each of about
 * 1 MB of rows (as a 1 MB Fetch), every value's bytes copied out. Timed from the first to the last row
 * read: rows/s. The database was just written, so it is in the page cache, as Monolog's is when
 * scenario c reads what b has just stored. */

int run_baseline_sqlite_read(const struct options *options) {
    char path[4096];
    snprintf(path, sizeof path, "%s/sqlite-read-baseline.db", options->directory);
    sqlite3_stmt *insert;
    sqlite3 *db = open_baseline_database(path, &insert);
    char *value = malloc((size_t)options->size);
    memset(value, 'x', (size_t)options->size);
    long rows_per_chunk = (1024 * 1024) / options->size;
    if (rows_per_chunk < 1) rows_per_chunk = 1;
    for (long written = 0; written < options->messages;) {
        must(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), db, "begin");
        for (long i = 0; i < rows_per_chunk && written < options->messages; i++, written++) {
            sqlite3_bind_blob(insert, 1, value, options->size, SQLITE_STATIC);
            must(sqlite3_step(insert), db, "insert");
            sqlite3_reset(insert);
        }
        must(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), db, "commit");
    }
    sqlite3_stmt *select;
    must(sqlite3_prepare_v2(db, "SELECT id, value FROM messages WHERE id >= ? ORDER BY id LIMIT ?", -1, &select, NULL), db, "prepare");
    char *copy = malloc((size_t)options->size);
    long rows = 0, bytes = 0;
    int64_t next = 1, first = 0, last = 0;  /* INTEGER PRIMARY KEY: rowids from 1 */
    while (rows < options->messages) {
        sqlite3_bind_int64(select, 1, next);
        sqlite3_bind_int64(select, 2, rows_per_chunk);
        long in_chunk = 0;
        int step;
        while ((step = sqlite3_step(select)) == SQLITE_ROW) {
            int length = sqlite3_column_bytes(select, 1);
            memcpy(copy, sqlite3_column_blob(select, 1), (size_t)(length < options->size ? length : options->size));
            next = sqlite3_column_int64(select, 0) + 1;
            bytes += length;
            rows++;
            in_chunk++;
            if (!first) first = monotonic_ns();
        }
        must(step, db, "select");
        sqlite3_reset(select);
        last = monotonic_ns();
        if (in_chunk == 0) fail("only %ld of %ld rows read back", rows, options->messages);
    }
    double elapsed = (double)(last - first) / 1e9;
    sqlite3_finalize(select);
    remove_baseline_database(db, insert, path);
    free(value);
    free(copy);
    printf("{\"mode\":\"baseline-sqlite-read\",\"rows\":%ld,\"rows_per_select\":%ld,\"seconds\":%.3f,\"per_second\":%.1f,"
           "\"megabytes_per_second\":%.2f}\n",
           rows, rows_per_chunk, elapsed, (double)rows / elapsed, (double)bytes / elapsed / 1e6);
    return 0;
}
