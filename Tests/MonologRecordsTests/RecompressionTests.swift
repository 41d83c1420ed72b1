import MonologRecords
import NIOCore
import Testing

/// A topic's compression.type rebuilds a producer's batch in another codec: everything a consumer or an
/// idempotent producer relies on must survive.
@Suite struct RecompressionTests {
    static let codecs: [CompressionCodec] = [.none, .gzip, .snappy, .lz4, .zstd]

    static func producerBatch(_ codec: CompressionCodec) -> ByteBuffer {
        var records: [NewRecord] = []
        for i in 0..<40 {
            let key: [UInt8]? = i % 5 == 0 ? nil : Array("key-\(i)".utf8)
            let value: [UInt8]? = i % 7 == 0 ? nil : Array(String(repeating: "v\(i) ", count: 30).utf8)
            let timestamp: Int64 = 1_700_000_000_000 + Int64(i * 3 % 17)
            records.append(NewRecord(key: key, value: value, headers: [("h", [UInt8(i)]), ("empty", nil)], timestamp: timestamp))
        }
        return RecordBatchBuilder.build(records, compression: codec, producer: ProducerStamp(producerID: 42, epoch: 3, baseSequence: 120))
    }

    @Test(arguments: codecs, codecs)
    func recompressingKeepsRecordsAndProducerFields(_ from: CompressionCodec, _ to: CompressionCodec) throws {
        let original = try #require(try RecordBatch.split(Self.producerBatch(from)).first)
        let rebuilt = try #require(try RecordBatch.split(try RecordBatchBuilder.recompress(original, codec: to, level: nil)).first)
        #expect(rebuilt.header.attributes.compression == to)
        #expect(rebuilt.header.producerID == 42 && rebuilt.header.producerEpoch == 3 && rebuilt.header.baseSequence == 120)
        #expect(rebuilt.header.lastOffsetDelta == original.header.lastOffsetDelta)
        #expect(rebuilt.header.recordCount == original.header.recordCount)
        #expect(rebuilt.header.baseTimestamp == original.header.baseTimestamp)
        #expect(rebuilt.header.maxTimestamp == original.header.maxTimestamp)
        #expect(try rebuilt.records() == original.records())
    }

    @Test(arguments: [Int32(1), 9])
    func theGzipLevelIsTheOneAskedFor(_ level: Int32) throws {
        let original = try #require(try RecordBatch.split(Self.producerBatch(.none)).first)
        let rebuilt = try RecordBatchBuilder.recompress(original, codec: .gzip, level: level)
        // A gzip header's XFL byte says 2 for level 9 and 4 for level 1.
        #expect(rebuilt.getInteger(at: RecordBatchHeader.size + 8, as: UInt8.self) == (level == 9 ? 2 : 4))
    }

    @Test func unreadableCompressedRecordsThrow() throws {
        var bytes = Self.producerBatch(.zstd)
        // Corrupt the compressed records, then fix the CRC so only decompression can notice.
        bytes.setInteger(UInt32(0xDEAD_BEEF), at: RecordBatchHeader.size + 4)
        let crc = CRC32C.checksum(bytes, at: RecordBatchHeader.crcCoverageStart, length: bytes.readableBytes - RecordBatchHeader.crcCoverageStart)!
        bytes.setInteger(crc, at: RecordBatchHeader.Offsets.crc)
        let batch = try #require(try RecordBatch.split(bytes).first)
        #expect(throws: RecordBatchError.self) { try RecordBatchBuilder.recompress(batch, codec: .gzip, level: nil) }
    }
}
