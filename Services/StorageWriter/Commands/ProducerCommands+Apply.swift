import MonologStorageEngine
import MonologWriterProtocol

extension InitProducerID: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        guard let transactionalID = self.transactionalID else {
            let result = try store.initProducerID(transactionalID: nil, producerID: self.producerID, producerEpoch: self.producerEpoch, nowMs: nowMs)
            return Applied(reply: Reply(id: result.id, epoch: result.epoch))
        }
        let expected = self.producerID >= 0 ? (producerID: self.producerID, epoch: self.producerEpoch) : nil
        let result = try store.initTransactionalProducer(
            transactionalID: transactionalID, timeoutMs: self.transactionTimeoutMs, expected: expected, nowMs: nowMs)
        return Applied(reply: Reply(id: result.id, epoch: result.epoch), watermarks: result.marked.map(\.watermark))
    }
}

extension LogStore.MarkedPartition {
    var watermark: PartitionWatermark {
        PartitionWatermark(topic: self.topic, partition: self.partition, highWatermark: self.highWatermark, logStartOffset: self.logStartOffset)
    }
}
