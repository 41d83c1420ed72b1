import NIOCore

/// A record to be written, before the broker has given it an offset.
public struct NewRecord: Sendable {
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [(key: String, value: [UInt8]?)]
    public var timestamp: Int64

    public init(key: [UInt8]?, value: [UInt8]?, headers: [(key: String, value: [UInt8]?)] = [], timestamp: Int64) {
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }
}

/// An idempotent producer's identity in a batch header (KIP-98): its id, epoch, the sequence number
/// of the batch's first record, and whether the batch belongs to a transaction.
public struct ProducerStamp: Hashable, Sendable {
    public var producerID: Int64
    public var epoch: Int16
    public var baseSequence: Int32
    public var transactional: Bool

    public init(producerID: Int64, epoch: Int16, baseSequence: Int32, transactional: Bool = false) {
        self.producerID = producerID
        self.epoch = epoch
        self.baseSequence = baseSequence
        self.transactional = transactional
    }

    /// A batch from a producer without idempotence.
    public static let none = ProducerStamp(producerID: -1, epoch: -1, baseSequence: -1)
}

/// Encodes RecordBatch v2 bytes the way a Kafka producer would (CreateTime; a producer id when given),
/// so that what the HTTP gateway stores reads back unchanged through a Kafka consumer.
public enum RecordBatchBuilder {
    public static func build(
        _ records: [NewRecord],
        baseOffset: Int64 = 0,
        compression: CompressionCodec = .none,
        level: Int32? = nil,
        producer: ProducerStamp = .none,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) -> ByteBuffer {
        precondition(!records.isEmpty, "a record batch holds at least one record")
        let baseTimestamp = records[0].timestamp
        let maxTimestamp = records.map(\.timestamp).max() ?? baseTimestamp
        var body = allocator.buffer(capacity: records.count * 64)
        for (delta, record) in records.enumerated() {
            writeRecord(record, offsetDelta: Int32(delta), timestampDelta: record.timestamp - baseTimestamp, to: &body)
        }
        // Compressing bytes we just produced fails only if the codec library does; then store uncompressed,
        // and say so in the attributes.
        var codec = compression
        if codec != .none {
            if let compressed = try? RecordCompression.compress(body, codec: codec, level: level) { body = compressed } else { codec = .none }
        }
        var buffer = allocator.buffer(capacity: RecordBatchHeader.size + body.readableBytes)
        buffer.writeInteger(baseOffset)
        buffer.writeInteger(Int32(0))  // batchLength, patched below
        buffer.writeInteger(Int32(-1))  // partitionLeaderEpoch
        buffer.writeInteger(Int8(2))  // magic
        buffer.writeInteger(UInt32(0))  // crc, patched below
        buffer.writeInteger(Int16(codec.rawValue) | (producer.transactional ? 0x10 : 0))  // attributes: codec, CreateTime, transactional
        buffer.writeInteger(Int32(records.count - 1))  // lastOffsetDelta
        buffer.writeInteger(baseTimestamp)
        buffer.writeInteger(maxTimestamp)
        buffer.writeInteger(producer.producerID)
        buffer.writeInteger(producer.epoch)
        buffer.writeInteger(producer.baseSequence)
        buffer.writeInteger(Int32(records.count))
        buffer.writeBuffer(&body)
        finish(&buffer)
        return buffer
    }

    static func writeRecord(
        _ record: NewRecord,
        offsetDelta: Int32,
        timestampDelta: Int64,
        to buffer: inout ByteBuffer
    ) {
        let headers = record.headers.map { (key: Array($0.key.utf8), value: $0.value) }
        writeRecord(record, headers: headers, offsetDelta: offsetDelta, timestampDelta: timestampDelta, to: &buffer)
    }

    /// Writes `record` with `headers` in place of its own: header keys as bytes, which need not be UTF-8.
    static func writeRecord(
        _ record: NewRecord,
        headers: [(key: [UInt8], value: [UInt8]?)],
        offsetDelta: Int32,
        timestampDelta: Int64,
        to buffer: inout ByteBuffer
    ) {
        var body = ByteBuffer()
        body.writeInteger(Int8(0))  // record attributes (unused)
        body.writeVarint64(timestampDelta)
        body.writeVarint32(offsetDelta)
        writeNullableBytes(record.key, to: &body)
        writeNullableBytes(record.value, to: &body)
        body.writeVarint32(Int32(headers.count))
        for header in headers {
            writeNullableBytes(header.key, to: &body)
            writeNullableBytes(header.value, to: &body)
        }
        buffer.writeVarint32(Int32(body.readableBytes))
        buffer.writeBuffer(&body)
    }

    private static func writeNullableBytes(_ bytes: [UInt8]?, to buffer: inout ByteBuffer) {
        guard let bytes else {
            buffer.writeVarint32(-1)
            return
        }
        buffer.writeVarint32(Int32(bytes.count))
        buffer.writeBytes(bytes)
    }
}

extension RecordBatchBuilder {
    /// Re-encodes a stored batch with only `records` (a subset of its own), as log compaction does: the
    /// base offset, last offset delta, producer fields, codec and timestamp type stay, so every kept
    /// record keeps its offset and the batch still spans the same offsets.
    public static func rebuild(_ original: RecordBatch, keeping records: [Record]) -> ByteBuffer {
        precondition(!records.isEmpty, "an emptied batch is deleted, not rebuilt")
        return encode(original.header, records: records, codec: original.header.attributes.compression ?? .none, level: nil)
    }

    /// Re-encodes a producer's batch with another codec, as a topic's `compression.type` asks: the same
    /// records with the same offset deltas, timestamps, keys, values and headers, and the same producer
    /// id, epoch and base sequence, so idempotence sees the batch it was sent. The CRC is recomputed.
    /// Throws when the batch's records cannot be read (an unknown codec, corrupt compressed data, or
    /// more than `maxDecompressedBytes`).
    public static func recompress(
        _ batch: RecordBatch,
        codec: CompressionCodec,
        level: Int32?,
        maxDecompressedBytes: Int = RecordCompression.defaultMaxDecompressedBytes
    ) throws(RecordBatchError) -> ByteBuffer {
        let records = try batch.records(maxDecompressedBytes: maxDecompressedBytes)
        guard !records.isEmpty else { return batch.bytes }  // a control batch, or one with no records: kept as it is
        return encode(batch.header, records: records, codec: codec, level: level)
    }

    /// A batch with `header`'s fields (the codec bits of its attributes replaced by `codec`'s), holding `records`.
    private static func encode(_ header: RecordBatchHeader, records: [Record], codec: CompressionCodec, level: Int32?) -> ByteBuffer {
        var body = ByteBuffer()
        for record in records {
            let newRecord = NewRecord(
                key: record.key.map { Array($0.readableBytesView) },
                value: record.value.map { Array($0.readableBytesView) },
                timestamp: record.timestamp
            )
            // Header keys are copied as bytes: decoding them would replace invalid UTF-8.
            writeRecord(
                newRecord,
                headers: record.headers.map { (key: Array($0.keyBytes.readableBytesView), value: $0.value.map { Array($0.readableBytesView) }) },
                offsetDelta: Int32(record.offset - header.baseOffset),
                timestampDelta: record.timestamp - header.baseTimestamp,
                to: &body
            )
        }
        var attributes = RecordBatchAttributes(rawValue: (header.attributes.rawValue & ~0x07) | Int16(codec.rawValue))
        if codec != .none {
            if let compressed = try? RecordCompression.compress(body, codec: codec, level: level) {
                body = compressed
            } else {
                attributes = RecordBatchAttributes(rawValue: attributes.rawValue & ~0x07)
            }
        }
        let maxTimestamp = header.attributes.isLogAppendTime ? header.maxTimestamp : (records.map(\.timestamp).max() ?? header.maxTimestamp)
        var buffer = ByteBuffer()
        buffer.writeInteger(header.baseOffset)
        buffer.writeInteger(Int32(0))
        buffer.writeInteger(header.partitionLeaderEpoch)
        buffer.writeInteger(Int8(2))
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(attributes.rawValue)
        buffer.writeInteger(header.lastOffsetDelta)
        buffer.writeInteger(header.baseTimestamp)
        buffer.writeInteger(maxTimestamp)
        buffer.writeInteger(header.producerID)
        buffer.writeInteger(header.producerEpoch)
        buffer.writeInteger(header.baseSequence)
        buffer.writeInteger(Int32(records.count))
        buffer.writeBuffer(&body)
        finish(&buffer)
        return buffer
    }

    /// Patches the batch length and the CRC once the bytes are complete.
    static func finish(_ buffer: inout ByteBuffer) {
        let total = buffer.writerIndex
        buffer.setInteger(Int32(total - RecordBatchHeader.lengthPrefixSize), at: RecordBatchHeader.Offsets.batchLength)
        let crc = CRC32C.checksum(buffer, at: RecordBatchHeader.crcCoverageStart, length: total - RecordBatchHeader.crcCoverageStart)!
        buffer.setInteger(crc, at: RecordBatchHeader.Offsets.crc)
    }
}
