import NIOCore

/// The fixed 61-byte header of a Kafka RecordBatch (magic 2), as laid out in the Kafka protocol guide:
///
///     baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
///     attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
///     producerId int64 | producerEpoch int16 | baseSequence int32 | recordCount int32 | records…
///
/// The CRC-32C covers everything from `attributes` to the end of the batch. It does *not* cover
/// `baseOffset` or `partitionLeaderEpoch`, which is why a broker can assign offsets without recomputing it.
public struct RecordBatchHeader: Hashable, Sendable {
    public static let size = 61
    /// Bytes before `batchLength` counts begin: baseOffset and batchLength themselves.
    public static let lengthPrefixSize = 12
    /// Offset of the first byte the CRC covers (the attributes field).
    public static let crcCoverageStart = 21

    public enum Offsets {
        public static let baseOffset = 0
        public static let batchLength = 8
        public static let partitionLeaderEpoch = 12
        public static let magic = 16
        public static let crc = 17
        public static let attributes = 21
        public static let lastOffsetDelta = 23
        public static let baseTimestamp = 27
        public static let maxTimestamp = 35
        public static let producerID = 43
        public static let producerEpoch = 51
        public static let baseSequence = 53
        public static let recordCount = 57
    }

    public var baseOffset: Int64
    public var batchLength: Int32
    public var partitionLeaderEpoch: Int32
    public var magic: Int8
    public var crc: UInt32
    public var attributes: RecordBatchAttributes
    public var lastOffsetDelta: Int32
    public var baseTimestamp: Int64
    public var maxTimestamp: Int64
    public var producerID: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var recordCount: Int32

    /// Total size of the batch on the wire, header included.
    public var totalSize: Int { Self.lengthPrefixSize + Int(self.batchLength) }
    public var lastOffset: Int64 { self.baseOffset + Int64(self.lastOffsetDelta) }

    /// Reads the header at `index` without moving the reader index. Throws when the bytes are not a
    /// magic-2 batch header; a magic 0/1 message set is reported as `.unsupported`.
    public init(from buffer: ByteBuffer, at index: Int) throws(RecordBatchError) {
        guard let baseOffset = buffer.getInteger(at: index, as: Int64.self),
            let batchLength = buffer.getInteger(at: index + Offsets.batchLength, as: Int32.self),
            let magic = buffer.getInteger(at: index + Offsets.magic, as: Int8.self)
        else { throw .truncated("record batch header") }
        guard magic == 2 else {
            if magic == 0 || magic == 1 {
                throw .unsupported("message set with magic \(magic); only RecordBatch v2 (magic 2) is supported")
            }
            throw .malformed("record batch magic \(magic)")
        }
        guard batchLength >= Int32(Self.size - Self.lengthPrefixSize) else {
            throw .malformed("record batch length \(batchLength) is shorter than its header")
        }
        guard buffer.readableBytes - (index - buffer.readerIndex) >= Self.size,
            let partitionLeaderEpoch = buffer.getInteger(at: index + Offsets.partitionLeaderEpoch, as: Int32.self),
            let crc = buffer.getInteger(at: index + Offsets.crc, as: UInt32.self),
            let attributes = buffer.getInteger(at: index + Offsets.attributes, as: Int16.self),
            let lastOffsetDelta = buffer.getInteger(at: index + Offsets.lastOffsetDelta, as: Int32.self),
            let baseTimestamp = buffer.getInteger(at: index + Offsets.baseTimestamp, as: Int64.self),
            let maxTimestamp = buffer.getInteger(at: index + Offsets.maxTimestamp, as: Int64.self),
            let producerID = buffer.getInteger(at: index + Offsets.producerID, as: Int64.self),
            let producerEpoch = buffer.getInteger(at: index + Offsets.producerEpoch, as: Int16.self),
            let baseSequence = buffer.getInteger(at: index + Offsets.baseSequence, as: Int32.self),
            let recordCount = buffer.getInteger(at: index + Offsets.recordCount, as: Int32.self)
        else { throw .truncated("record batch header") }
        guard lastOffsetDelta >= 0, recordCount >= 0 else {
            throw .malformed("record batch with lastOffsetDelta \(lastOffsetDelta), record count \(recordCount)")
        }
        self.baseOffset = baseOffset
        self.batchLength = batchLength
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.magic = magic
        self.crc = crc
        self.attributes = RecordBatchAttributes(rawValue: attributes)
        self.lastOffsetDelta = lastOffsetDelta
        self.baseTimestamp = baseTimestamp
        self.maxTimestamp = maxTimestamp
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.recordCount = recordCount
    }
}

/// The batch's attributes bit field (KIP-98, KIP-32).
public struct RecordBatchAttributes: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    public var compression: CompressionCodec? { CompressionCodec(rawValue: Int8(self.rawValue & 0x07)) }
    public var compressionID: Int8 { Int8(self.rawValue & 0x07) }
    /// Bit 3: timestamps are LogAppendTime (set by the broker) rather than CreateTime.
    public var isLogAppendTime: Bool { self.rawValue & 0x08 != 0 }
    public var isTransactional: Bool { self.rawValue & 0x10 != 0 }
    public var isControl: Bool { self.rawValue & 0x20 != 0 }

    public static let none = RecordBatchAttributes(rawValue: 0)
}

/// Compression codecs by their attribute id.
public enum CompressionCodec: Int8, Sendable, CaseIterable {
    case none = 0
    case gzip = 1
    case snappy = 2
    case lz4 = 3
    case zstd = 4
}
