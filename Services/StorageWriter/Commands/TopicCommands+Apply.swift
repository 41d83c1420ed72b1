import MonologStorage
import MonologStorageEngine
import MonologWriterProtocol

extension CreateTopic: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        let result = try store.createTopic(
            name: self.name, partitionCount: self.partitionCount, configs: self.configs, ifNotExists: self.ifNotExists, nowMs: nowMs)
        return Applied(reply: Reply(topicID: result.topic.topicID, partitionCount: result.topic.partitionCount, created: result.created))
    }
}

extension DeleteTopic: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        try store.deleteTopic(name: self.name)
        return Applied(reply: Done())
    }
}

extension AlterTopicConfigs: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        try store.alterTopicConfigs(name: self.name, set: self.set, delete: self.delete)
        return Applied(reply: Done())
    }
}

extension CreatePartitions: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        try store.createPartitions(topic: self.name, totalCount: self.count)
        return Applied(reply: Reply(count: self.count))
    }
}
