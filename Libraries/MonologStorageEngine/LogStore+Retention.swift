import MonologRecords
import MonologStorage
import NIOCore

/// Retention: deleting old batches by time and size, and compacting topics with `cleanup.policy=compact`.
extension LogStore {
    public struct RetentionResult: Sendable {
        public var batchesDeleted: Int64 = 0
        public var batchesRewritten: Int64 = 0
        /// Partitions whose log start moved.
        public var movedLogStarts: [(topic: String, partition: Int32, logStartOffset: Int64, highWatermark: Int64)] = []
    }

    /// One retention pass over every partition, with each topic's own settings and the given defaults.
    public func applyRetention(nowMs: Int64, defaultRetentionMs: Int64, defaultRetentionBytes: Int64) throws(StorageError) -> RetentionResult {
        try self.flushPartitionStates()
        return try storageOperation {
            var result = RetentionResult()
            let topics = try self.allTopics()
            for topic in topics {
                let policy = TopicPolicy(
                    configs: try self.configs(topicID: topic.topicID),
                    defaultRetentionMs: defaultRetentionMs,
                    defaultRetentionBytes: defaultRetentionBytes
                )
                for partition in 0..<topic.partitionCount {
                    let before = try self.partitionState(topic: topic, partition: partition)
                    if policy.delete {
                        result.batchesDeleted += try self.deleteByTime(topic: topic, partition: partition, policy: policy, nowMs: nowMs)
                        result.batchesDeleted += try self.deleteBySize(topic: topic, partition: partition, policy: policy)
                    }
                    if policy.compact {
                        let compaction = try self.compact(topic: topic, partition: partition, policy: policy, nowMs: nowMs)
                        result.batchesDeleted += compaction.deleted
                        result.batchesRewritten += compaction.rewritten
                    }
                    let after = try self.partitionState(topic: topic, partition: partition)
                    if after.logStartOffset != before.logStartOffset {
                        result.movedLogStarts.append((topic.name, partition, after.logStartOffset, after.nextOffset))
                    }
                }
            }
            return result
        }
    }

    /// Deletes batches from the start of the log while their newest record is older than retention.ms,
    /// stopping at the first that is not, so the log stays one contiguous range (Kafka does the same
    /// with segments).
    func deleteByTime(topic: TopicInfo, partition: Int32, policy: TopicPolicy, nowMs: Int64) throws -> Int64 {
        guard policy.retentionMs >= 0 else { return 0 }
        let cutoff = nowMs - policy.retentionMs
        let state = try self.partitionState(topic: topic, partition: partition)
        let keep = try self.db.statement(
            """
            SELECT base_offset FROM batches WHERE topic_id = ?1 AND partition = ?2 AND max_timestamp >= ?3
            ORDER BY last_offset LIMIT 1
            """
        )
        defer { keep.reset() }
        keep.bind(1, topic.topicID).bind(2, partition).bind(3, cutoff)
        let newStart = try keep.step() ? keep.int64(at: 0) : state.nextOffset
        keep.reset()
        guard newStart > state.logStartOffset else { return 0 }
        let deleted = try self.countBatches(topic: topic, partition: partition, below: newStart)
        try self.truncate(topicID: topic.topicID, partition: partition, logStart: newStart)
        return deleted
    }

    /// Deletes the oldest batches while the partition is larger than retention.bytes.
    func deleteBySize(topic: TopicInfo, partition: Int32, policy: TopicPolicy) throws -> Int64 {
        guard policy.retentionBytes >= 0 else { return 0 }
        let sizes = try self.db.statement(
            """
            SELECT last_offset, length(data) FROM batches WHERE topic_id = ?1 AND partition = ?2
            ORDER BY last_offset DESC
            """
        )
        defer { sizes.reset() }
        sizes.bind(1, topic.topicID).bind(2, partition)
        var total: Int64 = 0
        var newStart: Int64?
        while try sizes.step() {
            total += sizes.int64(at: 1)
            if total > policy.retentionBytes {
                newStart = sizes.int64(at: 0) + 1  // this batch and every older one go
                break
            }
        }
        sizes.reset()
        guard let newStart else { return 0 }
        let state = try self.partitionState(topic: topic, partition: partition)
        guard newStart > state.logStartOffset else { return 0 }
        let deleted = try self.countBatches(topic: topic, partition: partition, below: newStart)
        try self.truncate(topicID: topic.topicID, partition: partition, logStart: newStart)
        return deleted
    }

    private func countBatches(topic: TopicInfo, partition: Int32, below offset: Int64) throws -> Int64 {
        let count = try self.db.statement("SELECT count(*) FROM batches WHERE topic_id = ?1 AND partition = ?2 AND last_offset < ?3")
        defer { count.reset() }
        count.bind(1, topic.topicID).bind(2, partition).bind(3, offset)
        return try count.step() ? count.int64(at: 0) : 0
    }

    func allTopics() throws -> [TopicInfo] {
        try self.db.allTopics()
    }

    func configs(topicID: Int64) throws -> [String: String] {
        try self.db.topicConfigs(topicID: topicID)
    }
}
