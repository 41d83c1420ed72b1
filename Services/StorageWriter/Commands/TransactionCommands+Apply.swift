import MonologStorageEngine
import MonologTransactions
import MonologWriterProtocol

extension AddPartitionsToTransaction: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        let partitions = self.partitions.map { TransactionPartition(topic: $0.topic, partition: $0.partition) }
        let results = try store.addPartitionsToTransaction(
            transactionalID: self.transactionalID, producerID: self.producerID, producerEpoch: self.producerEpoch, partitions: partitions,
            nowMs: nowMs)
        return Applied(reply: Reply(codes: partitions.map { results[$0].flatMap { $0.map(WriterErrorCode.init) } ?? .none }))
    }
}

extension AddOffsetsToTransaction: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        try store.addOffsetsToTransaction(
            transactionalID: self.transactionalID, producerID: self.producerID, producerEpoch: self.producerEpoch, group: self.group, nowMs: nowMs)
        return Applied(reply: Done())
    }
}

extension EndTransaction: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        let marked = try store.endTransaction(
            transactionalID: self.transactionalID, producerID: self.producerID, producerEpoch: self.producerEpoch, commit: self.commit, nowMs: nowMs)
        return Applied(reply: Done(), watermarks: marked.map(\.watermark))
    }
}

extension CommitTransactionalOffsets: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        let results = try store.commitTransactionalOffsets(
            transactionalID: self.transactionalID, group: self.group, producerID: self.producerID, producerEpoch: self.producerEpoch, self.offsets)
        return Applied(reply: Reply(codes: results.map { $0.map(WriterErrorCode.init) ?? .none }))
    }
}

extension ExpireTransactions: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        let result = try store.expireTransactions(nowMs: self.nowMs, expirationMs: self.expirationMs)
        return Applied(reply: Reply(aborted: Int32(result.aborted), forgotten: Int32(result.forgotten)), watermarks: result.marked.map(\.watermark))
    }
}
