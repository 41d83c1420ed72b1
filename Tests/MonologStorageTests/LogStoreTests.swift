import Foundation
import MonologRecords
import MonologStorage
import MonologStorageEngine
import NIOCore
import Testing

/// The write operations and the read side against a real SQLite file.
@Suite struct LogStoreTests {
    let directory: DataDirectory
    let writer: SQLiteConnection
    let store: LogStore

    init() throws {
        let path = NSTemporaryDirectory() + "monolog-storage-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.directory = DataDirectory(path: path)
        self.writer = try SQLiteConnection.openForWriting(self.directory)
        self.store = LogStore(connection: self.writer)
    }

    func batch(_ values: [String], timestamp: Int64 = 1000) -> RecordBatch {
        let records = values.map { NewRecord(key: nil, value: Array($0.utf8), timestamp: timestamp) }
        return try! RecordBatch.split(RecordBatchBuilder.build(records)).first!
    }

    @Test func theDatabaseIsInWALModeWithFullSync() throws {
        #expect(try self.writer.pragma("journal_mode") == "wal")
        #expect(try self.writer.pragma("synchronous") == "2")  // FULL
        #expect(try self.writer.pragma("user_version") == "\(StorageSchema.latestVersion)")
    }

    @Test func appendsGetContiguousOffsetsAndReadBack() throws {
        _ = try self.store.createTopic(name: "t", partitionCount: 2, configs: [:], ifNotExists: false, nowMs: 1)
        let first = try self.store.append(topic: "t", partition: 1, batches: [self.batch(["a", "b"])])
        let second = try self.store.append(topic: "t", partition: 1, batches: [self.batch(["c"]), self.batch(["d", "e"])])
        #expect(first == LogStore.AppendResult(baseOffset: 0, lastOffset: 1, logStartOffset: 0))
        #expect(second == LogStore.AppendResult(baseOffset: 2, lastOffset: 4, logStartOffset: 0))

        let reader = try StorageReader(directory: self.directory)
        let topic = try #require(try reader.topic(named: "t"))
        #expect(topic.partitionCount == 2)
        #expect(try reader.partitionOffsets(topicID: topic.topicID).map(\.highWatermark) == [0, 5])
        let batches = try reader.batches(topicID: topic.topicID, partition: 1, fromOffset: 3, maxBytes: 1 << 20)
        // Offset 3 is inside the third batch (offsets 3...4): that batch comes first.
        #expect(batches.map(\.baseOffset) == [3])
        let values = try batches.flatMap { try RecordBatch(validating: $0.bytes).records() }.map { String(buffer: $0.value!) }
        #expect(values == ["d", "e"])
    }

    @Test func clientMistakesAreTypedErrors() throws {
        _ = try self.store.createTopic(name: "t", partitionCount: 1, configs: [:], ifNotExists: false, nowMs: 1)
        #expect(throws: StorageError(.unknownTopic, "topic 'nope' does not exist")) {
            try self.store.append(topic: "nope", partition: 0, batches: [self.batch(["x"])])
        }
        #expect(throws: StorageError.self) { try self.store.append(topic: "t", partition: 1, batches: [self.batch(["x"])]) }
        #expect(throws: StorageError.self) {
            try self.store.createTopic(name: "t", partitionCount: 1, configs: [:], ifNotExists: false, nowMs: 1)
        }
        #expect(throws: StorageError.self) {
            try self.store.createTopic(name: "../x", partitionCount: 1, configs: [:], ifNotExists: false, nowMs: 1)
        }
        let again = try self.store.createTopic(name: "t", partitionCount: 5, configs: [:], ifNotExists: true, nowMs: 1)
        #expect(again.created == false)
        #expect(again.topic.partitionCount == 1)
    }

    @Test func logAppendTimeTopicsTakeTheBrokersTimeAndBatchesOverMaxMessageBytesAreRefused() throws {
        let configs = ["message.timestamp.type": "LogAppendTime", "max.message.bytes": "200"]
        _ = try self.store.createTopic(name: "t", partitionCount: 1, configs: configs, ifNotExists: false, nowMs: 1)
        let appended = try self.store.append(topic: "t", partition: 0, batches: [self.batch(["a", "b"], timestamp: 1000)], nowMs: 5000)
        #expect(appended.logAppendTimeMs == 5000)
        let reader = try StorageReader(directory: self.directory)
        let topic = try #require(try reader.topic(named: "t"))
        let stored = try #require(try reader.batches(topicID: topic.topicID, partition: 0, fromOffset: 0, maxBytes: 1 << 20).first)
        let batch = try RecordBatch(validating: stored.bytes)  // the CRC was recomputed
        #expect(batch.header.attributes.isLogAppendTime)
        #expect(batch.header.maxTimestamp == 5000)
        #expect(try batch.records().map(\.timestamp) == [5000, 5000])
        #expect(try reader.offset(forTimestamp: 4000, topicID: topic.topicID, partition: 0, logStartOffset: 0)?.offset == 0)

        let large = self.batch([String(repeating: "x", count: 300)])
        #expect(throws: StorageError.self) { try self.store.append(topic: "t", partition: 0, batches: [large]) }
        try self.store.alterTopicConfigs(name: "t", set: ["max.message.bytes": "1000", "message.timestamp.type": "CreateTime"], delete: [])
        let accepted = try self.store.append(topic: "t", partition: 0, batches: [large])
        #expect(accepted.baseOffset == 2)
        #expect(accepted.logAppendTimeMs == -1, "CreateTime again: the producer's timestamps stay")
    }

    @Test func aTopicGrowsButNeverShrinks() throws {
        _ = try self.store.createTopic(name: "t", partitionCount: 2, configs: [:], ifNotExists: false, nowMs: 1)
        _ = try self.store.append(topic: "t", partition: 1, batches: [self.batch(["kept"])])
        #expect(throws: StorageError.self) { try self.store.append(topic: "t", partition: 3, batches: [self.batch(["x"])]) }
        try self.store.createPartitions(topic: "t", totalCount: 4)
        let appended = try self.store.append(topic: "t", partition: 3, batches: [self.batch(["new"])])
        #expect(appended.baseOffset == 0)
        let reader = try StorageReader(directory: self.directory)
        let topic = try #require(try reader.topic(named: "t"))
        #expect(topic.partitionCount == 4)
        #expect(try reader.partitionOffsets(topicID: topic.topicID).map(\.highWatermark) == [0, 1, 0, 1])
        #expect(throws: StorageError.self) { try self.store.createPartitions(topic: "t", totalCount: 4) }
        #expect(throws: StorageError.self) { try self.store.createPartitions(topic: "t", totalCount: 3) }
        #expect(throws: StorageError.self) { try self.store.createPartitions(topic: "t", totalCount: 10_001) }
        #expect(throws: StorageError.self) { try self.store.createPartitions(topic: "absent", totalCount: 2) }
    }

    @Test func deletingATopicRemovesItsData() throws {
        _ = try self.store.createTopic(name: "gone", partitionCount: 1, configs: ["retention.ms": "5"], ifNotExists: false, nowMs: 1)
        _ = try self.store.append(topic: "gone", partition: 0, batches: [self.batch(["x"])])
        try self.store.deleteTopic(name: "gone")
        let reader = try StorageReader(directory: self.directory)
        #expect(try reader.topic(named: "gone") == nil)
        #expect(throws: StorageError.self) { try self.store.deleteTopic(name: "gone") }
        // A new topic of the same name starts empty, with a new id.
        _ = try self.store.createTopic(name: "gone", partitionCount: 1, configs: [:], ifNotExists: false, nowMs: 1)
        let fresh = try #require(try reader.topic(named: "gone"))
        #expect(try reader.batches(topicID: fresh.topicID, partition: 0, fromOffset: 0, maxBytes: 1 << 20).isEmpty)
        #expect(try reader.configs(topicID: fresh.topicID).isEmpty)
    }

    @Test func retentionDeletesOldBatchesFromTheStartAndMovesTheLogStart() throws {
        _ = try self.store.createTopic(name: "r", partitionCount: 1, configs: [:], ifNotExists: false, nowMs: 1)
        _ = try self.store.append(topic: "r", partition: 0, batches: [self.batch(["old1", "old2"], timestamp: 100)])
        _ = try self.store.append(topic: "r", partition: 0, batches: [self.batch(["new"], timestamp: 5000)])
        _ = try self.store.append(topic: "r", partition: 0, batches: [self.batch(["old-but-after-new"], timestamp: 100)])
        #expect(try self.store.applyRetention(nowMs: 2000, defaultRetentionMs: 1000, defaultRetentionBytes: -1).batchesDeleted == 1)
        let reader = try StorageReader(directory: self.directory)
        let topic = try #require(try reader.topic(named: "r"))
        let offsets = try #require(try reader.partitionOffsets(topicID: topic.topicID).first)
        #expect(offsets.logStartOffset == 2)
        #expect(offsets.highWatermark == 4)
        // Everything newer than the cutoff is gone once it ages out, and the log start reaches the end.
        #expect(try self.store.applyRetention(nowMs: 11_000, defaultRetentionMs: 1000, defaultRetentionBytes: -1).batchesDeleted == 2)
        #expect(try reader.partitionOffsets(topicID: topic.topicID).first?.logStartOffset == 4)
        #expect(try self.store.append(topic: "r", partition: 0, batches: [self.batch(["next"])]).baseOffset == 4)
    }

    @Test func readsRespectMaxBytesButAlwaysReturnOneBatch() throws {
        _ = try self.store.createTopic(name: "m", partitionCount: 1, configs: [:], ifNotExists: false, nowMs: 1)
        for i in 0..<5 { _ = try self.store.append(topic: "m", partition: 0, batches: [self.batch(["value-\(i)"])]) }
        let reader = try StorageReader(directory: self.directory)
        let topic = try #require(try reader.topic(named: "m"))
        #expect(try reader.batches(topicID: topic.topicID, partition: 0, fromOffset: 0, maxBytes: 1).count == 1)
        #expect(try reader.batches(topicID: topic.topicID, partition: 0, fromOffset: 0, maxBytes: 1 << 20).count == 5)
    }

    @Test(arguments: ["", ".", "..", "../x", "a/b", "with space", String(repeating: "x", count: 250), "ünïcode"])
    func illegalTopicNamesAreRefused(_ name: String) {
        #expect(TopicName.problem(with: name) != nil)
    }

    @Test(arguments: ["t", "orders.v1", "a_b-c", String(repeating: "x", count: 249)])
    func legalTopicNamesAreAccepted(_ name: String) {
        #expect(TopicName.problem(with: name) == nil)
    }
}
