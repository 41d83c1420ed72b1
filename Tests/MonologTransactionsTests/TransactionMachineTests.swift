import MonologTransactions
import Testing

/// The coordinator's rules with explicit time and no storage: what each event does to a transactional
/// id's metadata, which markers it asks for, and what it refuses.
@Suite struct TransactionMachineTests {
    static let partitions = [TransactionPartition(topic: "out", partition: 0), TransactionPartition(topic: "out", partition: 1)]

    /// A producer that has called InitProducerId and opened a transaction over two partitions.
    func ongoing(at nowMs: Int64 = 1_000) throws -> TransactionMetadata {
        let initial = try TransactionMachine.initProducer(nil, transactionalID: "tx", timeoutMs: 5_000, expected: nil, allocated: { 7 }, nowMs: 0)
        #expect(initial.metadata.producerID == 7 && initial.metadata.producerEpoch == 0 && initial.metadata.state == .empty)
        let added = try TransactionMachine.addPartitions(initial.metadata, producerID: 7, producerEpoch: 0, partitions: Self.partitions, nowMs: nowMs)
        #expect(added.markers == nil)
        return added.metadata
    }

    @Test func addingPartitionsOpensATransactionThatCommitWithMarkersAndOffsets() throws {
        let open = try self.ongoing()
        #expect(open.state == .ongoing && open.startedMs == 1_000 && open.partitions == Set(Self.partitions))
        let ended = try TransactionMachine.end(open, producerID: 7, producerEpoch: 0, commit: true, nowMs: 2_000)
        #expect(ended.metadata.state == .completeCommit)
        #expect(ended.markers?.commit == true && ended.markers?.partitions == Self.partitions && ended.markers?.producerEpoch == 0)
        #expect(ended.groupOffsets == true)
        #expect(ended.metadata.partitions.isEmpty && ended.metadata.startedMs == -1)
        // The same EndTxn again is a retry and succeeds without new markers; the other way is refused.
        #expect(try TransactionMachine.end(ended.metadata, producerID: 7, producerEpoch: 0, commit: true, nowMs: 2_001).markers == nil)
        #expect(throws: TransactionError.self) { try TransactionMachine.end(ended.metadata, producerID: 7, producerEpoch: 0, commit: false, nowMs: 2_001) }
    }

    @Test func anAbortWritesAbortMarkersAndDropsTheOffsets() throws {
        let ended = try TransactionMachine.end(try self.ongoing(), producerID: 7, producerEpoch: 0, commit: false, nowMs: 2_000)
        #expect(ended.metadata.state == .completeAbort && ended.markers?.commit == false && ended.groupOffsets == false)
    }

    @Test func endingWithNothingOpenIsAnInvalidState() throws {
        let initial = try TransactionMachine.initProducer(nil, transactionalID: "tx", timeoutMs: 5_000, expected: nil, allocated: { 7 }, nowMs: 0)
        #expect(throws: TransactionError.invalidTxnState("cannot commit 'tx' in state Empty")) {
            try TransactionMachine.end(initial.metadata, producerID: 7, producerEpoch: 0, commit: true, nowMs: 1)
        }
    }

    /// A second InitProducerId (another instance with the same transactional id) bumps the epoch, which
    /// fences the first, and aborts the first one's open transaction with the new epoch.
    @Test func aNewProducerFencesTheOldOneAndAbortsItsTransaction() throws {
        let open = try self.ongoing()
        let fenced = try TransactionMachine.initProducer(open, transactionalID: "tx", timeoutMs: 5_000, expected: nil, allocated: { 99 }, nowMs: 3_000)
        #expect(fenced.metadata.producerID == 7 && fenced.metadata.producerEpoch == 1)
        #expect(fenced.markers?.commit == false && fenced.markers?.producerEpoch == 1 && fenced.markers?.partitions == Self.partitions)
        #expect(throws: TransactionError.self) { try TransactionMachine.end(fenced.metadata, producerID: 7, producerEpoch: 0, commit: true, nowMs: 3_001) }
        #expect(throws: TransactionError.self) {
            try TransactionMachine.addPartitions(fenced.metadata, producerID: 7, producerEpoch: 0, partitions: Self.partitions, nowMs: 3_001)
        }
        #expect(throws: TransactionError.self) {
            try TransactionMachine.addPartitions(fenced.metadata, producerID: 8, producerEpoch: 1, partitions: Self.partitions, nowMs: 3_001)
        }
    }

    /// KIP-360: a bump from the current epoch works, a retried one answers the same epoch, an older one is fenced.
    @Test func anExpectedEpochBumpsOnceAndARetryGetsTheSameAnswer() throws {
        let initial = try TransactionMachine.initProducer(nil, transactionalID: "tx", timeoutMs: 5_000, expected: nil, allocated: { 7 }, nowMs: 0)
        let bumped = try TransactionMachine.initProducer(
            initial.metadata, transactionalID: "tx", timeoutMs: 5_000, expected: (7, 0), allocated: { 99 }, nowMs: 1)
        #expect(bumped.metadata.producerEpoch == 1)
        let retried = try TransactionMachine.initProducer(
            bumped.metadata, transactionalID: "tx", timeoutMs: 5_000, expected: (7, 0), allocated: { 99 }, nowMs: 2)
        #expect(retried.metadata.producerEpoch == 1)
        #expect(throws: TransactionError.self) {
            try TransactionMachine.initProducer(bumped.metadata, transactionalID: "tx", timeoutMs: 5_000, expected: (7, 5), allocated: { 99 }, nowMs: 3)
        }
    }

    @Test func anExhaustedEpochGetsANewProducerID() throws {
        var metadata = try TransactionMachine.initProducer(nil, transactionalID: "tx", timeoutMs: 5_000, expected: nil, allocated: { 7 }, nowMs: 0).metadata
        metadata.producerEpoch = Int16.max - 1
        let renewed = try TransactionMachine.initProducer(metadata, transactionalID: "tx", timeoutMs: 5_000, expected: nil, allocated: { 8 }, nowMs: 1)
        #expect(renewed.metadata.producerID == 8 && renewed.metadata.producerEpoch == 0)
    }

    /// A transaction open past its timeout is aborted with a bumped epoch (fencing its producer); not a
    /// millisecond before.
    @Test func aTransactionOpenPastItsTimeoutIsAbortedAndItsProducerFenced() throws {
        let open = try self.ongoing(at: 1_000)
        #expect(TransactionMachine.timeout(open, nowMs: 6_000) == nil)
        let aborted = try #require(TransactionMachine.timeout(open, nowMs: 6_001))
        #expect(aborted.metadata.state == .completeAbort && aborted.metadata.producerEpoch == 1)
        #expect(aborted.markers?.commit == false && aborted.markers?.producerEpoch == 1)
        #expect(throws: TransactionError.self) { try TransactionMachine.end(aborted.metadata, producerID: 7, producerEpoch: 0, commit: true, nowMs: 6_002) }
    }

    @Test func offsetsNeedTheirGroupAddedFirst() throws {
        let open = try self.ongoing()
        #expect(throws: TransactionError.self) { try TransactionMachine.checkOffsetCommit(open, producerID: 7, producerEpoch: 0, group: "g") }
        let added = try TransactionMachine.addOffsets(open, producerID: 7, producerEpoch: 0, group: "g", nowMs: 1_500)
        try TransactionMachine.checkOffsetCommit(added.metadata, producerID: 7, producerEpoch: 0, group: "g")
    }

    @Test func idleTransactionalIDsExpireButOpenOnesDoNot() throws {
        let open = try self.ongoing(at: 1_000)
        #expect(!TransactionMachine.expired(open, nowMs: 1_000_000, expirationMs: 10))
        let ended = try TransactionMachine.end(open, producerID: 7, producerEpoch: 0, commit: true, nowMs: 2_000).metadata
        #expect(!TransactionMachine.expired(ended, nowMs: 2_010, expirationMs: 10))
        #expect(TransactionMachine.expired(ended, nowMs: 2_011, expirationMs: 10))
    }
}
