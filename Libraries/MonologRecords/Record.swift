import NIOCore

/// One record of a batch, with its absolute offset and timestamp resolved against the batch header.
/// Key, value and header values are slices of the batch bytes, not copies.
public struct Record: Hashable, Sendable {
    public var offset: Int64
    public var timestamp: Int64
    public var key: ByteBuffer?
    public var value: ByteBuffer?
    public var headers: [RecordHeader]

    public init(offset: Int64, timestamp: Int64, key: ByteBuffer?, value: ByteBuffer?, headers: [RecordHeader]) {
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value
        self.headers = headers
    }
}

/// A record header. The key is kept as the bytes the producer sent: Kafka's record format calls it a
/// string, but the broker never decodes it, so a key with invalid UTF-8 survives compaction unchanged.
public struct RecordHeader: Hashable, Sendable {
    public var keyBytes: ByteBuffer
    public var value: ByteBuffer?

    public init(keyBytes: ByteBuffer, value: ByteBuffer?) {
        self.keyBytes = keyBytes
        self.value = value
    }

    public init(key: String, value: ByteBuffer?) {
        self.init(keyBytes: ByteBuffer(string: key), value: value)
    }

    /// The key as text, invalid UTF-8 replaced (U+FFFD) as Kafka's clients decode it.
    public var key: String { String(decoding: self.keyBytes.readableBytesView, as: UTF8.self) }
}

extension Record {
    /// Decodes one record (length-prefixed) from `buffer`, resolving offset and timestamp against the batch.
    ///
    ///     length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
    ///     keyLength varint | key | valueLength varint | value | headerCount varint | headers…
    static func read(
        from buffer: inout ByteBuffer,
        baseOffset: Int64,
        baseTimestamp: Int64,
        logAppendTime: Int64?
    ) throws(RecordBatchError) -> Record {
        let length = try buffer.readVarint32()
        guard length >= 0, var body = buffer.readSlice(length: Int(length)) else {
            throw .malformed("record length \(length) exceeds the batch")
        }
        guard body.readInteger(as: Int8.self) != nil else { throw .truncated("record attributes") }
        let timestampDelta = try body.readVarint64()
        let offsetDelta = try body.readVarint32()
        let key = try body.readNullableVarintBytes(what: "record key")
        let value = try body.readNullableVarintBytes(what: "record value")
        let headerCount = try body.readVarint32()
        guard headerCount >= 0, Int(headerCount) <= body.readableBytes else {
            throw .malformed("record header count \(headerCount)")
        }
        var headers: [RecordHeader] = []
        headers.reserveCapacity(Int(headerCount))
        for _ in 0..<headerCount {
            guard let keyBytes = try body.readNullableVarintBytes(what: "header key") else {
                throw .malformed("record header with a null key")
            }
            let headerValue = try body.readNullableVarintBytes(what: "header value")
            headers.append(RecordHeader(keyBytes: keyBytes, value: headerValue))
        }
        guard body.readableBytes == 0 else { throw .malformed("record has \(body.readableBytes) trailing bytes") }
        return Record(
            offset: baseOffset + Int64(offsetDelta),
            timestamp: logAppendTime ?? (baseTimestamp &+ timestampDelta),
            key: key,
            value: value,
            headers: headers
        )
    }
}

extension ByteBuffer {
    /// A varint length followed by that many bytes; -1 means null.
    mutating func readNullableVarintBytes(what: String) throws(RecordBatchError) -> ByteBuffer? {
        let length = try self.readVarint32()
        if length == -1 { return nil }
        guard length >= 0 else { throw .malformed("\(what) length \(length)") }
        guard let bytes = self.readSlice(length: Int(length)) else { throw .truncated(what) }
        return bytes
    }
}
