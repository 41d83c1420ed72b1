import MonologRecords
import MonologStorage
import NIOCore

/// Log compaction (`cleanup.policy=compact`): keep the latest record of each key, drop tombstones once
/// `delete.retention.ms` has passed, and never change an offset. With transactions, as Kafka's cleaner:
/// only the log below the last stable offset is compacted (an open transaction may still abort); the
/// records of aborted transactions are removed and never count as a key's latest value; and a
/// transaction's marker goes once its data is gone and `delete.retention.ms` has passed since it was
/// written, with the aborted transaction's index entry.
extension LogStore {
    /// Compacts one partition if it changed since the last pass or still holds tombstones or markers
    /// waiting to go. The compacted range is read into memory: fine for the data sizes Monolog aims at; a
    /// segment-by-segment cleaner would be the next step for very large compacted topics.
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
        let stable = try self.db.firstOpenTransactionOffset(topicID: topic.topicID, partition: partition).map { min($0, highWatermark) } ?? highWatermark
        let unchanged = status.int64(at: 1) == stable && status.int64(at: 2) == 0
        status.reset()
        guard !unchanged else { return (0, 0) }

        let stored = try self.storedBatches(topicID: topic.topicID, partition: partition).filter { $0.header.lastOffset < stable }
        let aborted = try self.db.abortedTransactions(topicID: topic.topicID, partition: partition, from: .min, upTo: .max)
        // Pass 1: which batches are an aborted transaction's, and the offset of each key's latest
        // committed record.
        var filter = AbortedRecordFilter(aborted: aborted.map { ($0.producerID, $0.firstOffset) })
        var latest: [ByteBuffer: Int64] = [:]
        var decoded: [(batch: RecordBatch, records: [Record], aborted: Bool)] = []
        for batch in stored {
            let isAborted = !filter.keeps(batch.header) && !batch.header.attributes.isControl
            let records = isAborted ? [] : try batch.records()
            for record in records { if let key = record.key { latest[key] = record.offset } }
            decoded.append((batch, records, isAborted))
        }
        // Pass 2: rewrite each batch with the records worth keeping.
        let cutoff = nowMs - policy.deleteRetentionMs
        var deleted: Int64 = 0
        var rewritten: Int64 = 0
        var waiting: Int64 = 0  // tombstones and markers kept until delete.retention.ms has passed
        var transactionData: Set<Int64> = []  // producers with data kept since their last marker
        for (batch, records, isAborted) in decoded {
            let header = batch.header
            if header.attributes.isControl {
                let dataGone = !transactionData.contains(header.producerID)
                transactionData.remove(header.producerID)
                if dataGone && header.maxTimestamp < cutoff {
                    try self.deleteBatch(topicID: topic.topicID, partition: partition, baseOffset: header.baseOffset)
                    try self.db.statement(
                        "DELETE FROM aborted_transactions WHERE topic_id = ?1 AND partition = ?2 AND producer_id = ?3 AND last_offset = ?4"
                    ).bind(1, topic.topicID).bind(2, partition).bind(3, header.producerID).bind(4, header.baseOffset).run()
                    deleted += 1
                } else if dataGone {
                    waiting += 1
                }
                continue
            }
            if isAborted {
                try self.deleteBatch(topicID: topic.topicID, partition: partition, baseOffset: header.baseOffset)
                deleted += 1
                continue
            }
            let kept = records.filter { record in
                guard let key = record.key else { return true }
                guard latest[key] == record.offset else { return false }
                if record.value == nil {
                    if record.timestamp < cutoff { return false }
                    waiting += 1
                }
                return true
            }
            if header.attributes.isTransactional && !kept.isEmpty { transactionData.insert(header.producerID) }
            if kept.count == records.count { continue }
            if kept.isEmpty {
                try self.deleteBatch(topicID: topic.topicID, partition: partition, baseOffset: header.baseOffset)
                deleted += 1
            } else {
                let bytes = RecordBatchBuilder.rebuild(batch, keeping: kept)
                try self.db.statement(
                    """
                    UPDATE batches SET data = ?4, record_count = ?5, max_timestamp = ?6
                    WHERE topic_id = ?1 AND partition = ?2 AND base_offset = ?3
                    """
                ).bind(1, topic.topicID).bind(2, partition).bind(3, header.baseOffset).bind(4, bytes)
                    .bind(5, Int64(kept.count)).bind(6, kept.map(\.timestamp).max() ?? header.maxTimestamp).run()
                rewritten += 1
            }
        }
        try self.db.statement(
            "UPDATE partitions SET compacted_high_watermark = ?3, retained_tombstones = ?4 WHERE topic_id = ?1 AND partition = ?2"
        ).bind(1, topic.topicID).bind(2, partition).bind(3, stable).bind(4, waiting).run()
        return (deleted, rewritten)
    }

    private func deleteBatch(topicID: Int64, partition: Int32, baseOffset: Int64) throws {
        try self.db.statement("DELETE FROM batches WHERE topic_id = ?1 AND partition = ?2 AND base_offset = ?3")
            .bind(1, topicID).bind(2, partition).bind(3, baseOffset).run()
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
