import MonologKafkaProtocol
import MonologRecords
import NIOCore
import Testing

/// Requests many tests need as set-up, sent through the gateway like any other.
extension TestConnection {
    /// Creates a topic (CreateTopics v7) and expects it to succeed.
    func createTopic(_ name: String, partitions: Int32 = 1) async throws {
        var topic = CreateTopicsRequest.CreatableTopic()
        topic.name = name
        topic.numPartitions = partitions
        topic.replicationFactor = -1
        var request = CreateTopicsRequest()
        request.topics = [topic]
        request.timeoutMs = 10_000
        let response = try await self.exchange(request, version: 7)
        #expect(response.topics.map(\.errorCode) == [KafkaErrorCode.none], "creating \(name)")
    }

    /// Produces one batch of `values` (Produce v9, acks=-1) and returns the partition's answer.
    @discardableResult
    func produce(
        _ topic: String,
        partition: Int32 = 0,
        values: [String],
        producer: ProducerStamp = .none,
        acks: Int16 = -1
    ) async throws -> ProduceResponse.PartitionProduceResponse? {
        var request = Self.produceRequest(topic, partition: partition, values: values, producer: producer)
        request.acks = acks
        if acks == 0 {
            try await self.send(request, version: 9)
            return nil
        }
        let response = try await self.exchange(request, version: 9)
        return try #require(response.responses.first?.partitionResponses.first)
    }

    static func produceRequest(_ topic: String, partition: Int32 = 0, values: [String], producer: ProducerStamp = .none) -> ProduceRequest {
        var data = ProduceRequest.PartitionProduceData()
        data.index = partition
        data.records = RecordBatchBuilder.build(values.map { NewRecord(key: nil, value: Array($0.utf8), timestamp: 1_700_000_000_000) }, producer: producer)
        var topicData = ProduceRequest.TopicProduceData()
        topicData.name = topic
        topicData.partitionData = [data]
        var request = ProduceRequest()
        request.acks = -1
        request.timeoutMs = 10_000
        request.topicData = [topicData]
        return request
    }

    /// Joins `group` as a new member (JoinGroup v3, which needs no member id round trip) and returns
    /// the answer: the only member is its leader.
    func joinGroup(_ group: String, sessionTimeoutMs: Int32 = 30_000) async throws -> JoinGroupResponse {
        var request = JoinGroupRequest()
        request.groupId = group
        request.sessionTimeoutMs = sessionTimeoutMs
        request.rebalanceTimeoutMs = 10_000
        request.memberId = ""
        request.protocolType = "consumer"
        var range = JoinGroupRequest.JoinGroupRequestProtocol()
        range.name = "range"
        range.metadata = ByteBuffer(bytes: [0, 1, 2])
        request.protocols = [range]
        return try await self.exchange(request, version: 3)
    }

    /// Joins `group` and completes the rebalance as its leader (SyncGroup v3 with one assignment).
    func joinAndSync(_ group: String, assignment: [UInt8] = [9, 9]) async throws -> (memberID: String, generation: Int32) {
        let joined = try await self.joinGroup(group)
        #expect(joined.errorCode == KafkaErrorCode.none)
        var request = SyncGroupRequest()
        request.groupId = group
        request.generationId = joined.generationId
        request.memberId = joined.memberId
        var mine = SyncGroupRequest.SyncGroupRequestAssignment()
        mine.memberId = joined.memberId
        mine.assignment = ByteBuffer(bytes: assignment)
        request.assignments = [mine]
        let synced = try await self.exchange(request, version: 3)
        #expect(synced.errorCode == KafkaErrorCode.none)
        return (joined.memberId, joined.generationId)
    }

    /// Commits `offset` for partition 0 of `topic` as a group without members (generation -1).
    func commitOffset(group: String, topic: String, offset: Int64) async throws -> Int16? {
        var partition = OffsetCommitRequest.OffsetCommitRequestPartition()
        partition.partitionIndex = 0
        partition.committedOffset = offset
        partition.committedMetadata = "m"
        var topicCommit = OffsetCommitRequest.OffsetCommitRequestTopic()
        topicCommit.name = topic
        topicCommit.partitions = [partition]
        var request = OffsetCommitRequest()
        request.groupId = group
        request.generationIdOrMemberEpoch = -1
        request.memberId = ""
        request.topics = [topicCommit]
        let response = try await self.exchange(request, version: 8)
        return response.topics.first?.partitions.first?.errorCode
    }
}
