import MonologRecords
import MonologStorage
import MonologStorageEngine
import NIOCore
import Testing

/// Strings keep every byte through SQLite's TEXT columns: a NUL inside a group name, a topic config
/// or an offset's metadata is stored and read back, not taken for the end of the string (issue #21).
@Suite struct TextFidelityTests {
    let fixture: StoreFixture

    init() throws { self.fixture = try StoreFixture() }

    @Test func offsetMetadataWithANulComesBackWhole() throws {
        _ = try self.fixture.store.createTopic(name: "t", partitionCount: 1, configs: [:], ifNotExists: false, nowMs: 1)
        let group = "group\u{0}one"
        let commit = GroupOffsetCommit(topic: "t", partition: 0, offset: 7, leaderEpoch: 0, metadata: "Hello\u{0}world!")
        #expect(try self.fixture.store.commitOffsets(group: group, [commit], nowMs: 1) == [nil])

        let committed = try self.fixture.reader.committedOffsets(group: group)
        #expect(committed.map(\.metadata) == ["Hello\u{0}world!"])
        #expect(committed.first?.metadata?.utf8.count == 12)
        #expect(try self.fixture.reader.groupsWithOffsets() == [group])
        // The NUL is part of the key: the group cut at it is another group.
        #expect(try self.fixture.reader.committedOffsets(group: "group").isEmpty)
    }

    @Test func emptyTextIsStoredAsEmptyNotNull() throws {
        _ = try self.fixture.store.createTopic(name: "t", partitionCount: 1, configs: [:], ifNotExists: false, nowMs: 1)
        let commit = GroupOffsetCommit(topic: "t", partition: 0, offset: 1, leaderEpoch: 0, metadata: "")
        _ = try self.fixture.store.commitOffsets(group: "g", [commit], nowMs: 1)
        #expect(try self.fixture.reader.committedOffsets(group: "g").map(\.metadata) == [""])
    }

    /// Compaction rebuilds batches; a header key that is not UTF-8 is copied as bytes, not decoded.
    @Test func compactionKeepsHeaderKeyBytes() throws {
        _ = try self.fixture.store.createTopic(
            name: "c", partitionCount: 1, configs: ["cleanup.policy": "compact"], ifNotExists: false, nowMs: 1
        )
        let rawKey: [UInt8] = [0x68, 0x00, 0xFF, 0xFE, 0x6B]  // "h", NUL, two bytes that are not UTF-8, "k"
        var bytes = RecordBatchBuilder.build([
            NewRecord(key: Array("a".utf8), value: Array("old".utf8), timestamp: 1000),
            NewRecord(key: Array("b".utf8), value: Array("kept".utf8), timestamp: 1000),
        ])
        bytes = Self.settingHeader(rawKey, onSecondRecordOf: bytes)
        _ = try self.fixture.store.append(topic: "c", partition: 0, batches: RecordBatch.split(bytes))
        _ = try self.fixture.store.append(topic: "c", partition: 0, batches: [StoreFixture.keyed([("a", "new")])])
        let result = try self.fixture.store.applyRetention(nowMs: 10_000, defaultRetentionMs: -1, defaultRetentionBytes: -1)
        #expect(result.batchesRewritten == 1)

        let info = try #require(try self.fixture.reader.topic(named: "c"))
        let records = try self.fixture.reader.batches(topicID: info.topicID, partition: 0, fromOffset: 0, maxBytes: 1 << 20)
            .flatMap { try RecordBatch(validating: $0.bytes).records() }
        let kept = try #require(records.first { $0.key == ByteBuffer(string: "b") })
        #expect(kept.headers.map { Array($0.keyBytes.readableBytesView) } == [rawKey])
        #expect(kept.headers.first?.key == "h\u{0}\u{FFFD}\u{FFFD}k")
    }

    /// The batch with one header keyed `headerKey` on its second record (bytes that `NewRecord`'s String
    /// keys cannot express), written by the rebuild that compaction uses.
    static func settingHeader(_ headerKey: [UInt8], onSecondRecordOf bytes: ByteBuffer) -> ByteBuffer {
        let batch = try! RecordBatch.split(bytes).first!
        var records = try! batch.records()
        records[1].headers = [RecordHeader(keyBytes: ByteBuffer(bytes: headerKey), value: ByteBuffer(string: "v"))]
        return RecordBatchBuilder.rebuild(batch, keeping: records)
    }
}
