import NIOCore

/// Why a connection's byte stream was not a sequence of Kafka request frames.
struct KafkaFramingError: Error, CustomStringConvertible {
    var detail: String
    var description: String { self.detail }
}

/// Cuts the inbound stream into request frames (the Int32 size prefix removed). The size is checked
/// before anything is buffered, so a peer claiming a huge frame never makes us allocate it.
struct KafkaFrameDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    let maxFrameBytes: Int

    mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return nil }
        guard size >= 0, Int(size) <= self.maxFrameBytes else {
            throw KafkaFramingError(detail: "frame size \(size) outside 0...\(self.maxFrameBytes)")
        }
        guard buffer.readableBytes >= 4 + Int(size) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(size))
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try self.decode(buffer: &buffer)
    }
}
