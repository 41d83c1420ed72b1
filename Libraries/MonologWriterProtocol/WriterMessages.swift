import NIOCore

/// The storage writer's protocol, version 1. Requests and responses carry a request id chosen by the
/// client; the writer may answer out of order (a create can finish while appends wait for their commit).
///
/// A connection opens with `hello` carrying the magic bytes and the protocol version; the writer answers
/// `hello` with the version it will speak, or an `unsupportedVersion` error and closes. See
/// docs/WRITER-PROTOCOL.md for the byte layout.
public enum WriterProtocol {
    public static let magic: UInt32 = 0x4D4C_5750  // "MLWP"
    public static let version: UInt16 = 1
}

/// A request to the storage writer.
public enum WriterRequest: Hashable, Sendable {
    case hello(version: UInt16, clientName: String)
    case createTopic(name: String, partitionCount: Int32, configs: [String: String], ifNotExists: Bool)
    case deleteTopic(name: String)
    /// One or more concatenated RecordBatch v2 for one partition.
    case append(topic: String, partition: Int32, batches: ByteBuffer)
    /// Retention: delete batches whose max timestamp is older than this (ms since the epoch).
    case deleteRecordsBefore(timestampMs: Int64)

    enum Kind: UInt8 {
        case hello = 0x01
        case createTopic = 0x10
        case deleteTopic = 0x11
        case append = 0x20
        case deleteRecordsBefore = 0x30
    }
}

/// The writer's answer to one request.
public enum WriterResponse: Hashable, Sendable {
    case hello(version: UInt16)
    case topicCreated(topicID: Int64, partitionCount: Int32, created: Bool)
    case topicDeleted
    /// Offsets given to the appended records; the data is committed and fsynced.
    case appended(baseOffset: Int64, lastOffset: Int64)
    case recordsDeleted(batches: Int64)
    case error(WriterErrorCode, message: String)

    enum Kind: UInt8 {
        case hello = 0x81
        case topicCreated = 0x90
        case topicDeleted = 0x91
        case appended = 0xA0
        case recordsDeleted = 0xB0
        case error = 0xFF
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

extension WriterEnvelope where Message == WriterRequest {
    /// Appends the framed request (length prefix included) to `buffer`.
    public func encode(into buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(self.requestID)
        switch self.message {
        case .hello(let version, let clientName):
            buffer.writeInteger(WriterRequest.Kind.hello.rawValue)
            buffer.writeInteger(WriterProtocol.magic)
            buffer.writeInteger(version)
            buffer.writeShortString(clientName)
        case .createTopic(let name, let partitionCount, let configs, let ifNotExists):
            buffer.writeInteger(WriterRequest.Kind.createTopic.rawValue)
            buffer.writeShortString(name)
            buffer.writeInteger(partitionCount)
            buffer.writeInteger(UInt8(ifNotExists ? 1 : 0))
            buffer.writeInteger(UInt16(configs.count))
            for (key, value) in configs.sorted(by: { $0.key < $1.key }) {
                buffer.writeShortString(key)
                buffer.writeShortString(value)
            }
        case .deleteTopic(let name):
            buffer.writeInteger(WriterRequest.Kind.deleteTopic.rawValue)
            buffer.writeShortString(name)
        case .append(let topic, let partition, let batches):
            buffer.writeInteger(WriterRequest.Kind.append.rawValue)
            buffer.writeShortString(topic)
            buffer.writeInteger(partition)
            buffer.writeBlob(batches)
        case .deleteRecordsBefore(let timestampMs):
            buffer.writeInteger(WriterRequest.Kind.deleteRecordsBefore.rawValue)
            buffer.writeInteger(timestampMs)
        }
        buffer.setInteger(UInt32(buffer.writerIndex - start - 4), at: start)
    }

    /// Decodes one frame's payload (length prefix already removed).
    public static func decode(_ frame: ByteBuffer) throws(WriterProtocolError) -> Self {
        var frame = frame
        let requestID: UInt64 = try frame.readInteger("request id")
        let rawKind: UInt8 = try frame.readInteger("message type")
        guard let kind = WriterRequest.Kind(rawValue: rawKind) else {
            throw WriterProtocolError("unknown request type \(rawKind)")
        }
        let message: WriterRequest
        switch kind {
        case .hello:
            let magic: UInt32 = try frame.readInteger("magic")
            guard magic == WriterProtocol.magic else { throw WriterProtocolError("bad magic \(magic)") }
            let version: UInt16 = try frame.readInteger("version")
            message = .hello(version: version, clientName: try frame.readShortString("client name"))
        case .createTopic:
            let name = try frame.readShortString("topic name")
            let partitionCount: Int32 = try frame.readInteger("partition count")
            let ifNotExists: UInt8 = try frame.readInteger("if-not-exists flag")
            let configCount: UInt16 = try frame.readInteger("config count")
            var configs: [String: String] = [:]
            for _ in 0..<configCount {
                let key = try frame.readShortString("config key")
                configs[key] = try frame.readShortString("config value")
            }
            message = .createTopic(name: name, partitionCount: partitionCount, configs: configs, ifNotExists: ifNotExists != 0)
        case .deleteTopic:
            message = .deleteTopic(name: try frame.readShortString("topic name"))
        case .append:
            let topic = try frame.readShortString("topic name")
            let partition: Int32 = try frame.readInteger("partition")
            message = .append(topic: topic, partition: partition, batches: try frame.readBlob("record batches"))
        case .deleteRecordsBefore:
            message = .deleteRecordsBefore(timestampMs: try frame.readInteger("timestamp"))
        }
        guard frame.readableBytes == 0 else { throw WriterProtocolError("\(frame.readableBytes) trailing bytes") }
        return Self(requestID: requestID, message: message)
    }
}

extension WriterEnvelope where Message == WriterResponse {
    public func encode(into buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(self.requestID)
        switch self.message {
        case .hello(let version):
            buffer.writeInteger(WriterResponse.Kind.hello.rawValue)
            buffer.writeInteger(version)
        case .topicCreated(let topicID, let partitionCount, let created):
            buffer.writeInteger(WriterResponse.Kind.topicCreated.rawValue)
            buffer.writeInteger(topicID)
            buffer.writeInteger(partitionCount)
            buffer.writeInteger(UInt8(created ? 1 : 0))
        case .topicDeleted:
            buffer.writeInteger(WriterResponse.Kind.topicDeleted.rawValue)
        case .appended(let baseOffset, let lastOffset):
            buffer.writeInteger(WriterResponse.Kind.appended.rawValue)
            buffer.writeInteger(baseOffset)
            buffer.writeInteger(lastOffset)
        case .recordsDeleted(let batches):
            buffer.writeInteger(WriterResponse.Kind.recordsDeleted.rawValue)
            buffer.writeInteger(batches)
        case .error(let code, let message):
            buffer.writeInteger(WriterResponse.Kind.error.rawValue)
            buffer.writeInteger(code.rawValue)
            buffer.writeShortString(message)
        }
        buffer.setInteger(UInt32(buffer.writerIndex - start - 4), at: start)
    }

    public static func decode(_ frame: ByteBuffer) throws(WriterProtocolError) -> Self {
        var frame = frame
        let requestID: UInt64 = try frame.readInteger("request id")
        let rawKind: UInt8 = try frame.readInteger("message type")
        guard let kind = WriterResponse.Kind(rawValue: rawKind) else {
            throw WriterProtocolError("unknown response type \(rawKind)")
        }
        let message: WriterResponse
        switch kind {
        case .hello:
            message = .hello(version: try frame.readInteger("version"))
        case .topicCreated:
            let topicID: Int64 = try frame.readInteger("topic id")
            let partitionCount: Int32 = try frame.readInteger("partition count")
            let created: UInt8 = try frame.readInteger("created flag")
            message = .topicCreated(topicID: topicID, partitionCount: partitionCount, created: created != 0)
        case .topicDeleted:
            message = .topicDeleted
        case .appended:
            let baseOffset: Int64 = try frame.readInteger("base offset")
            message = .appended(baseOffset: baseOffset, lastOffset: try frame.readInteger("last offset"))
        case .recordsDeleted:
            message = .recordsDeleted(batches: try frame.readInteger("batch count"))
        case .error:
            let code: UInt16 = try frame.readInteger("error code")
            message = .error(WriterErrorCode(rawValue: code), message: try frame.readShortString("error message"))
        }
        guard frame.readableBytes == 0 else { throw WriterProtocolError("\(frame.readableBytes) trailing bytes") }
        return Self(requestID: requestID, message: message)
    }
}
