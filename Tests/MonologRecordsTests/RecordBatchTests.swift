import MonologRecords
import NIOCore
import Testing

@Suite struct RecordBatchTests {
    let records = [
        NewRecord(key: Array("k1".utf8), value: Array("hello".utf8), headers: [("h", Array("v".utf8))], timestamp: 1_700_000_000_000),
        NewRecord(key: nil, value: Array("second".utf8), timestamp: 1_700_000_000_005),
        NewRecord(key: Array("k3".utf8), value: nil, headers: [("null-header", nil)], timestamp: 1_699_999_999_999),
    ]

    @Test func builtBatchReadsBackEveryField() throws {
        let bytes = RecordBatchBuilder.build(self.records, baseOffset: 40)
        let batches = try RecordBatch.split(bytes)
        #expect(batches.count == 1)
        let batch = try #require(batches.first)
        #expect(batch.header.baseOffset == 40)
        #expect(batch.header.lastOffset == 42)
        #expect(batch.header.recordCount == 3)
        #expect(batch.header.maxTimestamp == 1_700_000_000_005)
        let decoded = try batch.records()
        #expect(decoded.map(\.offset) == [40, 41, 42])
        #expect(decoded.map(\.timestamp) == [1_700_000_000_000, 1_700_000_000_005, 1_699_999_999_999])
        #expect(decoded[0].key.map { String(buffer: $0) } == "k1")
        #expect(decoded[0].value.map { String(buffer: $0) } == "hello")
        #expect(decoded[0].headers == [RecordHeader(key: "h", value: ByteBuffer(string: "v"))])
        #expect(decoded[1].key == nil)
        #expect(decoded[2].value == nil)
        #expect(decoded[2].headers == [RecordHeader(key: "null-header", value: nil)])
    }

    @Test func assigningBaseOffsetKeepsTheCRCValid() throws {
        var batch = try #require(try RecordBatch.split(RecordBatchBuilder.build(self.records)).first)
        batch.assignBaseOffset(1_000_000)
        let revalidated = try RecordBatch(validating: batch.bytes)
        #expect(try revalidated.records().map(\.offset) == [1_000_000, 1_000_001, 1_000_002])
    }

    @Test func concatenatedBatchesSplitInOrder() throws {
        var bytes = RecordBatchBuilder.build([self.records[0]], baseOffset: 0)
        var second = RecordBatchBuilder.build([self.records[1], self.records[2]], baseOffset: 1)
        bytes.writeBuffer(&second)
        let batches = try RecordBatch.split(bytes)
        #expect(batches.map(\.header.baseOffset) == [0, 1])
        #expect(batches.map(\.header.recordCount) == [1, 2])
    }

    @Test func aFlippedByteIsReportedAsCorrupt() throws {
        var bytes = RecordBatchBuilder.build(self.records)
        let index = bytes.writerIndex - 3
        bytes.setInteger(bytes.getInteger(at: index, as: UInt8.self)! ^ 0xFF, at: index)
        #expect(throws: RecordBatchError.self) { try RecordBatch.split(bytes) }
        do {
            _ = try RecordBatch.split(bytes)
        } catch {
            #expect(error.code == .corrupt)
        }
    }

    @Test func truncatedBatchesThrowInsteadOfCrashing() throws {
        let bytes = RecordBatchBuilder.build(self.records)
        for length in [0, 1, 11, 12, 30, 60, 61, bytes.readableBytes - 1] where length > 0 {
            let slice = bytes.getSlice(at: 0, length: length)!
            #expect(throws: RecordBatchError.self) { try RecordBatch.split(slice) }
        }
    }

    @Test func magicOneMessageSetsAreUnsupportedNotMisread() throws {
        var bytes = RecordBatchBuilder.build(self.records)
        bytes.setInteger(Int8(1), at: RecordBatchHeader.Offsets.magic)
        do {
            _ = try RecordBatch.split(bytes)
            Issue.record("a magic 1 message set was accepted")
        } catch {
            #expect(error.code == .unsupported)
        }
    }

    @Test func hostileLengthsAreRejected() throws {
        var bytes = RecordBatchBuilder.build(self.records)
        bytes.setInteger(Int32.max, at: RecordBatchHeader.Offsets.batchLength)
        #expect(throws: RecordBatchError.self) { try RecordBatch.split(bytes) }
        bytes.setInteger(Int32(-5), at: RecordBatchHeader.Offsets.batchLength)
        #expect(throws: RecordBatchError.self) { try RecordBatch.split(bytes) }
    }
}

@Suite struct VarintTests {
    @Test(arguments: [Int32.min, -65, -64, -1, 0, 1, 63, 64, 300, Int32.max])
    func varint32RoundTrips(_ value: Int32) throws {
        var buffer = ByteBuffer()
        buffer.writeVarint32(value)
        #expect(buffer.readableBytes == varint32Size(value))
        #expect(try buffer.readVarint32() == value)
    }

    @Test(arguments: [Int64.min, -1, 0, 1, 1 << 40, Int64.max])
    func varint64RoundTrips(_ value: Int64) throws {
        var buffer = ByteBuffer()
        buffer.writeVarint64(value)
        #expect(try buffer.readVarint64() == value)
    }

    @Test func aVarintThatNeverEndsThrows() {
        var buffer = ByteBuffer(bytes: [UInt8](repeating: 0xFF, count: 20))
        #expect(throws: RecordBatchError.self) { try buffer.readVarint32() }
    }
}

@Suite struct CRC32CTests {
    @Test func matchesTheStandardCheckValue() {
        // The CRC-32C check value from the Castagnoli/iSCSI specification (RFC 3720).
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func hardwareAndPortableAgree() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 7, 8, 9, 63, 64, 65, 1000, 4099] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let fast = CRC32C.checksum(bytes)
            let portable = bytes.withUnsafeBytes { CRC32CPortable.checksum($0) }
            #expect(fast == portable, "length \(length)")
        }
    }
}

@Suite struct KafkaPartitionerTests {
    /// Values from Kafka's own UtilsTest.testMurmur2.
    @Test func murmur2MatchesTheJavaClient() {
        #expect(KafkaPartitioner.murmur2(Array("21".utf8)) == -973_932_308)
        #expect(KafkaPartitioner.murmur2(Array("foobar".utf8)) == -790_332_482)
        #expect(KafkaPartitioner.murmur2(Array("a-little-bit-long-string".utf8)) == -985_981_536)
        #expect(KafkaPartitioner.murmur2(Array("a-little-bit-longer-string".utf8)) == -1_486_304_829)
        #expect(KafkaPartitioner.murmur2(Array("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8".utf8)) == -58_897_971)
        #expect(KafkaPartitioner.murmur2([UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "c")]) == 479_470_107)
    }

    @Test func keysAlwaysLandInRange() {
        for key in ["", "a", "user-1", "user-2", "🙂"] {
            let partition = KafkaPartitioner.partition(forKey: Array(key.utf8), partitionCount: 7)
            #expect((0..<7).contains(partition))
        }
    }
}
