import MonologRecords
import MonologStorageEngine
import MonologWriterProtocol
import NIOCore

extension AppendRecords: StorageCommand {
    var groupBytes: Int { 64 + self.batches.readableBytes }

    /// A one-batch append finds every client mistake (a corrupt batch, unknown topic, bad partition,
    /// sequence, epoch) before it writes anything.
    var needsSavepoint: Bool {
        guard let first = try? RecordBatchHeader(from: self.batches, at: self.batches.readerIndex) else { return true }
        return first.totalSize != self.batches.readableBytes
    }

    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        let split: [RecordBatch]
        do {
            split = try RecordBatch.split(self.batches)
        } catch {
            throw StorageError(.corruptBatch, error.detail)
        }
        let result = try store.append(topic: self.topic, partition: self.partition, batches: split)
        let reply = Reply(
            baseOffset: result.baseOffset,
            lastOffset: result.lastOffset,
            logStartOffset: result.logStartOffset,
            logAppendTimeMs: result.logAppendTimeMs
        )
        guard !result.duplicate else { return Applied(reply: reply) }
        return Applied(
            reply: reply,
            watermarks: [
                PartitionWatermark(topic: self.topic, partition: self.partition, highWatermark: result.lastOffset + 1, logStartOffset: result.logStartOffset)
            ],
            stored: StoredTraffic(topic: self.topic, messages: Int(result.lastOffset - result.baseOffset + 1), bytes: self.batches.readableBytes)
        )
    }
}

extension DeleteRecords: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        let logStart = try store.deleteRecords(topic: self.topic, partition: self.partition, before: self.beforeOffset)
        return Applied(reply: Reply(logStartOffset: logStart))
    }
}

extension ApplyRetention: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        let result = try store.applyRetention(nowMs: self.nowMs, defaultRetentionMs: self.defaultRetentionMs, defaultRetentionBytes: self.defaultRetentionBytes)
        return Applied(
            reply: Reply(batchesDeleted: result.batchesDeleted, batchesRewritten: result.batchesRewritten),
            watermarks: result.movedLogStarts.map {
                PartitionWatermark(topic: $0.topic, partition: $0.partition, highWatermark: $0.highWatermark, logStartOffset: $0.logStartOffset)
            }
        )
    }
}
