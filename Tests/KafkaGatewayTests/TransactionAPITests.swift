import MonologKafkaProtocol
import MonologRecords
import NIOCore
import Testing

@testable import KafkaGateway

/// The transaction APIs through the connection handler, against the real storage writer: each one's
/// normal path and an error path, and what read_committed readers see of open, committed and aborted
/// transactions.
@Suite struct TransactionAPITests {
    /// A transactional producer: its id, epoch and the next sequence per partition.
    struct Producer {
        var transactionalID: String
        var id: Int64
        var epoch: Int16
    }

    static func initProducer(_ connection: TestConnection, _ transactionalID: String, timeoutMs: Int32 = 60_000) async throws -> InitProducerIdResponse {
        var request = InitProducerIdRequest()
        request.transactionalId = transactionalID
        request.transactionTimeoutMs = timeoutMs
        request.producerId = -1
        request.producerEpoch = -1
        return try await connection.exchange(request, version: 4)
    }

    static func producer(_ connection: TestConnection, _ transactionalID: String) async throws -> Producer {
        let response = try await self.initProducer(connection, transactionalID)
        #expect(response.errorCode == KafkaErrorCode.none)
        return Producer(transactionalID: transactionalID, id: response.producerId, epoch: response.producerEpoch)
    }

    static func addPartitions(
        _ connection: TestConnection, _ producer: Producer, _ topic: String, _ partitions: [Int32], version: Int16 = 3
    ) async throws -> [Int16] {
        var request = AddPartitionsToTxnRequest()
        request.v3AndBelowTransactionalId = producer.transactionalID
        request.v3AndBelowProducerId = producer.id
        request.v3AndBelowProducerEpoch = producer.epoch
        var entry = AddPartitionsToTxnRequest.AddPartitionsToTxnTopic()
        entry.name = topic
        entry.partitions = partitions
        request.v3AndBelowTopics = [entry]
        let response = try await connection.exchange(request, version: version)
        return response.resultsByTopicV3AndBelow.flatMap { $0.resultsByPartition.map(\.partitionErrorCode) }
    }

    static func end(_ connection: TestConnection, _ producer: Producer, commit: Bool) async throws -> Int16 {
        var request = EndTxnRequest()
        request.transactionalId = producer.transactionalID
        request.producerId = producer.id
        request.producerEpoch = producer.epoch
        request.committed = commit
        return try await connection.exchange(request, version: 3).errorCode
    }

    static func produce(_ connection: TestConnection, _ producer: Producer, _ topic: String, values: [String], sequence: Int32) async throws -> Int16 {
        let stamp = ProducerStamp(producerID: producer.id, epoch: producer.epoch, baseSequence: sequence, transactional: true)
        return try #require(try await connection.produce(topic, values: values, producer: stamp)).errorCode
    }

    static func fetch(_ connection: TestConnection, _ topic: String, readCommitted: Bool) async throws -> FetchResponse.PartitionData {
        var request = DataPlaneAPITests.fetchRequest(topic, offset: 0)
        request.isolationLevel = readCommitted ? 1 : 0
        return try #require(try await connection.exchange(request, version: 12).responses.first?.partitions.first)
    }

    // MARK: InitProducerId (22) with a transactional id

    @Test func initProducerIdFencesThePreviousHolderByBumpingTheEpoch() async throws {
        let connection = try await TestGateway.shared().connect()
        let id = uniqueName("tx-init")
        let first = try await Self.initProducer(connection, id)
        let second = try await Self.initProducer(connection, id)
        #expect(first.errorCode == KafkaErrorCode.none && second.errorCode == KafkaErrorCode.none)
        #expect(second.producerId == first.producerId && second.producerEpoch == first.producerEpoch + 1)
    }

    @Test func initProducerIdRefusesATimeoutAboveTheMaximum() async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await Self.initProducer(connection, uniqueName("tx-timeout"), timeoutMs: 900_001)
        #expect(response.errorCode == KafkaErrorCode.invalidTransactionTimeout)
        #expect(response.producerId == -1)
    }

    // MARK: AddPartitionsToTxn (24), EndTxn (26) and read_committed

    /// An open transaction holds back read_committed readers at its first offset; its commit writes a
    /// marker into each partition and releases them.
    @Test func aCommittedTransactionIsReadableOnlyOnceCommitted() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("tx-commit")
        try await connection.createTopic(topic)
        #expect(try await connection.produce(topic, values: ["before"])?.errorCode == KafkaErrorCode.none)
        let producer = try await Self.producer(connection, uniqueName("tx"))
        #expect(try await Self.addPartitions(connection, producer, topic, [0]) == [KafkaErrorCode.none])
        #expect(try await Self.produce(connection, producer, topic, values: ["a", "b"], sequence: 0) == KafkaErrorCode.none)

        let open = try await Self.fetch(connection, topic, readCommitted: true)
        #expect(open.highWatermark == 3 && open.lastStableOffset == 1)
        #expect(try RecordBatch.split(try #require(open.records)).map(\.header.baseOffset) == [0])
        #expect(try RecordBatch.split(try #require(try await Self.fetch(connection, topic, readCommitted: false).records)).count == 2)

        #expect(try await Self.end(connection, producer, commit: true) == KafkaErrorCode.none)
        let committed = try await Self.fetch(connection, topic, readCommitted: true)
        #expect(committed.highWatermark == 4 && committed.lastStableOffset == 4)  // the marker took offset 3
        let batches = try RecordBatch.split(try #require(committed.records))
        #expect(batches.map(\.header.attributes.isControl) == [false, false, true])
        #expect(committed.abortedTransactions?.isEmpty == true)
        // Ending it the same way again is a retry; the other way is refused.
        #expect(try await Self.end(connection, producer, commit: true) == KafkaErrorCode.none)
        #expect(try await Self.end(connection, producer, commit: false) == KafkaErrorCode.invalidTxnState)
    }

    @Test func anAbortedTransactionIsListedForReadCommittedFetches() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("tx-abort")
        try await connection.createTopic(topic)
        let producer = try await Self.producer(connection, uniqueName("tx"))
        #expect(try await Self.addPartitions(connection, producer, topic, [0]) == [KafkaErrorCode.none])
        #expect(try await Self.produce(connection, producer, topic, values: ["x"], sequence: 0) == KafkaErrorCode.none)
        #expect(try await Self.end(connection, producer, commit: false) == KafkaErrorCode.none)
        let fetched = try await Self.fetch(connection, topic, readCommitted: true)
        #expect(fetched.lastStableOffset == 2)
        #expect(fetched.abortedTransactions?.map(\.producerId) == [producer.id])
        #expect(fetched.abortedTransactions?.map(\.firstOffset) == [0])
    }

    @Test func addPartitionsToTxnRefusesUnknownPartitionsAndAttemptsNoOther() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("tx-unknown")
        try await connection.createTopic(topic)
        let producer = try await Self.producer(connection, uniqueName("tx"))
        #expect(
            try await Self.addPartitions(connection, producer, topic, [0, 7]) == [KafkaErrorCode.operationNotAttempted, KafkaErrorCode.unknownTopicOrPartition])
        // A stale epoch is fenced: PRODUCER_FENCED from v2, INVALID_PRODUCER_EPOCH before.
        _ = try await Self.initProducer(connection, producer.transactionalID)
        #expect(try await Self.addPartitions(connection, producer, topic, [0], version: 3) == [KafkaErrorCode.producerFenced])
        #expect(try await Self.addPartitions(connection, producer, topic, [0], version: 1) == [KafkaErrorCode.invalidProducerEpoch])
    }

    /// KIP-890 part 1: a transactional batch for a partition the transaction has not added is refused.
    @Test func aTransactionalProduceToAPartitionNotAddedIsAnInvalidState() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("tx-unadded")
        try await connection.createTopic(topic)
        let producer = try await Self.producer(connection, uniqueName("tx"))
        #expect(try await Self.produce(connection, producer, topic, values: ["x"], sequence: 0) == KafkaErrorCode.invalidTxnState)
    }

    @Test func endTxnWithNothingOpenIsAnInvalidState() async throws {
        let connection = try await TestGateway.shared().connect()
        let producer = try await Self.producer(connection, uniqueName("tx"))
        #expect(try await Self.end(connection, producer, commit: true) == KafkaErrorCode.invalidTxnState)
    }

    // MARK: AddOffsetsToTxn (25), TxnOffsetCommit (28) and OffsetFetch require_stable

    @Test func transactionalOffsetsAreUnstableUntilTheTransactionCommits() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("tx-offsets")
        let group = uniqueName("tx-group")
        try await connection.createTopic(topic)
        let producer = try await Self.producer(connection, uniqueName("tx"))

        var commit = TxnOffsetCommitRequest()
        commit.transactionalId = producer.transactionalID
        commit.groupId = group
        commit.producerId = producer.id
        commit.producerEpoch = producer.epoch
        commit.generationId = -1
        commit.memberId = ""
        var partition = TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition()
        partition.partitionIndex = 0
        partition.committedOffset = 42
        partition.committedMetadata = "m"
        var entry = TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic()
        entry.name = topic
        entry.partitions = [partition]
        commit.topics = [entry]
        // Before AddOffsetsToTxn the group is not part of any transaction.
        #expect(try await connection.exchange(commit, version: 3).topics.first?.partitions.first?.errorCode == KafkaErrorCode.invalidTxnState)

        var add = AddOffsetsToTxnRequest()
        add.transactionalId = producer.transactionalID
        add.producerId = producer.id
        add.producerEpoch = producer.epoch
        add.groupId = group
        #expect(try await connection.exchange(add, version: 3).errorCode == KafkaErrorCode.none)
        #expect(try await connection.exchange(commit, version: 3).topics.first?.partitions.first?.errorCode == KafkaErrorCode.none)

        var fetch = OffsetFetchRequest()
        fetch.groupId = group
        var wanted = OffsetFetchRequest.OffsetFetchRequestTopic()
        wanted.name = topic
        wanted.partitionIndexes = [0]
        fetch.topics = [wanted]
        fetch.requireStable = true
        let pending = try #require(try await connection.exchange(fetch, version: 7).topics.first?.partitions.first)
        #expect(pending.errorCode == KafkaErrorCode.unstableOffsetCommit && pending.committedOffset == -1)
        fetch.requireStable = false
        #expect(try await connection.exchange(fetch, version: 7).topics.first?.partitions.first?.committedOffset == -1)

        #expect(try await Self.end(connection, producer, commit: true) == KafkaErrorCode.none)
        fetch.requireStable = true
        let stable = try #require(try await connection.exchange(fetch, version: 7).topics.first?.partitions.first)
        #expect(stable.errorCode == KafkaErrorCode.none && stable.committedOffset == 42 && stable.metadata == "m")
    }

    @Test func addOffsetsToTxnRefusesAnotherProducersID() async throws {
        let connection = try await TestGateway.shared().connect()
        let producer = try await Self.producer(connection, uniqueName("tx"))
        var add = AddOffsetsToTxnRequest()
        add.transactionalId = producer.transactionalID
        add.producerId = producer.id + 1_000
        add.producerEpoch = producer.epoch
        add.groupId = "g"
        #expect(try await connection.exchange(add, version: 3).errorCode == KafkaErrorCode.invalidProducerIDMapping)
    }

    // MARK: DescribeTransactions (65), ListTransactions (66), DescribeProducers (61), ListOffsets (2)

    @Test func anOpenTransactionIsDescribedListedAndShownPerPartition() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("tx-describe")
        try await connection.createTopic(topic)
        let producer = try await Self.producer(connection, uniqueName("tx"))
        #expect(try await Self.addPartitions(connection, producer, topic, [0]) == [KafkaErrorCode.none])
        #expect(try await Self.produce(connection, producer, topic, values: ["x"], sequence: 0) == KafkaErrorCode.none)

        var describe = DescribeTransactionsRequest()
        describe.transactionalIds = [producer.transactionalID, "no-such-transactional-id"]
        let described = try await connection.exchange(describe, version: 0).transactionStates
        #expect(described.map(\.transactionState) == ["Ongoing", ""])
        #expect(described.map(\.errorCode) == [KafkaErrorCode.none, KafkaErrorCode.transactionalIDNotFound])
        #expect(described.first?.topics.map(\.topic) == [topic] && described.first?.producerId == producer.id)

        var list = ListTransactionsRequest()
        list.stateFilters = ["Ongoing", "Sleeping"]
        list.producerIdFilters = [producer.id]
        let listed = try await connection.exchange(list, version: 1)
        #expect(listed.transactionStates.map(\.transactionalId) == [producer.transactionalID])
        #expect(listed.unknownStateFilters == ["Sleeping"])

        var producers = DescribeProducersRequest()
        var wanted = DescribeProducersRequest.TopicRequest()
        wanted.name = topic
        wanted.partitionIndexes = [0]
        producers.topics = [wanted]
        let active = try await connection.exchange(producers, version: 0).topics.first?.partitions.first?.activeProducers
        #expect(active?.map(\.currentTxnStartOffset) == [0])

        var offsets = ListOffsetsRequest()
        offsets.replicaId = -1
        offsets.isolationLevel = 1
        var partition = ListOffsetsRequest.ListOffsetsPartition()
        partition.partitionIndex = 0
        partition.timestamp = -1
        var offsetTopic = ListOffsetsRequest.ListOffsetsTopic()
        offsetTopic.name = topic
        offsetTopic.partitions = [partition]
        offsets.topics = [offsetTopic]
        #expect(try await connection.exchange(offsets, version: 7).topics.first?.partitions.first?.offset == 0)  // the LSO
        offsets.isolationLevel = 0
        #expect(try await connection.exchange(offsets, version: 7).topics.first?.partitions.first?.offset == 1)  // the high watermark
        #expect(try await Self.end(connection, producer, commit: false) == KafkaErrorCode.none)
    }
}
