import MonologStorageEngine
import MonologWriterProtocol
import NIOCore

extension CommitOffsets: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        let results = try store.commitOffsets(group: self.group, self.offsets, nowMs: nowMs)
        return Applied(reply: Reply(codes: results.map { $0.map(WriterErrorCode.init) ?? .none }))
    }
}

extension DeleteGroupOffsets: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        let count = try store.deleteGroupOffsets(group: self.group, partitions: self.partitions.map { ($0.topic, $0.partition) })
        return Applied(reply: Reply(count: count))
    }
}

extension StoreGroupState: StorageCommand {
    var groupBytes: Int { 64 + self.state.readableBytes }

    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Done> {
        try store.storeGroupState(group: self.group, generation: self.generation, state: self.state)
        return Applied(reply: Done())
    }
}
