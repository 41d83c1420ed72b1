import MonologRecords
import MonologStorage
import MonologWriterProtocol

/// A write the group committer applies inside its transaction. Batches arrive already validated
/// (split and CRC-checked on the connection's event loop), so the commit thread only writes.
enum WriteCommand: Sendable {
    case createTopic(name: String, partitionCount: Int32, configs: [String: String], ifNotExists: Bool)
    case deleteTopic(name: String)
    case createPartitions(name: String, count: Int32)
    case alterTopicConfigs(name: String, set: [String: String], delete: [String])
    case append(topic: String, partition: Int32, batches: [RecordBatch])
    case initProducerID(transactionalID: String?, producerID: Int64, producerEpoch: Int16)
    case deleteRecords(topic: String, partition: Int32, beforeOffset: Int64)
    case applyRetention(nowMs: Int64, defaultRetentionMs: Int64, defaultRetentionBytes: Int64)
    case commitOffsets(group: String, offsets: [GroupOffsetCommit])
    case deleteGroupOffsets(group: String, partitions: [TopicPartition])
    case upsertScramCredential(user: String, credential: ScramCredentialRecord)
    case deleteScramCredential(user: String, mechanism: String)
    case setUserToken(user: String, tokenSHA256: [UInt8])
    case deleteUser(user: String)

    /// What a command produced: its answer, and the partitions whose watermarks it moved (for subscribers).
    struct Outcome {
        var response: WriterResponse
        var watermarks: [PartitionWatermark] = []
    }

    /// Applies the command to the store. Throws `StorageError`; the caller decides what it means for
    /// the rest of the group.
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Outcome {
        switch self {
        case .createTopic(let name, let partitionCount, let configs, let ifNotExists):
            let result = try store.createTopic(name: name, partitionCount: partitionCount, configs: configs, ifNotExists: ifNotExists, nowMs: nowMs)
            return Outcome(response: .topicCreated(topicID: result.topic.topicID, partitionCount: result.topic.partitionCount, created: result.created))
        case .deleteTopic(let name):
            try store.deleteTopic(name: name)
            return Outcome(response: .topicDeleted)
        case .createPartitions(let name, let count):
            try store.createPartitions(topic: name, totalCount: count)
            return Outcome(response: .partitionsCreated(count: count))
        case .alterTopicConfigs(let name, let set, let delete):
            try store.alterTopicConfigs(name: name, set: set, delete: delete)
            return Outcome(response: .configsAltered)
        case .append(let topic, let partition, let batches):
            let result = try store.append(topic: topic, partition: partition, batches: batches)
            let response = WriterResponse.appended(
                baseOffset: result.baseOffset,
                lastOffset: result.lastOffset,
                logStartOffset: result.logStartOffset,
                logAppendTimeMs: result.logAppendTimeMs
            )
            guard !result.duplicate else { return Outcome(response: response) }
            let watermark = PartitionWatermark(topic: topic, partition: partition, highWatermark: result.lastOffset + 1, logStartOffset: result.logStartOffset)
            return Outcome(response: response, watermarks: [watermark])
        case .initProducerID(let transactionalID, let producerID, let producerEpoch):
            let result = try store.initProducerID(transactionalID: transactionalID, producerID: producerID, producerEpoch: producerEpoch, nowMs: nowMs)
            return Outcome(response: .producerID(id: result.id, epoch: result.epoch))
        case .deleteRecords(let topic, let partition, let beforeOffset):
            let logStart = try store.deleteRecords(topic: topic, partition: partition, before: beforeOffset)
            return Outcome(response: .recordsDeleted(logStartOffset: logStart))
        case .applyRetention(let nowMs, let defaultRetentionMs, let defaultRetentionBytes):
            let result = try store.applyRetention(nowMs: nowMs, defaultRetentionMs: defaultRetentionMs, defaultRetentionBytes: defaultRetentionBytes)
            let watermarks = result.movedLogStarts.map {
                PartitionWatermark(topic: $0.topic, partition: $0.partition, highWatermark: $0.highWatermark, logStartOffset: $0.logStartOffset)
            }
            return Outcome(response: .retentionApplied(batchesDeleted: result.batchesDeleted, batchesRewritten: result.batchesRewritten), watermarks: watermarks)
        case .commitOffsets(let group, let offsets):
            let results = try store.commitOffsets(
                group: group,
                offsets.map { LogStore.OffsetCommit(topic: $0.topic, partition: $0.partition, offset: $0.offset, leaderEpoch: $0.leaderEpoch, metadata: $0.metadata) },
                nowMs: nowMs
            )
            return Outcome(response: .offsetsCommitted(results.map { $0.map(WriterErrorCode.init) ?? .none }))
        case .deleteGroupOffsets(let group, let partitions):
            let count = try store.deleteGroupOffsets(group: group, partitions: partitions.map { ($0.topic, $0.partition) })
            return Outcome(response: .groupOffsetsDeleted(count: count))
        case .upsertScramCredential(let user, let credential):
            try store.upsertScramCredential(
                user: user,
                LogStore.StoredScramCredential(
                    mechanism: credential.mechanism,
                    salt: credential.salt,
                    iterations: credential.iterations,
                    storedKey: credential.storedKey,
                    serverKey: credential.serverKey
                )
            )
            return Outcome(response: .usersChanged(true))
        case .deleteScramCredential(let user, let mechanism):
            return Outcome(response: .usersChanged(try store.deleteScramCredential(user: user, mechanism: mechanism)))
        case .setUserToken(let user, let tokenSHA256):
            try store.setUserToken(user: user, tokenSHA256: tokenSHA256)
            return Outcome(response: .usersChanged(true))
        case .deleteUser(let user):
            return Outcome(response: .usersChanged(try store.deleteUser(user)))
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
        case .outOfOrderSequence: self = .outOfOrderSequence
        case .invalidProducerEpoch: self = .invalidProducerEpoch
        case .unknownProducerID: self = .unknownProducerID
        case .offsetOutOfRange: self = .offsetOutOfRange
        case .invalidConfig: self = .invalidConfig
        case .invalidPartitions: self = .invalidPartitions
        case .messageTooLarge: self = .requestTooLarge
        }
    }
}
