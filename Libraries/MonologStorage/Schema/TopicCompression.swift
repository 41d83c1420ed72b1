import MonologRecords
import NIOCore

/// A topic's `compression.type`, with the `compression.*.level` that goes with it: how the batches a
/// topic stores are compressed. Both gateways apply it before a batch goes to the storage writer, so
/// the writer's loop never does codec work.
public struct TopicCompression: Sendable, Equatable {
    /// The codec every batch is stored with (`.none` for `uncompressed`); nil keeps each batch as the
    /// producer compressed it (`producer`, the default).
    public var codec: CompressionCodec?
    /// The level `codec` is used at; nil for the codec library's default.
    public var level: Int32?

    public static let producer = TopicCompression(codec: nil, level: nil)

    public init(codec: CompressionCodec?, level: Int32?) {
        self.codec = codec
        self.level = level
    }

    /// From a topic's stored configs (already checked by name and value), with Kafka's default levels.
    public init(configs: [String: String]) {
        func level(_ name: String) -> Int32? {
            (configs[name] ?? TopicConfigs.byName[name]?.defaultValue).flatMap { Int32($0.trimmingJavaWhitespace()) }
        }
        switch configs["compression.type"]?.trimmingJavaWhitespace() {
        case "uncompressed": self.init(codec: CompressionCodec.none, level: nil)
        case "gzip": self.init(codec: .gzip, level: level("compression.gzip.level"))  // -1 is zlib's default
        case "snappy": self.init(codec: .snappy, level: nil)
        case "lz4": self.init(codec: .lz4, level: level("compression.lz4.level"))
        case "zstd": self.init(codec: .zstd, level: level("compression.zstd.level"))
        default: self = .producer
        }
    }

    /// The batches as the topic stores them. A batch already in the topic's codec is kept as it is,
    /// whatever level the producer used, as Kafka does; any other is decompressed and rebuilt with the
    /// topic's codec (same records, offsets deltas, timestamps and producer fields).
    public func apply(to records: ByteBuffer) throws(RecordBatchError) -> ByteBuffer {
        guard let codec = self.codec else { return records }
        let batches = try RecordBatch.split(records)
        guard batches.contains(where: { $0.header.attributes.compression != codec }) else { return records }
        var output = ByteBuffer()
        output.reserveCapacity(records.readableBytes)
        for batch in batches {
            if batch.header.attributes.compression == codec {
                var bytes = batch.bytes
                output.writeBuffer(&bytes)
            } else {
                var rebuilt = try RecordBatchBuilder.recompress(batch, codec: codec, level: self.level)
                output.writeBuffer(&rebuilt)
            }
        }
        return output
    }
}
