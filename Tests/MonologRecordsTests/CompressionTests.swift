import MonologRecords
import NIOCore
import Testing

@Suite struct CompressionTests {
    static let codecs: [CompressionCodec] = [.gzip, .snappy, .lz4, .zstd]

    func records(_ count: Int) -> [NewRecord] {
        (0..<count).map { i in
            NewRecord(
                key: Array("key-\(i % 7)".utf8), value: Array(String(repeating: "value \(i) ", count: 20).utf8), headers: [("n", [UInt8(i % 256)])],
                timestamp: 1_700_000_000_000 + Int64(i))
        }
    }

    @Test(arguments: codecs)
    func compressedBatchesReadBackEveryRecord(_ codec: CompressionCodec) throws {
        let original = self.records(500)
        let bytes = RecordBatchBuilder.build(original, baseOffset: 10, compression: codec)
        let batch = try #require(try RecordBatch.split(bytes).first)
        #expect(batch.header.attributes.compression == codec)
        #expect(bytes.readableBytes < 500 * 100, "\(codec) did not compress")
        let decoded = try batch.records()
        #expect(decoded.count == 500)
        #expect(decoded.map(\.offset) == Array(10..<510))
        #expect(decoded.map { Array($0.value!.readableBytesView) } == original.map { $0.value! })
        #expect(decoded[3].key.map { String(buffer: $0) } == "key-3")
    }

    @Test(arguments: codecs)
    func aCompressionBombIsAnErrorNotAnAllocation(_ codec: CompressionCodec) throws {
        // 8 MiB of zeros compresses to almost nothing; a 1 MiB limit must stop it.
        let bomb = ByteBuffer(repeating: 0, count: 8 << 20)
        let compressed = try RecordCompression.compress(bomb, codec: codec)
        #expect(compressed.readableBytes < 1 << 20)
        #expect(throws: RecordBatchError.self) { try RecordCompression.decompress(compressed, codec: codec, maxBytes: 1 << 20) }
        #expect(try RecordCompression.decompress(compressed, codec: codec, maxBytes: 8 << 20).readableBytes == 8 << 20)
    }

    @Test(arguments: codecs)
    func corruptOrTruncatedDataThrows(_ codec: CompressionCodec) throws {
        let compressed = Array(try RecordCompression.compress(ByteBuffer(string: String(repeating: "abc", count: 1000)), codec: codec).readableBytesView)
        for cut in [1, compressed.count / 2, compressed.count - 1] {
            #expect(throws: RecordBatchError.self, "\(codec) cut at \(cut)") {
                try RecordCompression.decompress(ByteBuffer(bytes: compressed[..<cut]), codec: codec)
            }
        }
        var garbage = compressed
        for index in stride(from: 0, to: garbage.count, by: 3) { garbage[index] ^= 0x5A }
        do {
            _ = try RecordCompression.decompress(ByteBuffer(bytes: garbage), codec: codec)
        } catch {
            // A typed error: fine. Garbage that happens to decode is fine too; a crash is not.
        }
    }

    @Test func rawSnappyAsLibrdkafkaWritesItIsRead() throws {
        // librdkafka and franz-go send one raw snappy block with no xerial framing.
        let text = Array(String(repeating: "librdkafka ", count: 300).utf8)
        let xerial = Array(try RecordCompression.compress(ByteBuffer(bytes: text), codec: .snappy).readableBytesView)
        #expect(Array(xerial.prefix(8)) == [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00])
        // The first xerial block is itself a raw snappy block: strip the framing to get one.
        let rawLength = Int(UInt32(xerial[16]) << 24 | UInt32(xerial[17]) << 16 | UInt32(xerial[18]) << 8 | UInt32(xerial[19]))
        let raw = Array(xerial[20..<(20 + rawLength)])
        #expect(Array(try RecordCompression.decompress(ByteBuffer(bytes: raw), codec: .snappy).readableBytesView) == text)
    }

    @Test func gzipOutputIsAStandardGzipStream() throws {
        let compressed = Array(try RecordCompression.compress(ByteBuffer(string: "hello"), codec: .gzip).readableBytesView)
        #expect(Array(compressed.prefix(2)) == [0x1F, 0x8B])
    }

    @Test func lz4OutputIsAFrame() throws {
        let compressed = Array(try RecordCompression.compress(ByteBuffer(string: "hello"), codec: .lz4).readableBytesView)
        #expect(Array(compressed.prefix(4)) == [0x04, 0x22, 0x4D, 0x18])
    }

    @Test func anUnknownCodecIsUnsupported() throws {
        var bytes = RecordBatchBuilder.build(self.records(1))
        bytes.setInteger(Int16(6), at: RecordBatchHeader.Offsets.attributes)
        // Fix the CRC so only the codec is wrong.
        let crc = CRC32C.checksum(bytes, at: RecordBatchHeader.crcCoverageStart, length: bytes.readableBytes - RecordBatchHeader.crcCoverageStart)!
        bytes.setInteger(crc, at: RecordBatchHeader.Offsets.crc)
        let batch = try #require(try RecordBatch.split(bytes).first)
        do {
            _ = try batch.records()
            Issue.record("codec 6 accepted")
        } catch {
            #expect(error.code == .unsupported)
        }
    }
}
