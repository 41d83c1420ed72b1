import NIOCore

/// Frames of the writer protocol: a UInt32 length, then that many bytes.
///
///     frame   = length:UInt32 requestID:UInt64 type:UInt8 body
///
/// Like Kafka's own framing, the size is checked before anything is buffered, so a hostile or broken
/// peer cannot make the writer allocate the length it claims.
public struct WriterFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    /// Default limit on one frame: large enough for a 100 MiB Kafka produce request and its framing.
    public static let defaultMaxFrameBytes = 128 * 1024 * 1024

    public let maxFrameBytes: Int

    public init(maxFrameBytes: Int = Self.defaultMaxFrameBytes) {
        self.maxFrameBytes = maxFrameBytes
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard Int(length) <= self.maxFrameBytes else {
            throw WriterProtocolError("frame of \(length) bytes exceeds the limit of \(self.maxFrameBytes)")
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(length))
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try self.decode(buffer: &buffer)
    }
}
