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
        /// The database refused the write (disk full, I/O error): nothing was acknowledged.
        case storageFailure
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { self.message }

    static func wrapping(_ error: SQLiteError) -> StorageError {
        StorageError(.storageFailure, error.description)
    }
}
