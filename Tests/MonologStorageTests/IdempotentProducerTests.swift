import MonologRecords
import MonologStorage
import MonologStorageEngine
import Testing

/// Retried batches from an idempotent producer are stored once and answered with their first offsets;
/// gaps and stale epochs are refused; all of it survives a restart because it lives in the database.
@Suite struct IdempotentProducerTests {
    let fixture: StoreFixture
    init() throws {
        self.fixture = try StoreFixture()
        _ = try self.fixture.store.createTopic(name: "t", partitionCount: 2, configs: [:], ifNotExists: false, nowMs: 1)
    }

    @Test func aRetriedBatchIsAnsweredWithItsOriginalOffsetsAndStoredOnce() throws {
        let producer = try self.fixture.store.initProducerID(transactionalID: nil, producerID: -1, producerEpoch: -1, nowMs: 1)
        #expect(producer.epoch == 0)
        let batch = StoreFixture.producerBatch(["a", "b"], producerID: producer.id, epoch: 0, baseSequence: 0)
        let first = try self.fixture.store.append(topic: "t", partition: 0, batches: [batch])
        let retry = try self.fixture.store.append(topic: "t", partition: 0, batches: [batch])
        #expect(retry.duplicate)
        #expect(retry.baseOffset == first.baseOffset && retry.lastOffset == first.lastOffset)
        let next = try self.fixture.store.append(
            topic: "t", partition: 0, batches: [StoreFixture.producerBatch(["c"], producerID: producer.id, epoch: 0, baseSequence: 2)])
        #expect(next.baseOffset == 2 && !next.duplicate)
        // An older batch (one of the last five) retried late is still recognised.
        #expect(try self.fixture.store.append(topic: "t", partition: 0, batches: [batch]).duplicate)
        #expect(try self.fixture.records("t").map(\.value) == ["a", "b", "c"])
    }

    @Test func aSequenceGapIsRefused() throws {
        let producer = try self.fixture.store.initProducerID(transactionalID: nil, producerID: -1, producerEpoch: -1, nowMs: 1)
        _ = try self.fixture.store.append(
            topic: "t", partition: 0, batches: [StoreFixture.producerBatch(["a"], producerID: producer.id, epoch: 0, baseSequence: 0)])
        #expect(throws: StorageError.self) {
            try self.fixture.store.append(
                topic: "t", partition: 0, batches: [StoreFixture.producerBatch(["c"], producerID: producer.id, epoch: 0, baseSequence: 5)])
        }
        // A first batch must start at sequence 0.
        #expect(throws: StorageError.self) {
            try self.fixture.store.append(
                topic: "t", partition: 1, batches: [StoreFixture.producerBatch(["x"], producerID: producer.id, epoch: 0, baseSequence: 3)])
        }
        do {
            _ = try self.fixture.store.append(
                topic: "t", partition: 0, batches: [StoreFixture.producerBatch(["c"], producerID: producer.id, epoch: 0, baseSequence: 5)])
        } catch {
            #expect(error.code == .outOfOrderSequence)
        }
    }

    @Test func anOldEpochIsFencedAfterABump() throws {
        let producer = try self.fixture.store.initProducerID(transactionalID: nil, producerID: -1, producerEpoch: -1, nowMs: 1)
        let bumped = try self.fixture.store.initProducerID(transactionalID: nil, producerID: producer.id, producerEpoch: 0, nowMs: 2)
        #expect(bumped.id == producer.id && bumped.epoch == 1)
        // A retried bump gets the same answer rather than an error.
        #expect(try self.fixture.store.initProducerID(transactionalID: nil, producerID: producer.id, producerEpoch: 0, nowMs: 3).epoch == 1)
        do {
            _ = try self.fixture.store.append(
                topic: "t", partition: 0, batches: [StoreFixture.producerBatch(["old"], producerID: producer.id, epoch: 0, baseSequence: 0)])
            Issue.record("a fenced epoch was accepted")
        } catch {
            #expect(error.code == .invalidProducerEpoch)
        }
        // The new epoch starts its sequences at 0.
        #expect(
            try self.fixture.store.append(
                topic: "t", partition: 0, batches: [StoreFixture.producerBatch(["new"], producerID: producer.id, epoch: 1, baseSequence: 0)]
            ).baseOffset == 0)
    }

    /// KIP-360: librdkafka bumps its own epoch after a sequence gap (no InitProducerId) and starts the
    /// new epoch at sequence 0; the old epoch is fenced from then on.
    @Test func aProducerMayBumpItsOwnEpochStartingAtSequenceZero() throws {
        let producer = try self.fixture.store.initProducerID(transactionalID: nil, producerID: -1, producerEpoch: -1, nowMs: 1)
        _ = try self.fixture.store.append(
            topic: "t", partition: 0, batches: [StoreFixture.producerBatch(["a", "b"], producerID: producer.id, epoch: 0, baseSequence: 0)])
        do {
            _ = try self.fixture.store.append(
                topic: "t", partition: 0, batches: [StoreFixture.producerBatch(["x"], producerID: producer.id, epoch: 1, baseSequence: 7)])
            Issue.record("a new epoch not starting at sequence 0 was accepted")
        } catch {
            #expect(error.code == .outOfOrderSequence)
        }
        let bumped = try self.fixture.store.append(
            topic: "t", partition: 0, batches: [StoreFixture.producerBatch(["c"], producerID: producer.id, epoch: 1, baseSequence: 0)])
        #expect(bumped.baseOffset == 2 && !bumped.duplicate)
        #expect(
            try self.fixture.store.append(
                topic: "t", partition: 0, batches: [StoreFixture.producerBatch(["d"], producerID: producer.id, epoch: 1, baseSequence: 1)]
            ).baseOffset == 3)
        do {
            _ = try self.fixture.store.append(
                topic: "t", partition: 1, batches: [StoreFixture.producerBatch(["old"], producerID: producer.id, epoch: 0, baseSequence: 0)])
            Issue.record("the old epoch was accepted after the bump")
        } catch {
            #expect(error.code == .invalidProducerEpoch)
        }
        // InitProducerId sees the bumped epoch too.
        #expect(try self.fixture.store.initProducerID(transactionalID: nil, producerID: producer.id, producerEpoch: 1, nowMs: 2).epoch == 2)
        #expect(try self.fixture.records("t").map(\.value) == ["a", "b", "c", "d"])
    }

    @Test func unknownProducerIDsAreRefused() throws {
        do {
            _ = try self.fixture.store.append(
                topic: "t", partition: 0, batches: [StoreFixture.producerBatch(["x"], producerID: 999, epoch: 0, baseSequence: 0)])
            Issue.record("an unknown producer id was accepted")
        } catch {
            #expect(error.code == .unknownProducerID)
        }
    }

    @Test func producerIDsAreNeverReusedAndTransactionalIDsFence() throws {
        let a = try self.fixture.store.initProducerID(transactionalID: nil, producerID: -1, producerEpoch: -1, nowMs: 1)
        let b = try self.fixture.store.initProducerID(transactionalID: nil, producerID: -1, producerEpoch: -1, nowMs: 1)
        #expect(a.id != b.id)
        let first = try self.fixture.store.initProducerID(transactionalID: "tx", producerID: -1, producerEpoch: -1, nowMs: 1)
        let second = try self.fixture.store.initProducerID(transactionalID: "tx", producerID: -1, producerEpoch: -1, nowMs: 1)
        #expect(first.id == second.id && second.epoch == first.epoch + 1)
    }

    @Test func duplicatesAreRecognisedAfterReopeningTheDatabase() throws {
        let producer = try self.fixture.store.initProducerID(transactionalID: nil, producerID: -1, producerEpoch: -1, nowMs: 1)
        let batch = StoreFixture.producerBatch(["a"], producerID: producer.id, epoch: 0, baseSequence: 0)
        _ = try self.fixture.store.append(topic: "t", partition: 0, batches: [batch])
        let reopened = LogStore(connection: try SQLiteConnection.openForWriting(self.fixture.directory))
        #expect(try reopened.append(topic: "t", partition: 0, batches: [batch]).duplicate)
    }
}
