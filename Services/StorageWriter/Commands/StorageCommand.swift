import MonologStorageEngine
import MonologWriterProtocol
import NIOCore

/// A writer command as the storage writer runs it: applied to the store inside a group's transaction
/// (see GroupTransaction), answered once the group's commit is fsynced.
protocol StorageCommand: WriterCommand {
    /// Applies the command. A `StorageError` with a client's code refuses this request alone; a
    /// storage failure fails the whole group.
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply>
    /// What the request counts for against `--max-group-bytes` while it waits for a commit.
    var groupBytes: Int { get }
    /// Whether it must run in a savepoint: false only for a command that finds every client mistake
    /// before it writes anything, which saves two statements per request.
    var needsSavepoint: Bool { get }
}

extension StorageCommand {
    var groupBytes: Int { 64 }
    var needsSavepoint: Bool { true }

    /// Applies the command and erases its reply's type, for the group committer.
    func run(on store: LogStore, nowMs: Int64) throws(StorageError) -> WriteOutcome {
        let applied = try self.apply(to: store, nowMs: nowMs)
        return WriteOutcome(
            answer: .reply(kind: Self.replyKind, applied.reply), watermarks: applied.watermarks, stored: applied.stored, usersChanged: applied.usersChanged)
    }
}

/// What applying a command produced: its reply, and what subscribers and metrics are told.
struct Applied<Reply> {
    var reply: Reply
    /// Partitions whose high watermark or log start moved.
    var watermarks: [PartitionWatermark] = []
    /// Messages newly stored in a topic (not a retried duplicate), for the writer's traffic metrics.
    var stored: StoredTraffic? = nil
    /// Users' credentials or tokens changed: gateways must forget the passwords they verified.
    var usersChanged = false
}

struct StoredTraffic: Sendable {
    var topic: String
    var messages: Int
    var bytes: Int
}

/// A request's outcome as the group committer handles it.
struct WriteOutcome: Sendable {
    var answer: WriterAnswer
    var watermarks: [PartitionWatermark] = []
    var stored: StoredTraffic? = nil
    var usersChanged = false

    static func refused(_ code: WriterErrorCode, _ message: String) -> Self {
        Self(answer: .refused(WriterError(code, message)))
    }

    /// A client's mistake, as the writer answers it (with the records at fault, if any).
    static func refused(_ error: StorageError) -> Self {
        Self(answer: .refused(WriterError(WriterErrorCode(error.code), error.message, recordErrors: error.recordErrors)))
    }
}

/// The writer's answer to one request: the command's reply, or a refusal.
enum WriterAnswer: Sendable {
    case reply(kind: UInt8, any WireMessage)
    case refused(WriterError)

    /// Appends the framed answer to `buffer`.
    func write(requestID: UInt64, into buffer: inout ByteBuffer) {
        switch self {
        case .reply(let kind, let reply): WriterFrame.write(reply, kind: kind, requestID: requestID, into: &buffer)
        case .refused(let error): WriterFrame.write(error, kind: WriterError.kind, requestID: requestID, into: &buffer)
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
        case .storageFull: self = .storageFull
        case .outOfOrderSequence: self = .outOfOrderSequence
        case .invalidProducerEpoch: self = .invalidProducerEpoch
        case .unknownProducerID: self = .unknownProducerID
        case .offsetOutOfRange: self = .offsetOutOfRange
        case .invalidConfig: self = .invalidConfig
        case .invalidPartitions: self = .invalidPartitions
        case .messageTooLarge: self = .requestTooLarge
        case .invalidTxnState: self = .invalidTxnState
        case .producerFenced: self = .producerFenced
        case .invalidProducerIDMapping: self = .invalidProducerIDMapping
        case .invalidRecord: self = .invalidRecord
        }
    }
}
