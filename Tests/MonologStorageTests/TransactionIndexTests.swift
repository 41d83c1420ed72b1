import Foundation
import MonologRecords
import MonologStorage
import MonologStorageEngine
import MonologTransactions
import NIOCore
import Testing

/// The transaction index (open and aborted transactions per partition) stays consistent with the log
/// when the log start moves or the topic goes: an aborted transaction that ended below the log start is
/// forgotten, the last stable offset never falls below the log start, and a deleted topic leaves nothing.
@Suite struct TransactionIndexTests {
    let fixture: StoreFixture
    let topicID: Int64

    init() throws {
        self.fixture = try StoreFixture()
        _ = try self.fixture.store.createTopic(name: "t", partitionCount: 1, configs: [:], ifNotExists: false, nowMs: 1)
        self.topicID = try self.fixture.reader.topic(named: "t")!.topicID
    }

    /// Opens a transaction for `id` on t-0 with one batch of `values`; returns the producer.
    func openTransaction(_ id: String, _ values: [String]) throws -> (id: Int64, epoch: Int16) {
        let producer = try self.fixture.store.initTransactionalProducer(transactionalID: id, timeoutMs: 60_000, expected: nil, nowMs: 1)
        _ = try self.fixture.store.addPartitionsToTransaction(
            transactionalID: id, producerID: producer.id, producerEpoch: producer.epoch, partitions: [TransactionPartition(topic: "t", partition: 0)],
            nowMs: 1)
        let records = values.map { NewRecord(key: nil, value: Array($0.utf8), timestamp: 1) }
        let bytes = RecordBatchBuilder.build(
            records, producer: ProducerStamp(producerID: producer.id, epoch: producer.epoch, baseSequence: 0, transactional: true))
        _ = try self.fixture.store.append(topic: "t", partition: 0, batches: try RecordBatch.split(bytes), nowMs: 1)
        return (producer.id, producer.epoch)
    }

    func plain(_ values: [String]) throws {
        let bytes = RecordBatchBuilder.build(values.map { NewRecord(key: nil, value: Array($0.utf8), timestamp: 1) })
        _ = try self.fixture.store.append(topic: "t", partition: 0, batches: try RecordBatch.split(bytes), nowMs: 1)
    }

    var offsets: PartitionOffsets {
        get throws { try self.fixture.reader.partitionOffsets(topicID: self.topicID).first { $0.partition == 0 }! }
    }

    @Test func movingTheLogStartPastAnAbortedTransactionForgetsIt() throws {
        let producer = try self.openTransaction("a", ["x", "y"])  // offsets 0, 1
        _ = try self.fixture.store.endTransaction(transactionalID: "a", producerID: producer.id, producerEpoch: producer.epoch, commit: false, nowMs: 2)
        try self.plain(["z"])  // marker at 2, z at 3
        #expect(try self.fixture.reader.abortedTransactions(topicID: self.topicID, partition: 0, from: 0, upTo: 4).count == 1)
        // A log start inside the transaction's range keeps it (its marker is still there)...
        _ = try self.fixture.store.deleteRecords(topic: "t", partition: 0, before: 1)
        #expect(try self.fixture.reader.abortedTransactions(topicID: self.topicID, partition: 0, from: 0, upTo: 4).count == 1)
        // ...past its marker forgets it.
        _ = try self.fixture.store.deleteRecords(topic: "t", partition: 0, before: 3)
        #expect(try self.fixture.reader.abortedTransactions(topicID: self.topicID, partition: 0, from: 0, upTo: 4).isEmpty)
    }

    @Test func theLastStableOffsetNeverFallsBelowTheLogStart() throws {
        let producer = try self.openTransaction("a", ["x", "y"])  // open at 0
        try self.plain(["z"])  // 2
        #expect(try self.fixture.reader.lastStableOffset(topicID: self.topicID, offsets: try self.offsets) == 0)
        _ = try self.fixture.store.deleteRecords(topic: "t", partition: 0, before: 2)
        #expect(try self.offsets.logStartOffset == 2)
        #expect(try self.fixture.reader.lastStableOffset(topicID: self.topicID, offsets: try self.offsets) == 2)
        _ = try self.fixture.store.endTransaction(transactionalID: "a", producerID: producer.id, producerEpoch: producer.epoch, commit: true, nowMs: 2)
        #expect(try self.fixture.reader.lastStableOffset(topicID: self.topicID, offsets: try self.offsets) == self.offsets.highWatermark)
    }

    @Test func deletingATopicLeavesNoTransactionIndex() throws {
        let aborted = try self.openTransaction("a", ["x"])
        _ = try self.fixture.store.endTransaction(transactionalID: "a", producerID: aborted.id, producerEpoch: aborted.epoch, commit: false, nowMs: 2)
        _ = try self.openTransaction("b", ["y"])  // still open
        try self.fixture.store.deleteTopic(name: "t")
        #expect(try self.fixture.reader.abortedTransactions(topicID: self.topicID, partition: 0, from: 0, upTo: .max).isEmpty)
        let stillOpen = PartitionOffsets(partition: 0, logStartOffset: 0, highWatermark: 100)
        #expect(
            try self.fixture.reader.lastStableOffset(topicID: self.topicID, offsets: stillOpen) == 100,
            "an open transaction of the deleted topic is still indexed")
    }
}

/// Compaction with transactions, as Kafka's cleaner: only below the last stable offset; an aborted
/// transaction's records go and never shadow a committed value; a marker goes once its transaction's
/// data is gone and delete.retention.ms has passed, with the aborted transaction's index entry.
@Suite struct TransactionalCompactionTests {
    let fixture: StoreFixture

    init() throws {
        self.fixture = try StoreFixture()
        _ = try self.fixture.store.createTopic(
            name: "c", partitionCount: 1, configs: ["cleanup.policy": "compact", "delete.retention.ms": "100"], ifNotExists: false, nowMs: 1)
    }

    func transaction(_ id: String, _ entries: [(String, String)], end commit: Bool?) throws {
        let producer = try self.fixture.store.initTransactionalProducer(transactionalID: id, timeoutMs: 60_000, expected: nil, nowMs: 1)
        _ = try self.fixture.store.addPartitionsToTransaction(
            transactionalID: id, producerID: producer.id, producerEpoch: producer.epoch, partitions: [TransactionPartition(topic: "c", partition: 0)],
            nowMs: 1)
        let records = entries.map { NewRecord(key: Array($0.0.utf8), value: Array($0.1.utf8), timestamp: 1) }
        let bytes = RecordBatchBuilder.build(
            records, producer: ProducerStamp(producerID: producer.id, epoch: producer.epoch, baseSequence: 0, transactional: true))
        _ = try self.fixture.store.append(topic: "c", partition: 0, batches: try RecordBatch.split(bytes), nowMs: 1)
        guard let commit else { return }
        _ = try self.fixture.store.endTransaction(transactionalID: id, producerID: producer.id, producerEpoch: producer.epoch, commit: commit, nowMs: 2)
    }

    /// Every stored batch as (first offset, is a marker).
    func batches() throws -> [(offset: Int64, marker: Bool)] {
        let topic = try self.fixture.reader.topic(named: "c")!
        return try self.fixture.reader.batches(topicID: topic.topicID, partition: 0, fromOffset: 0, maxBytes: 1 << 30).map {
            let header = try RecordBatch(validating: $0.bytes).header
            return (header.baseOffset, header.attributes.isControl)
        }
    }

    @Test func abortedRecordsGoAndOpenTransactionsWait() throws {
        _ = try self.fixture.store.append(topic: "c", partition: 0, batches: [StoreFixture.keyed([("k1", "v1")], timestamp: 1)])  // 0
        try self.transaction("aborted", [("k1", "bad")], end: false)  // 1, marker 2
        try self.transaction("committed", [("k2", "w")], end: true)  // 3, marker 4
        try self.transaction("open", [("k1", "later")], end: nil)  // 5, open
        _ = try self.fixture.store.applyRetention(nowMs: 10_000, defaultRetentionMs: -1, defaultRetentionBytes: -1)
        // k1=v1 stays (the aborted k1 does not count, the open one is above the last stable offset); the
        // aborted batch and its marker are gone, and so is its index entry; the committed marker stays.
        #expect(try self.batches().map(\.offset) == [0, 3, 4, 5])
        #expect(try self.batches().map(\.marker) == [false, false, true, false])
        let topic = try self.fixture.reader.topic(named: "c")!
        #expect(try self.fixture.reader.abortedTransactions(topicID: topic.topicID, partition: 0, from: 0, upTo: .max).isEmpty)

        // The open transaction ends aborted (its producer starts again, which aborts it): its k1 goes and
        // never replaces k1=v1.
        let open = try self.fixture.store.initTransactionalProducer(transactionalID: "open", timeoutMs: 60_000, expected: nil, nowMs: 3)
        #expect(open.epoch > 0)
        _ = try self.fixture.store.applyRetention(nowMs: 20_000, defaultRetentionMs: -1, defaultRetentionBytes: -1)
        #expect(try self.fixture.records("c").map(\.value) == ["v1", "w"])
    }

    @Test func aCommittedTransactionsMarkerGoesWithItsData() throws {
        try self.transaction("t", [("k", "old")], end: true)  // 0, marker 1
        _ = try self.fixture.store.append(topic: "c", partition: 0, batches: [StoreFixture.keyed([("k", "new")], timestamp: 1)])  // 2
        _ = try self.fixture.store.applyRetention(nowMs: 10_000, defaultRetentionMs: -1, defaultRetentionBytes: -1)
        // The transaction's only record was superseded; its marker then had nothing left to mark.
        #expect(try self.batches().map(\.offset) == [2])
        #expect(try self.fixture.records("c").map(\.value) == ["new"])
    }
}
