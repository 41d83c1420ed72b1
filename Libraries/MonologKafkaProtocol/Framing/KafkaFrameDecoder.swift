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

/// The size of the frame a connection is in the middle of sending: what its size prefix announced,
/// once the prefix is read and until the whole frame is, else 0. The decoder sets it; the connection
/// handler reads it to take a place for a large frame before reading its body. Both on its event loop.
public final class KafkaFrameProgress {
    public var incompleteFrameBytes = 0

    public init() {}
}

@available(*, unavailable)
extension KafkaFrameProgress: Sendable {}

/// Cuts the inbound stream into request frames (the Int32 size prefix removed). The size is checked
/// before anything is buffered, so a peer claiming a huge frame never makes us allocate it.
public struct KafkaFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer
    public let limit: KafkaFrameSizeLimit
    public let progress: KafkaFrameProgress?
    public var maxFrameBytes: Int { self.limit.maxBytes }

    public init(maxFrameBytes: Int) {
        self.limit = KafkaFrameSizeLimit(maxBytes: maxFrameBytes)
        self.progress = nil
    }

    /// A decoder whose limit follows `limit`, checked at the start of every frame, and which reports
    /// the size of a frame it has begun but not finished reading in `progress`.
    public init(limit: KafkaFrameSizeLimit, progress: KafkaFrameProgress? = nil) {
        self.limit = limit
        self.progress = progress
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else {
            self.progress?.incompleteFrameBytes = 0
            return nil
        }
        guard size >= 0, Int(size) <= self.maxFrameBytes else {
            throw KafkaFramingError(detail: "frame size \(size) outside 0...\(self.maxFrameBytes)")
        }
        guard buffer.readableBytes >= 4 + Int(size) else {
            self.progress?.incompleteFrameBytes = Int(size)
            return nil
        }
        self.progress?.incompleteFrameBytes = 0
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(size))
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try self.decode(buffer: &buffer)
    }
}
