import MonologRecords
import NIOCore

/// The write operations of the storage writer. Each runs inside the transaction the writer's group
/// commit has open, so that many requests share one commit and one fsync; none of them commits.
public final class LogStore {
    public struct AppendResult: Hashable, Sendable {
        public var baseOffset: Int64
        public var lastOffset: Int64

        public init(baseOffset: Int64, lastOffset: Int64) {
            self.baseOffset = baseOffset
            self.lastOffset = lastOffset
        }
    }

    public struct CreateResult: Hashable, Sendable {
        public var topic: TopicInfo
        /// False when the topic existed and `ifNotExists` was set.
        public var created: Bool
    }

    private let db: SQLiteConnection

    public init(connection: SQLiteConnection) {
        self.db = connection
    }

    public func createTopic(
        name: String,
        partitionCount: Int32,
        configs: [String: String],
        ifNotExists: Bool,
        nowMs: Int64
    ) throws(StorageError) -> CreateResult {
        if let problem = TopicName.problem(with: name) { throw StorageError(.invalidTopicName, problem) }
        guard partitionCount > 0, partitionCount <= 10_000 else {
            throw StorageError(.invalidRequest, "partition count must be between 1 and 10000, got \(partitionCount)")
        }
        return try storageOperation {
            if let existing = try self.topic(named: name) {
                guard ifNotExists else { throw StorageError(.topicAlreadyExists, "topic '\(name)' already exists") }
                return CreateResult(topic: existing, created: false)
            }
            try self.db.statement("INSERT INTO topics (name, partition_count, created_at_ms) VALUES (?1, ?2, ?3)")
                .bind(1, name).bind(2, partitionCount).bind(3, nowMs).run()
            guard let topic = try self.topic(named: name) else {
                throw StorageError(.storageFailure, "topic '\(name)' vanished after insert")
            }
            let insertPartition = try self.db.statement("INSERT INTO partitions (topic_id, partition) VALUES (?1, ?2)")
            for partition in 0..<partitionCount {
                try insertPartition.bind(1, topic.topicID).bind(2, partition).run()
            }
            for (key, value) in configs.sorted(by: { $0.key < $1.key }) {
                try self.db.statement("INSERT INTO topic_configs (topic_id, key, value) VALUES (?1, ?2, ?3)")
                    .bind(1, topic.topicID).bind(2, key).bind(3, value).run()
            }
            return CreateResult(topic: topic, created: true)
        }
    }

    public func deleteTopic(name: String) throws(StorageError) {
        return try storageOperation {
            guard let topic = try self.topic(named: name) else {
                throw StorageError(.unknownTopic, "topic '\(name)' does not exist")
            }
            for table in ["batches", "partitions", "topic_configs", "topics"] {
                try self.db.statement("DELETE FROM \(table) WHERE topic_id = ?1").bind(1, topic.topicID).run()
            }
        }
    }

    /// Appends validated batches to a partition, giving each record the next offsets. The batches'
    /// base offsets are rewritten in place; their CRCs stay valid because the CRC does not cover them.
    public func append(topic name: String, partition: Int32, batches: [RecordBatch]) throws(StorageError) -> AppendResult {
        guard !batches.isEmpty else { throw StorageError(.invalidRequest, "append without record batches") }
        return try storageOperation {
            guard let topic = try self.topic(named: name) else {
                throw StorageError(.unknownTopic, "topic '\(name)' does not exist")
            }
            guard partition >= 0, partition < topic.partitionCount else {
                throw StorageError(
                    .invalidPartition,
                    "partition \(partition) does not exist; topic '\(name)' has \(topic.partitionCount)"
                )
            }
            let select = try self.db.statement(
                "SELECT next_offset FROM partitions WHERE topic_id = ?1 AND partition = ?2"
            )
            defer { select.reset() }
            select.bind(1, topic.topicID).bind(2, partition)
            guard try select.step() else {
                throw StorageError(.storageFailure, "partition row missing for '\(name)'-\(partition)")
            }
            let firstOffset = select.int64(at: 0)
            var next = firstOffset
            let insert = try self.db.statement(
                """
                INSERT INTO batches (topic_id, partition, base_offset, last_offset, max_timestamp, record_count, data)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """
            )
            for var batch in batches {
                batch.assignBaseOffset(next)
                let header = batch.header
                insert.bind(1, topic.topicID).bind(2, partition).bind(3, header.baseOffset).bind(4, header.lastOffset)
                    .bind(5, header.maxTimestamp).bind(6, header.recordCount).bind(7, batch.bytes)
                try insert.run()
                next = header.lastOffset + 1
            }
            try self.db.statement("UPDATE partitions SET next_offset = ?3 WHERE topic_id = ?1 AND partition = ?2")
                .bind(1, topic.topicID).bind(2, partition).bind(3, next).run()
            return AppendResult(baseOffset: firstOffset, lastOffset: next - 1)
        }
    }

    /// Time-based retention, as Kafka applies it to segments: in each partition, deletes batches from the
    /// start of the log while their max timestamp is older than `timestampMs`, stopping at the first one
    /// that is not, so the log stays contiguous. Moves each partition's log start offset. Returns the
    /// number of batches deleted.
    public func deleteBatches(olderThan timestampMs: Int64) throws(StorageError) -> Int {
        return try storageOperation {
            var deleted = 0
            let partitions = try self.db.statement(
                "SELECT topic_id, partition, log_start_offset, next_offset FROM partitions"
            )
            var targets: [(topicID: Int64, partition: Int32, next: Int64)] = []
            while try partitions.step() {
                targets.append((partitions.int64(at: 0), partitions.int32(at: 1), partitions.int64(at: 3)))
            }
            for target in targets {
                // First batch (in offset order) that is new enough to keep; everything before it goes.
                let keep = try self.db.statement(
                    """
                    SELECT base_offset FROM batches
                    WHERE topic_id = ?1 AND partition = ?2 AND max_timestamp >= ?3
                    ORDER BY last_offset LIMIT 1
                    """
                )
                defer { keep.reset() }
                keep.bind(1, target.topicID).bind(2, target.partition).bind(3, timestampMs)
                let newStart = try keep.step() ? keep.int64(at: 0) : target.next
                try self.db.statement(
                    "DELETE FROM batches WHERE topic_id = ?1 AND partition = ?2 AND last_offset < ?3"
                ).bind(1, target.topicID).bind(2, target.partition).bind(3, newStart).run()
                deleted += self.db.changes
                try self.db.statement(
                    """
                    UPDATE partitions SET log_start_offset = max(log_start_offset, ?3)
                    WHERE topic_id = ?1 AND partition = ?2
                    """
                ).bind(1, target.topicID).bind(2, target.partition).bind(3, newStart).run()
            }
            return deleted
        }
    }

    private func topic(named name: String) throws(SQLiteError) -> TopicInfo? {
        let statement = try self.db.statement(
            "SELECT topic_id, name, partition_count, created_at_ms FROM topics WHERE name = ?1"
        )
        defer { statement.reset() }
        statement.bind(1, name)
        guard try statement.step() else { return nil }
        return TopicInfo(
            topicID: statement.int64(at: 0),
            name: statement.string(at: 1) ?? name,
            partitionCount: statement.int32(at: 2),
            createdAtMs: statement.int64(at: 3)
        )
    }
}

/// Runs a storage operation, turning SQLite failures into `.storageFailure` and passing StorageErrors through.
private func storageOperation<T>(_ body: () throws -> T) throws(StorageError) -> T {
    do {
        return try body()
    } catch let error as StorageError {
        throw error
    } catch let error as SQLiteError {
        throw .wrapping(error)
    } catch {
        throw StorageError(.storageFailure, "\(error)")
    }
}
