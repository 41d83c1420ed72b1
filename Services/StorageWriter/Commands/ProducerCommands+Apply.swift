import MonologStorageEngine
import MonologWriterProtocol

extension InitProducerID: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        let result = try store.initProducerID(transactionalID: self.transactionalID, producerID: self.producerID, producerEpoch: self.producerEpoch, nowMs: nowMs)
        return Applied(reply: Reply(id: result.id, epoch: result.epoch))
    }
}
