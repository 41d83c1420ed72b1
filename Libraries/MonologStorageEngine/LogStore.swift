import MonologProcess
import MonologRecords
import MonologStorage
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// The write operations of the storage writer. Each runs inside the transaction the writer's group
/// commit has open, so that many requests share one commit and one fsync; none of them commits.
/// Extensions hold the producer, retention and group-offset operations.
public final class LogStore {
    public struct AppendResult: Hashable, Sendable {
        public var baseOffset: Int64
        public var lastOffset: Int64
        public var logStartOffset: Int64
        /// True when the batch was a retry of one already stored: nothing was written.
        public var duplicate: Bool
        /// The time stamped on the batches of a `LogAppendTime` topic; -1 for `CreateTime`.
        public var logAppendTimeMs: Int64

        public init(baseOffset: Int64, lastOffset: Int64, logStartOffset: Int64 = 0, duplicate: Bool = false, logAppendTimeMs: Int64 = -1) {
            self.baseOffset = baseOffset
            self.lastOffset = lastOffset
            self.logStartOffset = logStartOffset
            self.duplicate = duplicate
            self.logAppendTimeMs = logAppendTimeMs
        }
    }

    public struct CreateResult: Hashable, Sendable {
        public var topic: TopicInfo
        /// False when the topic existed and `ifNotExists` was set.
        public var created: Bool
    }

    let db: SQLiteConnection

    /// The writer is the only process that writes, so it may remember topics and partition offsets
    /// instead of reading them back for every append. Appends move `nextOffset` here and mark the
    /// partition dirty; `flushPartitionStates()` writes each dirty partition once, just before COMMIT.
    /// After a rollback `discardCaches()` forgets everything, since memory may be ahead of the file.
    struct PartitionKey: Hashable {
        var topicID: Int64
        var partition: Int32
    }

    private var topicCache: [String: TopicInfo] = [:]
    /// Each topic's append rules from its configs, until they change.
    private var appendPolicies: [Int64: AppendPolicy] = [:]
    private var partitionCache: [PartitionKey: PartitionState] = [:]
    private var dirtyPartitions: Set<PartitionKey> = []

    /// When true (the group committer), appends leave `next_offset` to `flushPartitionStates()`; when
    /// false, each append writes it at once.
    public var defersHighWatermarkUpdates = false

    public init(connection: SQLiteConnection) {
        self.db = connection
    }

    /// Writes the high watermarks that appends moved since the last flush. Call inside the transaction,
    /// before COMMIT; every operation other than append flushes first, as it may read the table.
    public func flushPartitionStates() throws(StorageError) {
        guard !self.dirtyPartitions.isEmpty else { return }
        try storageOperation {
            let update = try self.db.statement("UPDATE partitions SET next_offset = ?3 WHERE topic_id = ?1 AND partition = ?2")
            for key in self.dirtyPartitions {
                guard let state = self.partitionCache[key] else { continue }
                try update.bind(1, key.topicID).bind(2, key.partition).bind(3, state.nextOffset).run()
            }
            self.dirtyPartitions.removeAll()
        }
    }

    /// Moves a partition's next offset after an append; written now, or at the group's COMMIT.
    func advance(_ key: PartitionKey, to next: Int64) throws {
        self.partitionCache[key]?.nextOffset = next
        self.dirtyPartitions.insert(key)
        if !self.defersHighWatermarkUpdates { try self.flushPartitionStates() }
    }

    /// Forgets cached topics and offsets (after a rollback, memory may be ahead of the file).
    public func discardCaches() {
        self.topicCache.removeAll()
        self.partitionCache.removeAll()
        self.dirtyPartitions.removeAll()
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
        for (key, value) in configs {
            if let problem = TopicConfigs.problem(name: key, value: value) { throw StorageError(.invalidConfig, problem) }
        }
        if let conflict = TopicConfigs.conflict(in: configs) { throw StorageError(.invalidConfig, conflict) }
        try self.flushPartitionStates()
        return try storageOperation {
            if let existing = try self.topic(named: name) {
                guard ifNotExists else { throw StorageError(.topicAlreadyExists, "topic '\(name)' already exists") }
                return CreateResult(topic: existing, created: false)
            }
            try self.db.statement("INSERT INTO topics (name, partition_count, created_at_ms) VALUES (?1, ?2, ?3)")
                .bind(1, name).bind(2, partitionCount).bind(3, nowMs).run()
            let topic = try self.requireTopic(name)
            let insertPartition = try self.db.statement("INSERT INTO partitions (topic_id, partition) VALUES (?1, ?2)")
            for partition in 0..<partitionCount {
                try insertPartition.bind(1, topic.topicID).bind(2, partition).run()
            }
            try self.setConfigs(topicID: topic.topicID, configs)
            return CreateResult(topic: topic, created: true)
        }
    }

    /// Grows a topic to `totalCount` partitions. Existing partitions and their data are untouched; keys
    /// hash to different partitions from now on, as in Kafka.
    public func createPartitions(topic name: String, totalCount: Int32) throws(StorageError) {
        try self.flushPartitionStates()
        try storageOperation {
            let topic = try self.requireTopic(name)
            guard totalCount > topic.partitionCount else {
                throw StorageError(
                    .invalidPartitions,
                    "topic '\(name)' has \(topic.partitionCount) partitions; the new count must be higher, got \(totalCount)"
                )
            }
            guard totalCount <= 10_000 else {
                throw StorageError(.invalidPartitions, "partition count must be at most 10000, got \(totalCount)")
            }
            let insertPartition = try self.db.statement("INSERT INTO partitions (topic_id, partition) VALUES (?1, ?2)")
            for partition in topic.partitionCount..<totalCount {
                try insertPartition.bind(1, topic.topicID).bind(2, partition).run()
            }
            try self.db.statement("UPDATE topics SET partition_count = ?1 WHERE topic_id = ?2")
                .bind(1, totalCount).bind(2, topic.topicID).run()
            self.forget(topic)
        }
    }

    public func deleteTopic(name: String) throws(StorageError) {
        try self.flushPartitionStates()
        try storageOperation {
            let topic = try self.requireTopic(name)
            self.forget(topic)
            for table in ["batches", "partitions", "topic_configs", "producer_batches", "open_transactions", "aborted_transactions", "topics"] {
                try self.db.statement("DELETE FROM \(table) WHERE topic_id = ?1").bind(1, topic.topicID).run()
            }
            for table in ["group_offsets", "pending_group_offsets", "transaction_partitions"] {
                try self.db.statement("DELETE FROM \(table) WHERE topic = ?1").bind(1, name).run()
            }
        }
    }

    /// Sets and removes configs after checking every one; nothing changes if any is refused.
    public func alterTopicConfigs(name: String, set: [String: String], delete: [String]) throws(StorageError) {
        for (key, value) in set {
            if let problem = TopicConfigs.problem(name: key, value: value) { throw StorageError(.invalidConfig, problem) }
        }
        for key in delete where TopicConfigs.byName[key] == nil {
            throw StorageError(.invalidConfig, "unknown topic config '\(key)'")
        }
        try self.flushPartitionStates()
        try storageOperation {
            let topic = try self.requireTopic(name)
            var resulting = try self.configs(topicID: topic.topicID)
            for key in delete { resulting[key] = nil }
            resulting.merge(set) { _, new in new }
            if let conflict = TopicConfigs.conflict(in: resulting) { throw StorageError(.invalidConfig, conflict) }
            let remove = try self.db.statement("DELETE FROM topic_configs WHERE topic_id = ?1 AND key = ?2")
            for key in delete { try remove.bind(1, topic.topicID).bind(2, key).run() }
            try self.setConfigs(topicID: topic.topicID, set)
            self.appendPolicies[topic.topicID] = nil
        }
    }

    /// Appends validated batches to a partition, giving each record the next offsets. The batches' base
    /// offsets are rewritten in place; their CRCs stay valid because the CRC does not cover them. In a
    /// `LogAppendTime` topic the batches also get `nowMs` as their timestamp (and a new CRC). A batch
    /// over the topic's `max.message.bytes` fails the whole append.
    /// Batches from an idempotent producer are checked first: a retry of a stored batch returns its
    /// original offsets and writes nothing; a gap in sequence numbers or a stale epoch is refused.
    public func append(
        topic name: String,
        partition: Int32,
        batches: [RecordBatch],
        nowMs: Int64 = wallClockMs()
    ) throws(StorageError) -> AppendResult {
        guard !batches.isEmpty else { throw StorageError(.invalidRequest, "append without record batches") }
        return try storageOperation {
            let topic = try self.requireTopic(name)
            let state = try self.partitionState(topic: topic, partition: partition)
            let policy = try self.appendPolicy(topicID: topic.topicID)
            if let large = batches.first(where: { $0.bytes.readableBytes > policy.maxMessageBytes }) {
                throw StorageError(
                    .messageTooLarge,
                    "a record batch of \(large.bytes.readableBytes) bytes is over topic '\(name)''s max.message.bytes of \(policy.maxMessageBytes)"
                )
            }
            if policy.compact {
                for batch in batches { try Self.requireKeys(batch, topic: name, partition: partition) }
            }
            var next = state.nextOffset
            var first: Int64?
            let insert = try self.db.statement(
                """
                INSERT INTO batches (topic_id, partition, base_offset, last_offset, max_timestamp, record_count, data)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """
            )
            for var batch in batches {
                guard !batch.header.attributes.isControl else {
                    throw StorageError(.invalidRequest, "control batches are written by the transaction coordinator, not by producers")
                }
                if batch.header.producerID >= 0 {
                    if case .duplicate(let base, let last) = try self.checkProducer(batch.header, topicID: topic.topicID, partition: partition) {
                        // Only a whole-request retry is a duplicate; producers send one batch per partition.
                        guard batches.count == 1 else {
                            throw StorageError(.invalidRequest, "a duplicate batch arrived together with other batches")
                        }
                        return AppendResult(baseOffset: base, lastOffset: last, logStartOffset: state.logStartOffset, duplicate: true)
                    }
                }
                if batch.header.attributes.isTransactional {
                    try self.checkTransactionalBatch(batch.header, topic: topic, partition: partition)
                }
                batch.assignBaseOffset(next)
                if policy.logAppendTime { batch.stampLogAppendTime(nowMs) }
                let header = batch.header
                insert.bind(1, topic.topicID).bind(2, partition).bind(3, header.baseOffset).bind(4, header.lastOffset)
                    .bind(5, header.maxTimestamp).bind(6, header.recordCount).bind(7, batch.bytes)
                try insert.run()
                if header.producerID >= 0 {
                    try self.recordProducerBatch(header, topicID: topic.topicID, partition: partition)
                }
                if header.attributes.isTransactional {
                    try self.recordTransactionalBatch(header, topicID: topic.topicID, partition: partition)
                }
                first = first ?? header.baseOffset
                next = header.lastOffset + 1
            }
            try self.advance(PartitionKey(topicID: topic.topicID, partition: partition), to: next)
            return AppendResult(
                baseOffset: first ?? state.nextOffset,
                lastOffset: next - 1,
                logStartOffset: state.logStartOffset,
                logAppendTimeMs: policy.logAppendTime ? nowMs : -1
            )
        }
    }

    /// Moves a partition's log start forward to `offset` (-1: the high watermark) and deletes the batches
    /// that lie wholly below it. Returns the new log start.
    public func deleteRecords(topic name: String, partition: Int32, before offset: Int64) throws(StorageError) -> Int64 {
        try self.flushPartitionStates()
        return try storageOperation {
            let topic = try self.requireTopic(name)
            let state = try self.partitionState(topic: topic, partition: partition)
            let target = offset == -1 ? state.nextOffset : offset
            guard target >= 0, target <= state.nextOffset else {
                throw StorageError(.offsetOutOfRange, "offset \(offset) is beyond the high watermark \(state.nextOffset)")
            }
            guard target > state.logStartOffset else { return state.logStartOffset }
            try self.truncate(topicID: topic.topicID, partition: partition, logStart: target)
            return target
        }
    }

    // MARK: Helpers shared by the extensions

    struct PartitionState {
        var logStartOffset: Int64
        var nextOffset: Int64
    }

    func requireTopic(_ name: String) throws -> TopicInfo {
        if let cached = self.topicCache[name] { return cached }
        guard let topic = try self.topic(named: name) else {
            throw StorageError(.unknownTopic, "topic '\(name)' does not exist")
        }
        self.topicCache[name] = topic
        return topic
    }

    private func forget(_ topic: TopicInfo) {
        self.topicCache[topic.name] = nil
        self.appendPolicies[topic.topicID] = nil
        for partition in 0..<topic.partitionCount {
            let key = PartitionKey(topicID: topic.topicID, partition: partition)
            self.partitionCache[key] = nil
            self.dirtyPartitions.remove(key)
        }
    }

    /// What `append` enforces for a topic: its `max.message.bytes`, `message.timestamp.type`, and
    /// whether `cleanup.policy` compacts it (then every record needs a key).
    struct AppendPolicy {
        var maxMessageBytes: Int
        var logAppendTime: Bool
        var compact: Bool
    }

    /// Refuses a batch holding records without a key, as a compacted topic must (Kafka's LogValidator):
    /// compaction keeps the latest record per key, so a keyless record could never be compacted. Every
    /// such record is named by its index in the batch; nothing of the batch is stored.
    static func requireKeys(_ batch: RecordBatch, topic: String, partition: Int32) throws(StorageError) {
        let records: [Record]
        do {
            records = try batch.records()
        } catch {
            throw StorageError(.corruptBatch, error.detail)
        }
        let errors = records.indices.filter { records[$0].key == nil }.map { index in
            RecordError(batchIndex: Int32(index), message: "compacted topic partition \(topic)-\(partition) needs a key on every record")
        }
        guard !errors.isEmpty else { return }
        let shown = errors.prefix(3).map { "record \($0.batchIndex): \($0.message)" }.joined(separator: "; ")
        throw StorageError(
            .invalidRecord,
            "\(errors.count) of the batch's \(records.count) records refused, so the batch was not stored (first three at most: \(shown))",
            recordErrors: errors
        )
    }

    func appendPolicy(topicID: Int64) throws -> AppendPolicy {
        if let cached = self.appendPolicies[topicID] { return cached }
        let configs = try self.configs(topicID: topicID)
        let policy = AppendPolicy(
            maxMessageBytes: configs["max.message.bytes"].flatMap { Int($0) } ?? TopicConfigs.defaultMaxMessageBytes,
            logAppendTime: configs["message.timestamp.type"] == "LogAppendTime",
            compact: TopicPolicy(configs: configs, defaultRetentionMs: -1, defaultRetentionBytes: -1).compact
        )
        self.appendPolicies[topicID] = policy
        return policy
    }

    func partitionState(topic: TopicInfo, partition: Int32) throws -> PartitionState {
        guard partition >= 0, partition < topic.partitionCount else {
            throw StorageError(
                .invalidPartition,
                "partition \(partition) does not exist; topic '\(topic.name)' has \(topic.partitionCount)"
            )
        }
        let key = PartitionKey(topicID: topic.topicID, partition: partition)
        if let cached = self.partitionCache[key] { return cached }
        let select = try self.db.statement(
            "SELECT log_start_offset, next_offset FROM partitions WHERE topic_id = ?1 AND partition = ?2"
        )
        defer { select.reset() }
        select.bind(1, topic.topicID).bind(2, partition)
        guard try select.step() else {
            throw StorageError(.storageFailure, "partition row missing for '\(topic.name)'-\(partition)")
        }
        let state = PartitionState(logStartOffset: select.int64(at: 0), nextOffset: select.int64(at: 1))
        self.partitionCache[key] = state
        return state
    }

    /// Deletes the batches that end below `logStart` and records the new log start.
    /// Moves the log start (retention, DeleteRecords): the batches below go, and so do the aborted
    /// transactions that ended below it (their records and marker are gone, so no reader needs them).
    func truncate(topicID: Int64, partition: Int32, logStart: Int64) throws {
        try self.db.statement("DELETE FROM batches WHERE topic_id = ?1 AND partition = ?2 AND last_offset < ?3")
            .bind(1, topicID).bind(2, partition).bind(3, logStart).run()
        try self.db.statement("DELETE FROM aborted_transactions WHERE topic_id = ?1 AND partition = ?2 AND last_offset < ?3")
            .bind(1, topicID).bind(2, partition).bind(3, logStart).run()
        try self.db.statement(
            "UPDATE partitions SET log_start_offset = max(log_start_offset, ?3) WHERE topic_id = ?1 AND partition = ?2"
        ).bind(1, topicID).bind(2, partition).bind(3, logStart).run()
        let key = PartitionKey(topicID: topicID, partition: partition)
        if let state = self.partitionCache[key] { self.partitionCache[key]?.logStartOffset = max(state.logStartOffset, logStart) }
    }

    func topic(named name: String) throws(SQLiteError) -> TopicInfo? {
        try self.db.topic(named: name)
    }

    private func setConfigs(topicID: Int64, _ configs: [String: String]) throws {
        let upsert = try self.db.statement(
            "INSERT INTO topic_configs (topic_id, key, value) VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET value = excluded.value"
        )
        for (key, value) in configs.sorted(by: { $0.key < $1.key }) {
            try upsert.bind(1, topicID).bind(2, key).bind(3, value).run()
        }
    }
}

/// Runs a storage operation, turning SQLite failures into `.storageFailure` and passing StorageErrors through.
func storageOperation<T>(_ body: () throws -> T) throws(StorageError) -> T {
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
