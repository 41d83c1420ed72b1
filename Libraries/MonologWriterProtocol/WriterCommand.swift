import MonologStorage
import NIOCore

/// The storage writer's protocol, version 1. Every request is a `WriterCommand`; requests and answers
/// carry a request id chosen by the client, and the writer may answer out of order (a topic creation
/// can finish while appends wait for their commit). Watermark notifications carry request id 0.
///
/// A connection opens with `Hello` carrying the magic bytes and the protocol version; the writer
/// answers with the version it will speak, or an `unsupportedVersion` error, and closes. See
/// docs/WRITER-PROTOCOL.md for the byte layout.
public enum WriterProtocol {
    public static let magic: UInt32 = 0x4D4C_5750  // "MLWP"
    public static let version: UInt16 = 1
    /// The request id of unsolicited messages (watermark notifications).
    public static let notificationRequestID: UInt64 = 0
}

/// A request to the storage writer: its frame type, its fields (`WireMessage`) and the answer it gets.
///
/// Adding one: a struct here (fields, `kind`, `Reply`), its `apply` in the storage writer
/// (Services/StorageWriter/Commands/) with a line in the writer's command table, and the call site
/// that sends it (`WriterClient.send` or `submit`). Nothing else names commands one by one.
public protocol WriterCommand: WireMessage {
    associatedtype Reply: WireMessage
    /// The frame type of the request, below 0x80; the answer's is `kind | 0x80`.
    static var kind: UInt8 { get }
}

extension WriterCommand {
    public static var replyKind: UInt8 { Self.kind | 0x80 }
}

/// A refused request: the writer's answer instead of the command's reply.
public struct WriterError: WireMessage, Error {
    public static let kind: UInt8 = 0xFF
    public var code = WriterErrorCode.none
    public var message = ""
    /// For `invalidRecord`: the refused records of the batch at fault, by index; empty otherwise.
    public var recordErrors: [RecordError] = []

    public init() {}
    public init(_ code: WriterErrorCode, _ message: String, recordErrors: [RecordError] = []) {
        self.code = code
        self.message = message
        self.recordErrors = recordErrors
    }

    public static let fields: [WireField<Self>] = [
        .init("error code", \.code), .init("error message", \.message), .init("record errors", \.recordErrors),
    ]
}

extension RecordError: WireMessage {
    public init() { self.init(batchIndex: 0, message: "") }
    public static let fields: [WireField<Self>] = [.init("batch index", \.batchIndex), .init("message", \.message)]
}

/// An answer with no fields.
public struct Done: WireMessage {
    public init() {}
    public static let fields: [WireField<Self>] = []
}

/// Framing: `length:UInt32 requestID:UInt64 type:UInt8 body`.
public enum WriterFrame {
    /// Appends one framed message, length prefix included.
    public static func write(_ message: some WireCodable, kind: UInt8, requestID: UInt64, into buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(requestID)
        buffer.writeInteger(kind)
        message.write(to: &buffer)
        buffer.setInteger(UInt32(buffer.writerIndex - start - 4), at: start)
    }

    /// Reads a frame's request id and type (the length prefix already removed); the body stays in `frame`.
    public static func readHeader(_ frame: inout ByteBuffer) throws(WriterProtocolError) -> (requestID: UInt64, kind: UInt8) {
        let requestID = try UInt64.read(from: &frame, field: "request id")
        return (requestID, try UInt8.read(from: &frame, field: "message type"))
    }

    /// Reads the rest of a frame as one message; trailing bytes are an error.
    public static func readBody<Message: WireCodable>(_ type: Message.Type, from frame: inout ByteBuffer) throws(WriterProtocolError) -> Message {
        let message = try Message.read(from: &frame, field: "\(Message.self)")
        guard frame.readableBytes == 0 else { throw WriterProtocolError("\(frame.readableBytes) trailing bytes after \(Message.self)") }
        return message
    }
}
