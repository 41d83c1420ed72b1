import NIOCore

/// The storage writer's protocol, version 1. Requests and responses carry a request id chosen by the
/// client; the writer may answer out of order (a create can finish while appends wait for their commit).
/// Watermark notifications to subscribers carry request id 0.
///
/// A connection opens with `hello` carrying the magic bytes and the protocol version; the writer answers
/// `hello` with the version it will speak, or an `unsupportedVersion` error and closes. See
/// docs/WRITER-PROTOCOL.md for the byte layout.
public enum WriterProtocol {
    public static let magic: UInt32 = 0x4D4C_5750  // "MLWP"
    public static let version: UInt16 = 1
    /// The request id of unsolicited messages (watermark notifications).
    public static let notificationRequestID: UInt64 = 0
}

/// A request to the storage writer.
public enum WriterRequest: Hashable, Sendable {
    case hello(version: UInt16, clientName: String)
    case createTopic(name: String, partitionCount: Int32, configs: [String: String], ifNotExists: Bool)
    case deleteTopic(name: String)
    /// Grows a topic to `count` partitions in total (CreatePartitions); a topic never shrinks.
    case createPartitions(name: String, count: Int32)
    /// Sets and removes topic configs; validated by the writer.
    case alterTopicConfigs(name: String, set: [String: String], delete: [String])
    /// One or more concatenated RecordBatch v2 for one partition. Batches with a producer id are
    /// checked for duplicates and sequence gaps (idempotent producers).
    case append(topic: String, partition: Int32, batches: ByteBuffer)
    /// Allocates a producer id, or bumps the epoch of `producerID` when it is given (KIP-360).
    case initProducerID(transactionalID: String?, producerID: Int64, producerEpoch: Int16)
    /// Moves a partition's log start to `beforeOffset` (-1: the high watermark), deleting what lies below.
    case deleteRecords(topic: String, partition: Int32, beforeOffset: Int64)
    /// One retention pass: per-topic `retention.ms`, `retention.bytes` and compaction, with the given
    /// defaults for topics that do not set them (-1: unlimited).
    case applyRetention(nowMs: Int64, defaultRetentionMs: Int64, defaultRetentionBytes: Int64)
    case commitOffsets(group: String, offsets: [GroupOffsetCommit])
    /// Deletes a group's committed offsets: the given partitions, or all of them when empty.
    case deleteGroupOffsets(group: String, partitions: [TopicPartition])
    /// Asks for `watermarks` notifications after every commit that changes a partition.
    case subscribe
    /// Stores (or replaces) a user's SCRAM credential for one mechanism; the caller derived it.
    case upsertScramCredential(user: String, credential: ScramCredentialRecord)
    /// Deletes a user's credential for one mechanism (`.usersChanged(false)` when there was none).
    case deleteScramCredential(user: String, mechanism: String)
    /// Sets the SHA-256 of the user's HTTP bearer token.
    case setUserToken(user: String, tokenSHA256: [UInt8])
    /// Deletes a user's credentials and token.
    case deleteUser(user: String)
}

/// A SCRAM credential as stored: what verifies a proof, never the password.
public struct ScramCredentialRecord: Hashable, Sendable {
    public var mechanism: String
    public var salt: [UInt8]
    public var iterations: Int32
    public var storedKey: [UInt8]
    public var serverKey: [UInt8]

    public init(mechanism: String, salt: [UInt8], iterations: Int32, storedKey: [UInt8], serverKey: [UInt8]) {
        self.mechanism = mechanism
        self.salt = salt
        self.iterations = iterations
        self.storedKey = storedKey
        self.serverKey = serverKey
    }
}

/// The writer's answer to one request, or a notification.
public enum WriterResponse: Hashable, Sendable {
    case hello(version: UInt16)
    case topicCreated(topicID: Int64, partitionCount: Int32, created: Bool)
    case topicDeleted
    case partitionsCreated(count: Int32)
    case configsAltered
    /// Offsets given to the appended records; the data is committed and fsynced. A retried duplicate
    /// gets the offsets it was first given.
    /// `logAppendTimeMs` is the broker time stamped on the batches of a LogAppendTime topic, else -1.
    case appended(baseOffset: Int64, lastOffset: Int64, logStartOffset: Int64, logAppendTimeMs: Int64)
    case producerID(id: Int64, epoch: Int16)
    case recordsDeleted(logStartOffset: Int64)
    case retentionApplied(batchesDeleted: Int64, batchesRewritten: Int64)
    /// One code per committed offset, in request order (`WriterErrorCode.none` for success).
    case offsetsCommitted([WriterErrorCode])
    case groupOffsetsDeleted(count: Int64)
    /// A user change was applied; false when a deletion found nothing to delete.
    case usersChanged(Bool)
    case subscribed
    /// Partitions whose high watermark or log start changed in a commit (request id 0).
    case watermarks([PartitionWatermark])
    case error(WriterErrorCode, message: String)
}

public struct TopicPartition: Hashable, Sendable {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }
}

public struct GroupOffsetCommit: Hashable, Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var leaderEpoch: Int32
    public var metadata: String?

    public init(topic: String, partition: Int32, offset: Int64, leaderEpoch: Int32, metadata: String?) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.leaderEpoch = leaderEpoch
        self.metadata = metadata
    }
}

public struct PartitionWatermark: Hashable, Sendable {
    public var topic: String
    public var partition: Int32
    public var highWatermark: Int64
    public var logStartOffset: Int64

    public init(topic: String, partition: Int32, highWatermark: Int64, logStartOffset: Int64) {
        self.topic = topic
        self.partition = partition
        self.highWatermark = highWatermark
        self.logStartOffset = logStartOffset
    }
}

/// A request or response with the id that pairs them.
public struct WriterEnvelope<Message: Hashable & Sendable>: Hashable, Sendable {
    public var requestID: UInt64
    public var message: Message

    public init(requestID: UInt64, message: Message) {
        self.requestID = requestID
        self.message = message
    }
}
