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
