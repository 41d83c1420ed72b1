import MonologRecords
import MonologStorage
import MonologStorageEngine
import Testing

@Suite struct RetentionAndCompactionTests {
    let fixture: StoreFixture
    init() throws { self.fixture = try StoreFixture() }

    func create(_ name: String, configs: [String: String] = [:]) throws {
        _ = try self.fixture.store.createTopic(name: name, partitionCount: 1, configs: configs, ifNotExists: false, nowMs: 1)
    }

    func append(_ topic: String, _ entries: [(key: String, value: String?)], timestamp: Int64 = 1000) throws {
        _ = try self.fixture.store.append(topic: topic, partition: 0, batches: [StoreFixture.keyed(entries, timestamp: timestamp)])
    }

    /// Kafka's LogValidator: a compacted topic refuses a batch with keyless records, naming each one by
    /// its index in the batch, and stores nothing of the append (issue #21).
    @Test func aCompactedTopicRefusesKeylessRecordsByIndexAndStoresNothing() throws {
        try self.create("c", configs: ["cleanup.policy": "delete,compact"])
        let records = [Array("a".utf8), nil, Array("c".utf8), nil].map { NewRecord(key: $0, value: Array("v".utf8), timestamp: 1000) }
        let batches = try RecordBatch.split(RecordBatchBuilder.build(records, compression: .gzip))
        let message = "compacted topic partition c-0 needs a key on every record"
        #expect(
            throws: StorageError(
                .invalidRecord,
                "2 of the batch's 4 records refused, so the batch was not stored (first three at most: record 1: \(message); record 3: \(message))",
                recordErrors: [RecordError(batchIndex: 1, message: message), RecordError(batchIndex: 3, message: message)]
            )
        ) {
            try self.fixture.store.append(topic: "c", partition: 0, batches: [StoreFixture.keyed([("k", "v")])] + batches)
        }
        #expect(try self.fixture.records("c").isEmpty)
        // A topic that only deletes takes keyless records.
        try self.create("d")
        _ = try self.fixture.store.append(topic: "d", partition: 0, batches: batches)
        #expect(try self.fixture.records("d").count == 4)
    }

    @Test func deleteRecordsMovesTheLogStartAndHidesWhatLiesBelow() throws {
        try self.create("d")
        try self.append("d", [("a", "1"), ("b", "2")])
        try self.append("d", [("c", "3")])
        #expect(try self.fixture.store.deleteRecords(topic: "d", partition: 0, before: 1) == 1)
        #expect(try self.fixture.records("d").map(\.offset) == [1, 2])
        // Past the high watermark is refused; -1 means the high watermark.
        #expect(throws: StorageError.self) { try self.fixture.store.deleteRecords(topic: "d", partition: 0, before: 9) }
        #expect(try self.fixture.store.deleteRecords(topic: "d", partition: 0, before: -1) == 3)
        #expect(try self.fixture.records("d").isEmpty)
    }

    @Test func retentionBytesDeletesTheOldestBatches() throws {
        try self.create("s", configs: ["retention.bytes": "200"])
        for i in 0..<6 { try self.append("s", [("k\(i)", String(repeating: "v", count: 60))]) }
        let result = try self.fixture.store.applyRetention(nowMs: 2000, defaultRetentionMs: -1, defaultRetentionBytes: -1)
        #expect(result.batchesDeleted > 0)
        let remaining = try self.fixture.records("s")
        #expect(remaining.last?.offset == 5, "the newest data must stay")
        #expect(remaining.map(\.offset) == Array(remaining.first!.offset...5))
        let topic = try self.fixture.reader.topic(named: "s")!
        #expect(try self.fixture.reader.partitionSize(topicID: topic.topicID, partition: 0) <= 200)
    }

    @Test func compactionKeepsTheLatestValuePerKeyWithOffsetsUnchanged() throws {
        try self.create("c", configs: ["cleanup.policy": "compact", "delete.retention.ms": "100000"])
        try self.append("c", [("a", "a1"), ("b", "b1")])
        try self.append("c", [("a", "a2"), ("c", "c1")])
        try self.append("c", [("b", nil), ("d", "d1")], timestamp: 5000)  // b deleted by a tombstone
        let result = try self.fixture.store.applyRetention(nowMs: 6000, defaultRetentionMs: -1, defaultRetentionBytes: -1)
        #expect(result.batchesDeleted + result.batchesRewritten > 0)
        let records = try self.fixture.records("c")
        #expect(records.map(\.offset) == [2, 3, 4, 5])
        #expect(records.map(\.key) == ["a", "c", "b", "d"])
        #expect(records.map(\.value) == ["a2", "c1", nil, "d1"])
        // Once delete.retention.ms has passed, the tombstone goes too.
        _ = try self.fixture.store.applyRetention(nowMs: 5000 + 100_001, defaultRetentionMs: -1, defaultRetentionBytes: -1)
        #expect(try self.fixture.records("c").map(\.key) == ["a", "c", "d"])
        // New data continues from the same offsets.
        try self.append("c", [("a", "a3")])
        #expect(try self.fixture.records("c").last?.offset == 6)
    }

    @Test func compactionRewritesCompressedBatchesWithTheirCodec() throws {
        try self.create("z", configs: ["cleanup.policy": "compact"])
        let records = (0..<50).map { NewRecord(key: Array("k\($0 % 5)".utf8), value: Array("v\($0)".utf8), timestamp: 1000) }
        let batch = try RecordBatch.split(RecordBatchBuilder.build(records, compression: .zstd)).first!
        _ = try self.fixture.store.append(topic: "z", partition: 0, batches: [batch])
        _ = try self.fixture.store.applyRetention(nowMs: 2000, defaultRetentionMs: -1, defaultRetentionBytes: -1)
        let kept = try self.fixture.records("z")
        #expect(kept.map(\.offset) == [45, 46, 47, 48, 49])
        #expect(kept.map(\.value) == ["v45", "v46", "v47", "v48", "v49"])
        let topic = try self.fixture.reader.topic(named: "z")!
        let stored = try self.fixture.reader.batches(topicID: topic.topicID, partition: 0, fromOffset: 0, maxBytes: 1 << 20)
        #expect(try RecordBatch(validating: stored[0].bytes).header.attributes.compression == .zstd)
        #expect(try RecordBatch(validating: stored[0].bytes).header.lastOffset == 49)
    }

    @Test func topicConfigsAreValidatedByName() throws {
        #expect(throws: StorageError.self) { try self.create("bad", configs: ["retention.ms": "soon"]) }
        #expect(throws: StorageError.self) { try self.create("bad", configs: ["segment.bytes": "1"]) }
        try self.create("ok", configs: ["retention.ms": "1000"])
        try self.fixture.store.alterTopicConfigs(name: "ok", set: ["cleanup.policy": "compact,delete"], delete: ["retention.ms"])
        let topic = try self.fixture.reader.topic(named: "ok")!
        #expect(try self.fixture.reader.configs(topicID: topic.topicID) == ["cleanup.policy": "compact,delete"])
        #expect(throws: StorageError.self) { try self.fixture.store.alterTopicConfigs(name: "ok", set: ["cleanup.policy": "shred"], delete: []) }
    }

    @Test func groupOffsetsRoundTripAndFollowTheirTopic() throws {
        try self.create("g")
        let results = try self.fixture.store.commitOffsets(
            group: "readers",
            [
                .init(topic: "g", partition: 0, offset: 5, leaderEpoch: 0, metadata: "m"),
                .init(topic: "missing", partition: 0, offset: 1, leaderEpoch: -1, metadata: nil),
                .init(topic: "g", partition: 3, offset: 1, leaderEpoch: -1, metadata: nil),
            ],
            nowMs: 10
        )
        #expect(results == [nil, .unknownTopic, .invalidPartition])
        let committed = try self.fixture.reader.committedOffsets(group: "readers")
        #expect(committed.map(\.offset) == [5])
        #expect(committed.first?.metadata == "m")
        #expect(committed.first?.leaderEpoch == 0)
        #expect(try self.fixture.reader.groupsWithOffsets() == ["readers"])
        try self.fixture.store.deleteTopic(name: "g")
        #expect(try self.fixture.reader.committedOffsets(group: "readers").isEmpty)
    }
}
