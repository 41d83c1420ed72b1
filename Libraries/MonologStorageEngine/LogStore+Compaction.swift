import MonologRecords
import MonologStorage
import NIOCore

/// Log compaction (`cleanup.policy=compact`): keep the latest record of each key, drop tombstones once
/// `delete.retention.ms` has passed, and never change an offset.
extension LogStore {
    /// Compacts one partition if it changed since the last pass or still holds tombstones. The whole
    /// partition is read into memory: fine for the data sizes Monolog aims at; a segment-by-segment
    /// cleaner would be the next step for very large compacted topics.
    func compact(topic: TopicInfo, partition: Int32, policy: TopicPolicy, nowMs: Int64) throws -> (deleted: Int64, rewritten: Int64) {
        let status = try self.db.statement(
            """
            SELECT next_offset, compacted_high_watermark, retained_tombstones FROM partitions
            WHERE topic_id = ?1 AND partition = ?2
            """
        )
        status.bind(1, topic.topicID).bind(2, partition)
        guard try status.step() else {
            status.reset()
            return (0, 0)
        }
        let highWatermark = status.int64(at: 0)
        let unchanged = status.int64(at: 1) == highWatermark && status.int64(at: 2) == 0
        status.reset()
        guard !unchanged else { return (0, 0) }

        let stored = try self.storedBatches(topicID: topic.topicID, partition: partition)
        // Pass 1: the offset of each key's latest record.
        var latest: [ByteBuffer: Int64] = [:]
        var decoded: [(batch: RecordBatch, records: [Record])] = []
        for batch in stored {
            let records = try batch.records()
            for record in records { if let key = record.key { latest[key] = record.offset } }
            decoded.append((batch, records))
        }
        // Pass 2: rewrite each batch with the records worth keeping.
        let tombstoneCutoff = nowMs - policy.deleteRetentionMs
        var deleted: Int64 = 0
        var rewritten: Int64 = 0
        var tombstonesKept: Int64 = 0
        for (batch, records) in decoded {
            let kept = records.filter { record in
                guard let key = record.key else { return true }
                guard latest[key] == record.offset else { return false }
                if record.value == nil {
                    if record.timestamp < tombstoneCutoff { return false }
                    tombstonesKept += 1
                }
                return true
            }
            if kept.count == records.count { continue }
            if kept.isEmpty {
                try self.db.statement("DELETE FROM batches WHERE topic_id = ?1 AND partition = ?2 AND base_offset = ?3")
                    .bind(1, topic.topicID).bind(2, partition).bind(3, batch.header.baseOffset).run()
                deleted += 1
            } else {
                let bytes = RecordBatchBuilder.rebuild(batch, keeping: kept)
                try self.db.statement(
                    """
                    UPDATE batches SET data = ?4, record_count = ?5, max_timestamp = ?6
                    WHERE topic_id = ?1 AND partition = ?2 AND base_offset = ?3
                    """
                ).bind(1, topic.topicID).bind(2, partition).bind(3, batch.header.baseOffset).bind(4, bytes)
                    .bind(5, Int64(kept.count)).bind(6, kept.map(\.timestamp).max() ?? batch.header.maxTimestamp).run()
                rewritten += 1
            }
        }
        try self.db.statement(
            "UPDATE partitions SET compacted_high_watermark = ?3, retained_tombstones = ?4 WHERE topic_id = ?1 AND partition = ?2"
        ).bind(1, topic.topicID).bind(2, partition).bind(3, highWatermark).bind(4, tombstonesKept).run()
        return (deleted, rewritten)
    }

    private func storedBatches(topicID: Int64, partition: Int32) throws -> [RecordBatch] {
        let select = try self.db.statement("SELECT data FROM batches WHERE topic_id = ?1 AND partition = ?2 ORDER BY last_offset")
        defer { select.reset() }
        select.bind(1, topicID).bind(2, partition)
        var batches: [RecordBatch] = []
        while try select.step() {
            batches.append(try RecordBatch(validating: select.buffer(at: 0, allocator: ByteBufferAllocator())))
        }
        return batches
    }
}
