import MonologKafkaClient
import MonologKafkaProtocol
import NIOCore

/// The target of a migration, reached through the Kafka protocol only, so that it is any Kafka,
/// Redpanda or Monolog cluster: topics are created with CreateTopics, records written with Produce
/// (acks=all) to each partition's leader, ends read with ListOffsets and group offsets committed with
/// OffsetCommit to each group's coordinator.
final class MigrationTarget: Sendable {
    /// An error the target answered with; `retriable` when it is about routing or availability and the
    /// same request may succeed after a metadata refresh.
    struct Failure: Error, CustomStringConvertible {
        var code: Int16
        var message: String
        var retriable: Bool { Self.retriableCodes.contains(self.code) }
        var description: String { "\(self.message) (Kafka error \(self.code))" }
        // LEADER_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, COORDINATOR_LOAD_IN_PROGRESS,
        // COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, NOT_ENOUGH_REPLICAS(_AFTER_APPEND), KAFKA_STORAGE_ERROR.
        static let retriableCodes: Set<Int16> = [5, 6, 7, 14, 15, 16, 19, 20, 56]
    }

    let cluster: KafkaClusterClient

    init(settings: KafkaClientSettings) {
        self.cluster = KafkaClusterClient(settings: settings)
    }

    /// Partition counts of the target's topics among `names`; absent topics are left out.
    func partitionCounts(_ names: [String]) async throws -> [String: Int32] {
        let metadata = try await self.cluster.metadata(topics: names)
        var counts: [String: Int32] = [:]
        for topic in metadata.topics where topic.errorCode == KafkaErrorCode.none {
            if let name = topic.name { counts[name] = Int32(topic.partitions.count) }
        }
        return counts
    }

    /// Creates a topic; true when created, false when it already existed.
    func createTopic(_ name: String, partitions: Int32, replicationFactor: Int16, configs: [String: String]) async throws -> Bool {
        var topic = CreateTopicsRequest.CreatableTopic()
        topic.name = name
        topic.numPartitions = partitions
        topic.replicationFactor = replicationFactor
        topic.configs = configs.sorted { $0.key < $1.key }.map { entry in
            var config = CreateTopicsRequest.CreatableTopicConfig()
            config.name = entry.key
            config.value = entry.value
            return config
        }
        var request = CreateTopicsRequest()
        request.topics = [topic]
        request.timeoutMs = 30_000
        // A ZooKeeper-based Kafka takes CreateTopics at its controller only; NOT_CONTROLLER means the
        // controller moved, so ask Metadata again.
        return try await self.retrying("creating topic \(name)", extraCodes: [Self.notController]) {
            let (response, _) = try await self.cluster.connectionToController().send(request)
            guard let result = response.topics.first else { throw Failure(code: -1, message: "CreateTopics for \(name) answered no topic") }
            switch result.errorCode {
            case KafkaErrorCode.none: return true
            case KafkaErrorCode.topicAlreadyExists: return false
            default: throw Failure(code: result.errorCode, message: "creating topic \(name): \(result.errorMessage ?? "refused")")
            }
        }
    }

    /// Waits until every partition of a new topic has a leader: brokers learn of a topic a moment
    /// after it is created and refuse requests for it meanwhile.
    func waitForLeaders(_ topic: String, partitions: Int32) async throws {
        for _ in 0..<60 {
            let metadata = try await self.cluster.metadata(topics: [topic])
            if let entry = metadata.topics.first(where: { $0.name == topic }), entry.errorCode == KafkaErrorCode.none,
                entry.partitions.count == Int(partitions), entry.partitions.allSatisfy({ $0.leaderId >= 0 })
            {
                return
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw Failure(code: 5, message: "topic \(topic) has partitions without a leader on the target 30 s after it was created")
    }

    /// The partition's end offset (the next offset a record written to it gets).
    func endOffset(_ topic: String, partition: Int32) async throws -> Int64 {
        try await self.retrying("reading the end of \(topic)/\(partition)") { try await self.endOffsetOnce(topic, partition: partition) }
    }

    private func endOffsetOnce(_ topic: String, partition: Int32) async throws -> Int64 {
        var request = ListOffsetsRequest()
        request.replicaId = -1
        var requested = ListOffsetsRequest.ListOffsetsPartition()
        requested.partitionIndex = partition
        requested.currentLeaderEpoch = -1
        requested.timestamp = -1  // latest
        requested.maxNumOffsets = 1
        var entry = ListOffsetsRequest.ListOffsetsTopic()
        entry.name = topic
        entry.partitions = [requested]
        request.topics = [entry]
        let connection = try await self.cluster.connection(toLeaderOf: topic, partition: partition)
        let (response, version) = try await connection.send(request)
        guard let answer = response.topics.first?.partitions.first else {
            throw Failure(code: -1, message: "ListOffsets for \(topic)/\(partition) answered nothing")
        }
        guard answer.errorCode == KafkaErrorCode.none else { throw Failure(code: answer.errorCode, message: "ListOffsets for \(topic)/\(partition)") }
        return version == 0 ? (answer.oldStyleOffsets.first ?? 0) : answer.offset
    }

    /// Writes one record batch to a partition, acknowledged by all in-sync replicas; returns the
    /// offset the target gave its first record.
    func produce(_ topic: String, partition: Int32, batch: ByteBuffer) async throws -> Int64 {
        var data = ProduceRequest.PartitionProduceData()
        data.index = partition
        data.records = batch
        var entry = ProduceRequest.TopicProduceData()
        entry.name = topic
        entry.partitionData = [data]
        var request = ProduceRequest()
        request.acks = -1
        request.timeoutMs = 30_000
        request.topicData = [entry]
        // v3 is the first with record batch v2 only; Kafka 4 serves v3 and later.
        let connection = try await self.cluster.connection(toLeaderOf: topic, partition: partition)
        let (response, _) = try await connection.send(request)
        guard let answer = response.responses.first?.partitionResponses.first else {
            throw Failure(code: -1, message: "Produce to \(topic)/\(partition) answered nothing")
        }
        guard answer.errorCode == KafkaErrorCode.none else {
            throw Failure(code: answer.errorCode, message: "producing to \(topic)/\(partition): \(answer.errorMessage ?? "refused")")
        }
        return answer.baseOffset
    }

    /// Commits a group's offsets as an admin tool does (no member, generation -1): the target accepts
    /// it while the group has no active members there. Returns the partitions it refused, with codes.
    func commit(group: String, offsets: [(topic: String, partition: Int32, offset: Int64, metadata: String?)]) async throws -> [String: Int16] {
        var request = OffsetCommitRequest()
        request.groupId = group
        request.generationIdOrMemberEpoch = -1
        request.memberId = ""
        request.retentionTimeMs = -1
        request.topics = Dictionary(grouping: offsets, by: \.topic).sorted { $0.key < $1.key }.map { topic, entries in
            var requested = OffsetCommitRequest.OffsetCommitRequestTopic()
            requested.name = topic
            requested.partitions = entries.sorted { $0.partition < $1.partition }.map { entry in
                var partition = OffsetCommitRequest.OffsetCommitRequestPartition()
                partition.partitionIndex = entry.partition
                partition.committedOffset = entry.offset
                partition.committedLeaderEpoch = -1
                partition.commitTimestamp = -1
                partition.committedMetadata = entry.metadata
                return partition
            }
            return requested
        }
        let connection = try await self.cluster.connection(toCoordinatorOfGroup: group)
        let (response, _) = try await connection.send(request)
        var refused: [String: Int16] = [:]
        for topic in response.topics {
            for partition in topic.partitions where partition.errorCode != KafkaErrorCode.none {
                refused["\(topic.name)/\(partition.partitionIndex)"] = partition.errorCode
            }
        }
        if refused.values.contains(where: { Failure.retriableCodes.contains($0) }) {
            self.cluster.invalidateRouting()
        }
        return refused
    }

    func shutdown() async { await self.cluster.shutdown() }

    static let notController: Int16 = 41

    /// Runs `body` again, with routing looked up afresh, while it fails for a reason that passes
    /// (a leader or coordinator moving, a broker restarting, a lost connection): up to 8 times over
    /// about 15 s. Other failures are thrown at once.
    func retrying<T>(_ what: String, extraCodes: Set<Int16> = [], _ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch let failure as Failure where !failure.retriable && !extraCodes.contains(failure.code) {
                throw failure
            } catch let error as KafkaClientError where ![.connect, .timeout, .closed, .broker].contains(error.kind) {
                throw error
            } catch {
                attempt += 1
                guard attempt < 8 else { throw error }
                self.cluster.invalidateRouting()
                try await Task.sleep(for: .milliseconds(min(250 << attempt, 4_000)))
            }
        }
    }
}
