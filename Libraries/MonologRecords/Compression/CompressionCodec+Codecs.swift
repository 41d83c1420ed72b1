import NIOCore

/// Compression of a record batch's records section (everything after the 61-byte header), by the
/// codec in the batch attributes. Decompression always has a size limit, so a compression bomb is an
/// error rather than an out-of-memory.
public enum RecordCompression {
    /// Default limit on one batch's decompressed records: far above Kafka's default message size limits.
    public static let defaultMaxDecompressedBytes = 64 * 1024 * 1024

    /// `level` is the codec's own level (gzip 1–9, lz4 1–17, zstd -131072–22; snappy has none); nil
    /// takes the library's default (gzip 6, lz4 its fast mode, zstd 3), as producers do.
    public static func compress(_ bytes: ByteBuffer, codec: CompressionCodec, level: Int32? = nil) throws(RecordBatchError) -> ByteBuffer {
        let input = Array(bytes.readableBytesView)
        let output: [UInt8]
        switch codec {
        case .none: return bytes
        case .gzip: output = try Gzip.compress(input, level: level)
        case .snappy: output = try Snappy.compressXerial(input)
        case .lz4: output = try LZ4Frame.compress(input, level: level)
        case .zstd: output = try Zstd.compress(input, level: level)
        }
        return ByteBuffer(bytes: output)
    }

    public static func decompress(
        _ bytes: ByteBuffer,
        codec: CompressionCodec,
        maxBytes: Int = defaultMaxDecompressedBytes
    ) throws(RecordBatchError) -> ByteBuffer {
        let input = Array(bytes.readableBytesView)
        let output: [UInt8]
        switch codec {
        case .none: return bytes
        case .gzip: output = try Gzip.decompress(input, maxBytes: maxBytes)
        case .snappy: output = try Snappy.decompress(input, maxBytes: maxBytes)
        case .lz4: output = try LZ4Frame.decompress(input, maxBytes: maxBytes)
        case .zstd: output = try Zstd.decompress(input, maxBytes: maxBytes)
        }
        return ByteBuffer(bytes: output)
    }

    static func tooLarge(_ codec: String, _ limit: Int) -> RecordBatchError {
        .malformed("\(codec) data decompresses to more than \(limit) bytes")
    }
}
