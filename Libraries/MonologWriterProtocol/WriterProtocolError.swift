/// A frame or message that does not follow the writer protocol. The connection that sent it is closed.
public struct WriterProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    public var detail: String
    public init(_ detail: String) { self.detail = detail }
    public var description: String { "writer protocol error: \(self.detail)" }
}

/// Error codes the writer answers with. Stable numbers: they cross process boundaries.
public struct WriterErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let none = Self(rawValue: 0)
    public static let unknownTopic = Self(rawValue: 1)
    public static let topicAlreadyExists = Self(rawValue: 2)
    public static let invalidTopicName = Self(rawValue: 3)
    public static let invalidPartition = Self(rawValue: 4)
    public static let invalidRequest = Self(rawValue: 5)
    /// A record batch failed validation (CRC, lengths, magic).
    public static let corruptBatch = Self(rawValue: 6)
    /// The database refused the write (disk full, I/O error). Nothing was acknowledged; retriable.
    public static let storageFailure = Self(rawValue: 7)
    /// The request is larger than the writer accepts.
    public static let requestTooLarge = Self(rawValue: 8)
    /// Too much is queued; retry later.
    public static let overloaded = Self(rawValue: 9)
    /// The client speaks a protocol version the writer does not.
    public static let unsupportedVersion = Self(rawValue: 10)
    /// The writer is shutting down; retry against the next one.
    public static let shuttingDown = Self(rawValue: 11)
    /// An idempotent producer's batch does not follow its previous one (Kafka OUT_OF_ORDER_SEQUENCE_NUMBER).
    public static let outOfOrderSequence = Self(rawValue: 12)
    /// An idempotent producer's epoch is older than the current one: it has been fenced.
    public static let invalidProducerEpoch = Self(rawValue: 13)
    /// A producer id the writer never allocated.
    public static let unknownProducerID = Self(rawValue: 14)
    /// An offset outside the partition's log (DeleteRecords past the high watermark).
    public static let offsetOutOfRange = Self(rawValue: 15)
    /// A topic config that Monolog does not know or a value it cannot use.
    public static let invalidConfig = Self(rawValue: 16)
    /// A partition count a topic cannot be grown to (not more than it has, or over the limit).
    public static let invalidPartitions = Self(rawValue: 17)
    /// A transactional request or batch the transaction's state does not allow (Kafka INVALID_TXN_STATE).
    public static let invalidTxnState = Self(rawValue: 18)
    /// A transactional producer whose epoch is no longer current (Kafka PRODUCER_FENCED).
    public static let producerFenced = Self(rawValue: 19)
    /// A producer id that does not hold the transactional id (Kafka INVALID_PRODUCER_ID_MAPPING).
    public static let invalidProducerIDMapping = Self(rawValue: 20)
    /// Records a topic refuses (a record without a key in a compacted topic); the error names them.
    public static let invalidRecord = Self(rawValue: 21)
    /// The disk (or the database's size limit) is full; nothing was stored. Retriable once space is freed.
    public static let storageFull = Self(rawValue: 22)

    public var description: String {
        switch self {
        case .unknownTopic: "unknown topic"
        case .topicAlreadyExists: "topic already exists"
        case .invalidTopicName: "invalid topic name"
        case .invalidPartition: "invalid partition"
        case .invalidRequest: "invalid request"
        case .corruptBatch: "corrupt record batch"
        case .storageFailure: "storage failure"
        case .requestTooLarge: "request too large"
        case .overloaded: "writer overloaded"
        case .unsupportedVersion: "unsupported protocol version"
        case .shuttingDown: "writer shutting down"
        case .none: "none"
        case .outOfOrderSequence: "out of order sequence number"
        case .invalidProducerEpoch: "invalid producer epoch"
        case .unknownProducerID: "unknown producer id"
        case .offsetOutOfRange: "offset out of range"
        case .invalidConfig: "invalid config"
        case .invalidPartitions: "invalid partitions"
        case .invalidTxnState: "invalid transaction state"
        case .producerFenced: "producer fenced"
        case .invalidProducerIDMapping: "invalid producer id mapping"
        case .invalidRecord: "invalid record"
        case .storageFull: "storage full"
        default: "error \(self.rawValue)"
        }
    }

    /// True when the same request may succeed if sent again later.
    public var isRetriable: Bool {
        self == .storageFailure || self == .storageFull || self == .overloaded || self == .shuttingDown
    }
}
