import MonologConfig
import MonologKafkaProtocol
import MonologRecords
import NIOCore
import Testing

@testable import KafkaGateway

/// Produce, Fetch, ListOffsets, Metadata, DeleteRecords, InitProducerId, OffsetForLeaderEpoch and
/// DescribeProducers through the connection handler, against the real storage writer: each one's
/// normal path and one error path.
@Suite struct DataPlaneAPITests {
    // MARK: Produce (0)

    @Test func produceStoresBatchesAtConsecutiveOffsets() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("produce")
        try await connection.createTopic(topic)
        let first = try #require(try await connection.produce(topic, values: ["a", "b"]))
        #expect(first.errorCode == KafkaErrorCode.none)
        #expect(first.baseOffset == 0)
        let second = try #require(try await connection.produce(topic, values: ["c"]))
        #expect(second.errorCode == KafkaErrorCode.none)
        #expect(second.baseOffset == 2)
    }

    /// acks=0: no answer at all, but the request keeps its place in line and the write happens.
    @Test func produceWithoutAcksIsNotAnsweredButStored() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("produce-acks0")
        try await connection.createTopic(topic)
        try await connection.produce(topic, values: ["a"], acks: 0)
        let next = try #require(try await connection.produce(topic, values: ["b"]))
        #expect(next.errorCode == KafkaErrorCode.none)
        #expect(next.baseOffset == 1)
    }

    @Test func produceToAnUnknownTopicIsRefusedPerPartition() async throws {
        let connection = try await TestGateway.shared().connect()
        let answer = try #require(try await connection.produce(uniqueName("no-such-topic"), values: ["a"]))
        #expect(answer.errorCode == KafkaErrorCode.unknownTopicOrPartition)
        #expect(answer.baseOffset == -1)
    }

    /// An idempotent producer pipelines requests for one partition. On a topic with compression.type
    /// set, each request's batch is recompressed on the thread pool, where a small request finishes
    /// before a large one sent ahead of it; the small one must still reach the writer second, or the
    /// writer refuses it as out of order (which librdkafka treats as fatal).
    @Test func pipelinedIdempotentProducesAreStoredInArrivalOrder() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("produce-order")
        try await connection.createTopic(topic)
        let altered = try await connection.exchange(
            AdminAPITests.alterConfigs(type: AdminAPITests.topicResource, name: topic, ["compression.type": "zstd"]), version: 2)
        #expect(altered.responses.map(\.errorCode) == [KafkaErrorCode.none])
        let producer = try await connection.exchange(Self.initProducerID(), version: 4)
        let large = (0..<8_000).map { "record \($0) of the large batch, long enough to take a while" }
        var nextSequence: Int32 = 0
        for round in 0..<3 {
            let first = ProducerStamp(producerID: producer.producerId, epoch: producer.producerEpoch, baseSequence: nextSequence)
            let second = ProducerStamp(producerID: producer.producerId, epoch: producer.producerEpoch, baseSequence: nextSequence + Int32(large.count))
            let firstID = try await connection.send(TestConnection.produceRequest(topic, values: large, producer: first), version: 9)
            let secondID = try await connection.send(TestConnection.produceRequest(topic, values: ["small"], producer: second), version: 9)
            let firstAnswer = try await connection.receive(ProduceResponse.self, version: 9, correlationID: firstID)
            let secondAnswer = try await connection.receive(ProduceResponse.self, version: 9, correlationID: secondID)
            let expectedBase = Int64(round) * Int64(large.count + 1)
            #expect(firstAnswer.responses.first?.partitionResponses.map(\.errorCode) == [KafkaErrorCode.none], "round \(round)")
            #expect(firstAnswer.responses.first?.partitionResponses.map(\.baseOffset) == [expectedBase], "round \(round)")
            #expect(secondAnswer.responses.first?.partitionResponses.map(\.errorCode) == [KafkaErrorCode.none], "round \(round)")
            #expect(secondAnswer.responses.first?.partitionResponses.map(\.baseOffset) == [expectedBase + Int64(large.count)], "round \(round)")
            nextSequence += Int32(large.count + 1)
        }
    }

    /// A request ready at once (its topic's policy cached, nothing to recompress) is handed to the
    /// writer at once, but never ahead of a request sent before it that is still being prepared: here
    /// the first request carries a batch to recompress (on the thread pool) and a plain topic's next
    /// batch, and the second request that partition's batch after it.
    @Test func aProduceReadyAtOnceWaitsForOneSentBeforeItStillBeingPrepared() async throws {
        let connection = try await TestGateway.shared().connect()
        let slow = uniqueName("produce-recompressed")
        let plain = uniqueName("produce-plain")
        try await connection.createTopic(slow)
        try await connection.createTopic(plain)
        let altered = try await connection.exchange(
            AdminAPITests.alterConfigs(type: AdminAPITests.topicResource, name: slow, ["compression.type": "zstd"]), version: 2)
        #expect(altered.responses.map(\.errorCode) == [KafkaErrorCode.none])
        let producer = try await connection.exchange(Self.initProducerID(), version: 4)
        func stamp(_ sequence: Int32) -> ProducerStamp {
            ProducerStamp(producerID: producer.producerId, epoch: producer.producerEpoch, baseSequence: sequence)
        }
        let large = (0..<8_000).map { "record \($0) of the large batch, long enough to take a while" }
        var slowSequence: Int32 = 0
        var plainSequence: Int32 = 0
        for round in 0..<3 {
            // Reads both topics' policies into the gateway's cache (kept for a second), so that the
            // second request below is one that could be handed over at once.
            let warmSlow = try await connection.exchange(
                TestConnection.produceRequest(slow, values: ["warm"], producer: stamp(slowSequence)), version: 9)
            let warmPlain = try await connection.exchange(
                TestConnection.produceRequest(plain, values: ["warm"], producer: stamp(plainSequence)), version: 9)
            #expect(warmSlow.responses.first?.partitionResponses.map(\.errorCode) == [KafkaErrorCode.none], "round \(round)")
            #expect(warmPlain.responses.first?.partitionResponses.map(\.errorCode) == [KafkaErrorCode.none], "round \(round)")
            slowSequence += 1
            plainSequence += 1

            var ahead = TestConnection.produceRequest(slow, values: large, producer: stamp(slowSequence))
            ahead.topicData += TestConnection.produceRequest(plain, values: ["ahead"], producer: stamp(plainSequence)).topicData
            let next = TestConnection.produceRequest(plain, values: ["next"], producer: stamp(plainSequence + 1))
            let aheadID = try await connection.send(ahead, version: 9)
            let nextID = try await connection.send(next, version: 9)
            let aheadAnswer = try await connection.receive(ProduceResponse.self, version: 9, correlationID: aheadID)
            let nextAnswer = try await connection.receive(ProduceResponse.self, version: 9, correlationID: nextID)
            #expect(aheadAnswer.responses.flatMap(\.partitionResponses).map(\.errorCode) == [KafkaErrorCode.none, KafkaErrorCode.none], "round \(round)")
            #expect(nextAnswer.responses.first?.partitionResponses.map(\.errorCode) == [KafkaErrorCode.none], "round \(round)")
            let aheadPlainOffset = try #require(aheadAnswer.responses.last?.partitionResponses.first?.baseOffset)
            #expect(nextAnswer.responses.first?.partitionResponses.first?.baseOffset == aheadPlainOffset + 1, "round \(round)")
            slowSequence += Int32(large.count)
            plainSequence += 2
        }
    }

    // MARK: Fetch (1)

    static func fetchRequest(_ topic: String, offset: Int64) -> FetchRequest {
        var partition = FetchRequest.FetchPartition()
        partition.partition = 0
        partition.currentLeaderEpoch = -1
        partition.fetchOffset = offset
        partition.logStartOffset = -1
        partition.partitionMaxBytes = 1 << 20
        var fetchTopic = FetchRequest.FetchTopic()
        fetchTopic.topic = topic
        fetchTopic.partitions = [partition]
        var request = FetchRequest()
        request.replicaId = -1
        request.maxWaitMs = 0
        request.minBytes = 1
        request.maxBytes = 1 << 20
        request.sessionEpoch = -1
        request.topics = [fetchTopic]
        return request
    }

    @Test func fetchReturnsTheStoredBatch() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("fetch")
        try await connection.createTopic(topic)
        #expect(try await connection.produce(topic, values: ["a", "b"])?.errorCode == KafkaErrorCode.none)
        let response = try await connection.exchange(Self.fetchRequest(topic, offset: 0), version: 12)
        let partition = try #require(response.responses.first?.partitions.first)
        #expect(partition.errorCode == KafkaErrorCode.none)
        #expect(partition.highWatermark == 2)
        let records = try #require(partition.records)
        let batch = try RecordBatch(validating: records)
        #expect(try batch.records().map { $0.value.map { String(buffer: $0) } } == ["a", "b"])
    }

    @Test func fetchPastTheHighWatermarkIsOutOfRange() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("fetch-range")
        try await connection.createTopic(topic)
        #expect(try await connection.produce(topic, values: ["a"])?.errorCode == KafkaErrorCode.none)
        let response = try await connection.exchange(Self.fetchRequest(topic, offset: 5), version: 12)
        let partition = try #require(response.responses.first?.partitions.first)
        #expect(partition.errorCode == KafkaErrorCode.offsetOutOfRange)
        #expect(partition.highWatermark == 1)
    }

    // MARK: ListOffsets (2)

    static func listOffsets(_ topic: String, timestamp: Int64) -> ListOffsetsRequest {
        var partition = ListOffsetsRequest.ListOffsetsPartition()
        partition.partitionIndex = 0
        partition.currentLeaderEpoch = -1
        partition.timestamp = timestamp
        var listTopic = ListOffsetsRequest.ListOffsetsTopic()
        listTopic.name = topic
        listTopic.partitions = [partition]
        var request = ListOffsetsRequest()
        request.replicaId = -1
        request.topics = [listTopic]
        return request
    }

    @Test func listOffsetsGivesTheEarliestAndLatestOffsets() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("list-offsets")
        try await connection.createTopic(topic)
        #expect(try await connection.produce(topic, values: ["a", "b", "c"])?.errorCode == KafkaErrorCode.none)
        let latest = try await connection.exchange(Self.listOffsets(topic, timestamp: -1), version: 7)
        #expect(latest.topics.first?.partitions.first?.errorCode == KafkaErrorCode.none)
        #expect(latest.topics.first?.partitions.first?.offset == 3)
        let earliest = try await connection.exchange(Self.listOffsets(topic, timestamp: -2), version: 7)
        #expect(earliest.topics.first?.partitions.first?.offset == 0)
    }

    @Test func listOffsetsOfAnUnknownTopicIsRefused() async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.listOffsets(uniqueName("no-such-topic"), timestamp: -1), version: 7)
        #expect(response.topics.first?.partitions.first?.errorCode == KafkaErrorCode.unknownTopicOrPartition)
    }

    // MARK: Metadata (3)

    static func metadata(_ topics: [String], autoCreate: Bool = false) -> MetadataRequest {
        var request = MetadataRequest()
        request.topics = topics.map { name in
            var topic = MetadataRequest.MetadataRequestTopic()
            topic.name = name
            return topic
        }
        request.allowAutoTopicCreation = autoCreate
        return request
    }

    @Test func metadataDescribesTheBrokerAndATopicsPartitions() async throws {
        let gateway = try await TestGateway.shared()
        let connection = try await gateway.connect()
        let topic = uniqueName("metadata")
        try await connection.createTopic(topic, partitions: 3)
        let response = try await connection.exchange(Self.metadata([topic]), version: 9)
        #expect(response.brokers.map { "\($0.nodeId) \($0.host):\($0.port)" } == ["0 127.0.0.1:\(gateway.context.settings.kafkaAddress.port)"])
        #expect(response.clusterId == gateway.context.clusterID)
        let described = try #require(response.topics.first)
        #expect(described.name == topic)
        #expect(described.errorCode == KafkaErrorCode.none)
        #expect(described.partitions.map(\.partitionIndex).sorted() == [0, 1, 2])
        #expect(described.partitions.allSatisfy { $0.leaderId == 0 })
    }

    @Test func metadataOfAnUnknownTopicWithoutAutoCreationIsRefused() async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.metadata([uniqueName("no-such-topic")]), version: 9)
        #expect(response.topics.map(\.errorCode) == [KafkaErrorCode.unknownTopicOrPartition])
    }

    // MARK: DeleteRecords (21)

    static func deleteRecords(_ topic: String, before offset: Int64) -> DeleteRecordsRequest {
        var partition = DeleteRecordsRequest.DeleteRecordsPartition()
        partition.partitionIndex = 0
        partition.offset = offset
        var deleteTopic = DeleteRecordsRequest.DeleteRecordsTopic()
        deleteTopic.name = topic
        deleteTopic.partitions = [partition]
        var request = DeleteRecordsRequest()
        request.topics = [deleteTopic]
        request.timeoutMs = 10_000
        return request
    }

    @Test func deleteRecordsMovesTheLogStart() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("delete-records")
        try await connection.createTopic(topic)
        #expect(try await connection.produce(topic, values: ["a"])?.errorCode == KafkaErrorCode.none)
        #expect(try await connection.produce(topic, values: ["b"])?.errorCode == KafkaErrorCode.none)
        let response = try await connection.exchange(Self.deleteRecords(topic, before: 1), version: 2)
        let partition = try #require(response.topics.first?.partitions.first)
        #expect(partition.errorCode == KafkaErrorCode.none)
        #expect(partition.lowWatermark == 1)
        let earliest = try await connection.exchange(Self.listOffsets(topic, timestamp: -2), version: 7)
        #expect(earliest.topics.first?.partitions.first?.offset == 1)
    }

    @Test func deleteRecordsOfAnUnknownTopicIsRefused() async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.deleteRecords(uniqueName("no-such-topic"), before: 1), version: 2)
        #expect(response.topics.first?.partitions.first?.errorCode == KafkaErrorCode.unknownTopicOrPartition)
    }

    // MARK: InitProducerId (22)

    static func initProducerID(id: Int64 = -1, epoch: Int16 = -1) -> InitProducerIdRequest {
        var request = InitProducerIdRequest()
        request.transactionalId = nil
        request.transactionTimeoutMs = 60_000
        request.producerId = id
        request.producerEpoch = epoch
        return request
    }

    @Test func initProducerIdAllocatesAndBumpsEpochs() async throws {
        let connection = try await TestGateway.shared().connect()
        let first = try await connection.exchange(Self.initProducerID(), version: 4)
        #expect(first.errorCode == KafkaErrorCode.none)
        #expect(first.producerId >= 0)
        let second = try await connection.exchange(Self.initProducerID(), version: 4)
        #expect(second.producerId != first.producerId)
        let bumped = try await connection.exchange(Self.initProducerID(id: first.producerId, epoch: first.producerEpoch), version: 4)
        #expect(bumped.errorCode == KafkaErrorCode.none)
        #expect(bumped.producerId == first.producerId)
        #expect(bumped.producerEpoch == first.producerEpoch + 1)
    }

    @Test func initProducerIdForAnUnknownProducerIsRefused() async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.initProducerID(id: 987_654_321, epoch: 0), version: 4)
        #expect(response.errorCode == KafkaErrorCode.unknownProducerID)
        #expect(response.producerId == -1)
    }

    // MARK: OffsetForLeaderEpoch (23)

    static func offsetForLeaderEpoch(_ topic: String, currentLeaderEpoch: Int32 = -1) -> OffsetForLeaderEpochRequest {
        var partition = OffsetForLeaderEpochRequest.OffsetForLeaderPartition()
        partition.partition = 0
        partition.currentLeaderEpoch = currentLeaderEpoch
        partition.leaderEpoch = 0
        var epochTopic = OffsetForLeaderEpochRequest.OffsetForLeaderTopic()
        epochTopic.topic = topic
        epochTopic.partitions = [partition]
        var request = OffsetForLeaderEpochRequest()
        request.replicaId = -1
        request.topics = [epochTopic]
        return request
    }

    @Test func offsetForLeaderEpochEndsAtTheHighWatermark() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("leader-epoch")
        try await connection.createTopic(topic)
        #expect(try await connection.produce(topic, values: ["a", "b"])?.errorCode == KafkaErrorCode.none)
        let response = try await connection.exchange(Self.offsetForLeaderEpoch(topic), version: 4)
        let partition = try #require(response.topics.first?.partitions.first)
        #expect(partition.errorCode == KafkaErrorCode.none)
        #expect(partition.leaderEpoch == 0)
        #expect(partition.endOffset == 2)
    }

    @Test func offsetForLeaderEpochOfAnUnknownTopicIsRefused() async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.offsetForLeaderEpoch(uniqueName("no-such-topic")), version: 4)
        #expect(response.topics.first?.partitions.first?.errorCode == KafkaErrorCode.unknownTopicOrPartition)
    }

    // MARK: DescribeProducers (61)

    static func describeProducers(_ topic: String, partition: Int32 = 0) -> DescribeProducersRequest {
        var wanted = DescribeProducersRequest.TopicRequest()
        wanted.name = topic
        wanted.partitionIndexes = [partition]
        var request = DescribeProducersRequest()
        request.topics = [wanted]
        return request
    }

    @Test func describeProducersListsAnIdempotentProducer() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("producers")
        try await connection.createTopic(topic)
        let producer = try await connection.exchange(Self.initProducerID(), version: 4)
        let stamp = ProducerStamp(producerID: producer.producerId, epoch: producer.producerEpoch, baseSequence: 0)
        let produced = try #require(try await connection.produce(topic, values: ["a", "b", "c"], producer: stamp))
        #expect(produced.errorCode == KafkaErrorCode.none)
        let response = try await connection.exchange(Self.describeProducers(topic), version: 0)
        let partition = try #require(response.topics.first?.partitions.first)
        #expect(partition.errorCode == KafkaErrorCode.none)
        #expect(partition.activeProducers.map(\.producerId) == [producer.producerId])
        #expect(partition.activeProducers.first?.lastSequence == 2)
    }

    @Test func describeProducersOfAMissingPartitionIsRefused() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("producers-missing")
        try await connection.createTopic(topic)
        let response = try await connection.exchange(Self.describeProducers(topic, partition: 5), version: 0)
        #expect(response.topics.first?.partitions.first?.errorCode == KafkaErrorCode.unknownTopicOrPartition)
    }
}
