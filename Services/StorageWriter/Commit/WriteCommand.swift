import MonologRecords
import MonologStorage
import MonologWriterProtocol

/// A write the group committer applies inside its transaction. Batches arrive already validated
/// (split and CRC-checked on the connection's event loop), so the commit thread only writes.
enum WriteCommand: Sendable {
    case createTopic(name: String, partitionCount: Int32, configs: [String: String], ifNotExists: Bool)
    case deleteTopic(name: String)
    case append(topic: String, partition: Int32, batches: [RecordBatch])
    case deleteRecordsBefore(timestampMs: Int64)

    /// Applies the command to the store. Throws `StorageError`; the caller decides what it means for
    /// the rest of the group.
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> WriterResponse {
        switch self {
        case .createTopic(let name, let partitionCount, let configs, let ifNotExists):
            let result = try store.createTopic(
                name: name,
                partitionCount: partitionCount,
                configs: configs,
                ifNotExists: ifNotExists,
                nowMs: nowMs
            )
            return .topicCreated(
                topicID: result.topic.topicID,
                partitionCount: result.topic.partitionCount,
                created: result.created
            )
        case .deleteTopic(let name):
            try store.deleteTopic(name: name)
            return .topicDeleted
        case .append(let topic, let partition, let batches):
            let result = try store.append(topic: topic, partition: partition, batches: batches)
            return .appended(baseOffset: result.baseOffset, lastOffset: result.lastOffset)
        case .deleteRecordsBefore(let timestampMs):
            return .recordsDeleted(batches: Int64(try store.deleteBatches(olderThan: timestampMs)))
        }
    }
}

extension WriterErrorCode {
    init(_ code: StorageError.Code) {
        switch code {
        case .unknownTopic: self = .unknownTopic
        case .topicAlreadyExists: self = .topicAlreadyExists
        case .invalidTopicName: self = .invalidTopicName
        case .invalidPartition: self = .invalidPartition
        case .invalidRequest: self = .invalidRequest
        case .corruptBatch: self = .corruptBatch
        case .storageFailure: self = .storageFailure
        }
    }
}
