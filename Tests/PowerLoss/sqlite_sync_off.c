/* The power-loss simulation's negative control (scripts/powerloss.sh): a writer that acknowledges
 * without fsync. It creates its table with synchronous=FULL (so the table itself survives), then
 * inserts rows 1, 2, 3, ... in WAL mode with synchronous=OFF, 100 per transaction, and after each
 * COMMIT prints the last id it committed, as a broker would acknowledge it. It runs until killed.
 *
 *     sqlite-sync-off DATABASE
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(sqlite3 *db, int rc, const char *what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "sqlite-sync-off: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DATABASE\n", argv[0]);
        return 2;
    }
    sqlite3 *db;
    check(NULL, sqlite3_open(argv[1], &db), "open");
    check(db, sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                               "CREATE TABLE IF NOT EXISTS acked(id INTEGER PRIMARY KEY, payload BLOB NOT NULL);",
                           NULL, NULL, NULL), "create");
    check(db, sqlite3_exec(db, "PRAGMA synchronous=OFF;", NULL, NULL, NULL), "synchronous=OFF");
    sqlite3_stmt *insert;
    check(db, sqlite3_prepare_v2(db, "INSERT INTO acked(id, payload) VALUES (?, ?)", -1, &insert, NULL), "prepare");
    char payload[200];
    memset(payload, 'p', sizeof payload);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (long long id = 1;;) {
        check(db, sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), "begin");
        for (int i = 0; i < 100; i++, id++) {
            sqlite3_bind_int64(insert, 1, id);
            sqlite3_bind_blob(insert, 2, payload, sizeof payload, SQLITE_STATIC);
            check(db, sqlite3_step(insert), "insert");
            sqlite3_reset(insert);
        }
        check(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
        printf("%lld\n", id - 1);
    }
}
