import NIOCore

/// Why a connection's byte stream was not a sequence of Kafka request frames.
public struct KafkaFramingError: Error, CustomStringConvertible, Sendable {
    public var detail: String
    public var description: String { self.detail }
}

/// The largest frame a connection may send, which can change while it is open: a SASL listener reads
/// only small frames until the client has authenticated (Kafka's `sasl.server.max.receive.size`). The
/// decoder reads it and whoever knows the connection's state sets it; both on its event loop.
public final class KafkaFrameSizeLimit {
    public var maxBytes: Int

    public init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }
}

@available(*, unavailable)
extension KafkaFrameSizeLimit: Sendable {}

/// Cuts the inbound stream into request frames (the Int32 size prefix removed). The size is checked
/// before anything is buffered, so a peer claiming a huge frame never makes us allocate it.
public struct KafkaFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer
    public let limit: KafkaFrameSizeLimit
    public var maxFrameBytes: Int { self.limit.maxBytes }

    public init(maxFrameBytes: Int) {
        self.limit = KafkaFrameSizeLimit(maxBytes: maxFrameBytes)
    }

    /// A decoder whose limit follows `limit`, checked at the start of every frame.
    public init(limit: KafkaFrameSizeLimit) {
        self.limit = limit
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return nil }
        guard size >= 0, Int(size) <= self.maxFrameBytes else {
            throw KafkaFramingError(detail: "frame size \(size) outside 0...\(self.maxFrameBytes)")
        }
        guard buffer.readableBytes >= 4 + Int(size) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(size))
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try self.decode(buffer: &buffer)
    }
}
