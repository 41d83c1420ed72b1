import MonologStorage

/// Why the writer refused or failed a request. Client mistakes and storage failures are kept apart,
/// so the gateways can answer a 4xx or a Kafka error code for the first and a retriable error for the second.
public struct StorageError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        case unknownTopic
        case topicAlreadyExists
        case invalidTopicName
        case invalidPartition
        case invalidRequest
        case corruptBatch
        case outOfOrderSequence
        case invalidProducerEpoch
        case unknownProducerID
        case offsetOutOfRange
        case invalidConfig
        case invalidPartitions
        /// A record batch larger than its topic's `max.message.bytes`.
        case messageTooLarge
        /// A transactional request or batch that the transaction's state does not allow (Kafka
        /// INVALID_TXN_STATE), such as a batch for a partition not added to the transaction.
        case invalidTxnState
        /// A transactional producer whose epoch is no longer current (Kafka PRODUCER_FENCED).
        case producerFenced
        /// A producer id that does not hold the transactional id (Kafka INVALID_PRODUCER_ID_MAPPING).
        case invalidProducerIDMapping
        /// Records the topic refuses (a record without a key in a compacted topic); `recordErrors` names them.
        case invalidRecord
        /// The database refused the write (an I/O error, say): nothing was acknowledged.
        case storageFailure
        /// The disk, or the database's size limit, is full: nothing was acknowledged.
        case storageFull
    }

    public var code: Code
    public var message: String
    /// For `invalidRecord`: each refused record of the batch at fault.
    public var recordErrors: [RecordError]
    /// For a storage failure: SQLite's result code, which tells the writer whether it may go on.
    public var sqliteCode: Int32?

    public init(_ code: Code, _ message: String, recordErrors: [RecordError] = [], sqliteCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.recordErrors = recordErrors
        self.sqliteCode = sqliteCode
    }

    public var description: String { self.message }

    /// A failure of the storage itself (not the client's mistake): the whole group's transaction is in
    /// doubt and is rolled back.
    public var failsTheGroup: Bool { self.code == .storageFailure || self.code == .storageFull }

    static func wrapping(_ error: SQLiteError) -> StorageError {
        StorageError(error.isDiskFull ? .storageFull : .storageFailure, error.description, sqliteCode: error.code)
    }
}
