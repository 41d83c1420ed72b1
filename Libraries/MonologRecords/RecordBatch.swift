import NIOCore

/// A whole RecordBatch v2: its parsed header and its bytes (a slice of what arrived, not a copy).
public struct RecordBatch: Hashable, Sendable {
    public private(set) var header: RecordBatchHeader
    /// Exactly `header.totalSize` bytes.
    public private(set) var bytes: ByteBuffer

    /// Validates one batch: header, declared length within `bytes`, and CRC-32C.
    public init(validating bytes: ByteBuffer) throws(RecordBatchError) {
        let header = try RecordBatchHeader(from: bytes, at: bytes.readerIndex)
        guard header.totalSize == bytes.readableBytes else {
            throw .malformed("record batch declares \(header.totalSize) bytes but \(bytes.readableBytes) were given")
        }
        let covered = header.totalSize - RecordBatchHeader.crcCoverageStart
        let computed = CRC32C.checksum(bytes, at: bytes.readerIndex + RecordBatchHeader.crcCoverageStart, length: covered)
        guard computed == header.crc else {
            throw .corrupt("record batch CRC-32C mismatch: stored \(header.crc), computed \(computed ?? 0)")
        }
        self.header = header
        self.bytes = bytes
    }

    /// Splits concatenated batches (a Produce request's records field, or rows read back from storage)
    /// and validates each. A trailing partial batch is an error: producers never send one.
    public static func split(_ buffer: ByteBuffer) throws(RecordBatchError) -> [RecordBatch] {
        var rest = buffer
        var batches: [RecordBatch] = []
        while rest.readableBytes > 0 {
            let header = try RecordBatchHeader(from: rest, at: rest.readerIndex)
            guard let slice = rest.readSlice(length: header.totalSize) else {
                throw .truncated("record batch of \(header.totalSize) bytes")
            }
            batches.append(try RecordBatch(validating: slice))
        }
        return batches
    }

    /// Sets the offset of the first record. The CRC does not cover this field, so it stays valid.
    public mutating func assignBaseOffset(_ offset: Int64) {
        self.bytes.setInteger(offset, at: self.bytes.readerIndex + RecordBatchHeader.Offsets.baseOffset)
        self.bytes.setInteger(Int32(0), at: self.bytes.readerIndex + RecordBatchHeader.Offsets.partitionLeaderEpoch)
        self.header.baseOffset = offset
        self.header.partitionLeaderEpoch = 0
    }

    /// Marks the batch's timestamps as the broker's (`message.timestamp.type=LogAppendTime`): sets the
    /// timestamp-type attribute and `maxTimestamp`, as Kafka does, and recomputes the CRC, which covers
    /// both. Readers then give every record this timestamp.
    public mutating func stampLogAppendTime(_ timestamp: Int64) {
        let start = self.bytes.readerIndex
        self.header.attributes = RecordBatchAttributes(rawValue: self.header.attributes.rawValue | 0x08)
        self.header.maxTimestamp = timestamp
        self.bytes.setInteger(self.header.attributes.rawValue, at: start + RecordBatchHeader.Offsets.attributes)
        self.bytes.setInteger(timestamp, at: start + RecordBatchHeader.Offsets.maxTimestamp)
        let covered = self.header.totalSize - RecordBatchHeader.crcCoverageStart
        let crc = CRC32C.checksum(self.bytes, at: start + RecordBatchHeader.crcCoverageStart, length: covered) ?? 0
        self.bytes.setInteger(crc, at: start + RecordBatchHeader.Offsets.crc)
        self.header.crc = crc
    }

    /// The records of the batch, decompressed when the batch is compressed. `maxDecompressedBytes` bounds
    /// what a compressed batch may expand to (a compression bomb is an error, not an out-of-memory).
    public func records(
        maxDecompressedBytes: Int = RecordCompression.defaultMaxDecompressedBytes
    ) throws(RecordBatchError) -> [Record] {
        guard let codec = self.header.attributes.compression else {
            throw .unsupported("compression codec \(self.header.attributes.compressionID)")
        }
        guard !self.header.attributes.isControl else { return [] }
        var body = self.bytes.getSlice(
            at: self.bytes.readerIndex + RecordBatchHeader.size,
            length: self.bytes.readableBytes - RecordBatchHeader.size
        )!  // in range: init checked totalSize >= header size
        if codec != .none {
            body = try RecordCompression.decompress(body, codec: codec, maxBytes: maxDecompressedBytes)
        }
        let logAppendTime = self.header.attributes.isLogAppendTime ? self.header.maxTimestamp : nil
        var records: [Record] = []
        records.reserveCapacity(min(Int(self.header.recordCount), body.readableBytes))
        for _ in 0..<self.header.recordCount {
            records.append(
                try Record.read(
                    from: &body,
                    baseOffset: self.header.baseOffset,
                    baseTimestamp: self.header.baseTimestamp,
                    logAppendTime: logAppendTime
                )
            )
        }
        guard body.readableBytes == 0 else { throw .malformed("record batch has \(body.readableBytes) trailing bytes") }
        return records
    }
}
