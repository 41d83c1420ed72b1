/// The database schema as a list of migrations. The storage writer applies the missing ones at start,
/// in one transaction each, and records the version in `PRAGMA user_version`.
///
/// A partition's log is rows of whole Kafka RecordBatch v2 blobs, not a row per message: a fetch is one
/// range scan over `(topic_id, partition, last_offset)` that returns whole batches, and the index on
/// `last_offset` makes a fetch at an offset inside a batch find that batch first.
public enum StorageSchema {
    public struct Migration: Sendable {
        public var version: Int
        public var summary: String
        public var apply: @Sendable (SQLiteConnection) throws -> Void
    }

    public static let migrations: [Migration] = [
        Migration(version: 1, summary: "topics, partitions, record batches, cluster metadata") { db in
            try db.execute(
                """
                CREATE TABLE cluster_metadata (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                ) WITHOUT ROWID;
                -- AUTOINCREMENT: a deleted topic's id is never reused, so a reader holding an old id
                -- cannot read a newer topic of the same name by mistake.
                CREATE TABLE topics (
                    topic_id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE,
                    partition_count INTEGER NOT NULL CHECK (partition_count > 0),
                    created_at_ms INTEGER NOT NULL
                );
                CREATE TABLE topic_configs (
                    topic_id INTEGER NOT NULL REFERENCES topics (topic_id),
                    key TEXT NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (topic_id, key)
                ) WITHOUT ROWID;
                -- next_offset is the high watermark: every offset below it is committed.
                CREATE TABLE partitions (
                    topic_id INTEGER NOT NULL REFERENCES topics (topic_id),
                    partition INTEGER NOT NULL,
                    log_start_offset INTEGER NOT NULL DEFAULT 0,
                    next_offset INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (topic_id, partition)
                ) WITHOUT ROWID;
                -- One row per stored RecordBatch v2 (its bytes, with the broker-assigned base offset).
                CREATE TABLE batches (
                    topic_id INTEGER NOT NULL,
                    partition INTEGER NOT NULL,
                    base_offset INTEGER NOT NULL,
                    last_offset INTEGER NOT NULL,
                    max_timestamp INTEGER NOT NULL,
                    record_count INTEGER NOT NULL,
                    data BLOB NOT NULL
                );
                CREATE UNIQUE INDEX batches_by_last_offset ON batches (topic_id, partition, last_offset);
                """
            )
            let insert = try db.statement("INSERT INTO cluster_metadata (key, value) VALUES ('cluster_id', ?1)")
            try insert.bind(1, ClusterID.generate()).run()
        },
        Migration(version: 2, summary: "idempotent producers, group offsets, compaction state") { db in
            try db.execute(
                """
                -- Producer ids are never reused (AUTOINCREMENT), so an old producer cannot be mistaken for a new one.
                CREATE TABLE producers (
                    producer_id INTEGER PRIMARY KEY AUTOINCREMENT,
                    producer_epoch INTEGER NOT NULL,
                    transactional_id TEXT UNIQUE,
                    updated_at_ms INTEGER NOT NULL
                );
                -- The last five batches of each producer in each partition, written in the same transaction as
                -- the batches themselves: a retried batch is recognised and answered with its first offsets.
                CREATE TABLE producer_batches (
                    producer_id INTEGER NOT NULL,
                    topic_id INTEGER NOT NULL,
                    partition INTEGER NOT NULL,
                    producer_epoch INTEGER NOT NULL,
                    base_sequence INTEGER NOT NULL,
                    last_sequence INTEGER NOT NULL,
                    base_offset INTEGER NOT NULL,
                    last_offset INTEGER NOT NULL,
                    PRIMARY KEY (producer_id, topic_id, partition, base_offset)
                ) WITHOUT ROWID;
                CREATE INDEX producer_batches_by_partition ON producer_batches (topic_id, partition);
                CREATE TABLE group_offsets (
                    group_id TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    partition INTEGER NOT NULL,
                    committed_offset INTEGER NOT NULL,
                    leader_epoch INTEGER NOT NULL DEFAULT -1,
                    metadata TEXT,
                    commit_time_ms INTEGER NOT NULL,
                    PRIMARY KEY (group_id, topic, partition)
                ) WITHOUT ROWID;
                CREATE INDEX group_offsets_by_topic ON group_offsets (topic);
                -- Compaction skips a partition that has not changed since its last pass, unless tombstones
                -- are waiting for delete.retention.ms to pass.
                ALTER TABLE partitions ADD COLUMN compacted_high_watermark INTEGER NOT NULL DEFAULT -1;
                ALTER TABLE partitions ADD COLUMN retained_tombstones INTEGER NOT NULL DEFAULT 0;
                """
            )
        },
        Migration(version: 3, summary: "users: SCRAM credentials and HTTP API tokens") { db in
            try db.execute(
                """
                -- What verifies a user's SCRAM proof (RFC 5802); never the password itself.
                CREATE TABLE scram_credentials (
                    user_name TEXT NOT NULL,
                    mechanism TEXT NOT NULL,
                    salt BLOB NOT NULL,
                    iterations INTEGER NOT NULL,
                    stored_key BLOB NOT NULL,
                    server_key BLOB NOT NULL,
                    PRIMARY KEY (user_name, mechanism)
                ) WITHOUT ROWID;
                -- The SHA-256 of each user's HTTP bearer token; the token itself is shown once, when made.
                CREATE TABLE user_tokens (
                    user_name TEXT PRIMARY KEY,
                    token_sha256 BLOB NOT NULL UNIQUE
                ) WITHOUT ROWID;
                """
            )
        },
        Migration(version: 4, summary: "transactions: coordinator state, open and aborted transactions per partition") { db in
            try db.execute(
                """
                -- The transaction coordinator's state, one row per transactional id; the producer id's current
                -- epoch stays in producers.
                CREATE TABLE transactions (
                    transactional_id TEXT PRIMARY KEY,
                    producer_id INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    timeout_ms INTEGER NOT NULL,
                    started_ms INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                -- The partitions and groups the open transaction spans.
                CREATE TABLE transaction_partitions (
                    transactional_id TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    partition INTEGER NOT NULL,
                    PRIMARY KEY (transactional_id, topic, partition)
                ) WITHOUT ROWID;
                CREATE TABLE transaction_groups (
                    transactional_id TEXT NOT NULL,
                    group_id TEXT NOT NULL,
                    PRIMARY KEY (transactional_id, group_id)
                ) WITHOUT ROWID;
                -- Offsets committed inside a transaction (TxnOffsetCommit): moved to group_offsets when it
                -- commits, dropped when it aborts.
                CREATE TABLE pending_group_offsets (
                    transactional_id TEXT NOT NULL,
                    group_id TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    partition INTEGER NOT NULL,
                    committed_offset INTEGER NOT NULL,
                    leader_epoch INTEGER NOT NULL,
                    metadata TEXT,
                    PRIMARY KEY (transactional_id, group_id, topic, partition)
                ) WITHOUT ROWID;
                CREATE INDEX pending_group_offsets_by_group ON pending_group_offsets (group_id);
                -- Per partition, the first offset of each producer's open transaction: the last stable
                -- offset is the smallest of them (or the high watermark).
                CREATE TABLE open_transactions (
                    topic_id INTEGER NOT NULL,
                    partition INTEGER NOT NULL,
                    producer_id INTEGER NOT NULL,
                    first_offset INTEGER NOT NULL,
                    PRIMARY KEY (topic_id, partition, producer_id)
                ) WITHOUT ROWID;
                -- Aborted transactions per partition, from their first offset to their marker, for
                -- read_committed fetches.
                CREATE TABLE aborted_transactions (
                    topic_id INTEGER NOT NULL,
                    partition INTEGER NOT NULL,
                    producer_id INTEGER NOT NULL,
                    first_offset INTEGER NOT NULL,
                    last_offset INTEGER NOT NULL,
                    PRIMARY KEY (topic_id, partition, first_offset, producer_id)
                ) WITHOUT ROWID;
                """
            )
        },
        Migration(version: 5, summary: "a server secret for made-up SCRAM answers to unknown users") { db in
            // Random, made once, never shown: unknown users get a salt derived from it and their name,
            // the same at every restart, so that SCRAM's first answer does not tell which users exist.
            let insert = try db.statement("INSERT OR IGNORE INTO cluster_metadata (key, value) VALUES ('scram_decoy_secret', ?1)")
            try insert.bind(1, ServerSecret.generate()).run()
        },
        Migration(version: 6, summary: "consumer groups' state, for the Kafka gateway's coordinator to start from") { db in
            try db.execute(
                """
                CREATE TABLE group_states (
                    group_id TEXT PRIMARY KEY,
                    generation INTEGER NOT NULL,
                    state BLOB NOT NULL
                ) WITHOUT ROWID;
                """
            )
        },
    ]

    public static var latestVersion: Int { migrations.last?.version ?? 0 }
}

/// 32 random bytes, hexadecimal.
enum ServerSecret {
    static func generate() -> String {
        let digits = Array("0123456789abcdef")
        var generator = SystemRandomNumberGenerator()
        return String(
            (0..<32).flatMap { _ in
                let byte = UInt8.random(in: .min ... .max, using: &generator)
                return [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
            })
    }
}

/// Kafka cluster ids are 16 random bytes in URL-safe base64 without padding (22 characters).
enum ClusterID {
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var bits = 0
        var value = 0
        var out = ""
        for byte in bytes {
            value = (value << 8) | Int(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                out.append(alphabet[(value >> bits) & 0x3f])
            }
        }
        if bits > 0 { out.append(alphabet[(value << (6 - bits)) & 0x3f]) }
        return out
    }
}
