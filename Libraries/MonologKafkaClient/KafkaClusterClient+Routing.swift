import MonologKafkaProtocol
import Synchronization

extension KafkaClusterClient {
    /// LEADER_NOT_AVAILABLE: a partition without a leader right now (an election is under way).
    static let leaderNotAvailable: Int16 = 5
    /// COORDINATOR_LOAD_IN_PROGRESS: the coordinator is still reading the group's state.
    static let coordinatorLoadInProgress: Int16 = 14
    /// How often FindCoordinator is repeated while the coordinator is not available, and the first
    /// pause (doubled each time: 0.1 + 0.2 + 0.4 + 0.8 + 1.6 s, enough for a broker to load its groups).
    static let coordinatorAttempts = 6
    static let coordinatorBackoff = Duration.milliseconds(100)

    /// Metadata for `topics` (nil: every topic), never creating a topic; refreshes the broker list and
    /// the leaders of the topics it lists.
    public func metadata(topics: [String]?) async throws -> MetadataResponse {
        let connection = try await self.anyConnection()
        // Every version has topic names (v10+ adds ids beside them); the highest shared one is used.
        let version = try connection.version(for: MetadataRequest.self)
        var request = MetadataRequest()
        if let topics {
            request.topics = topics.map { name in
                var topic = MetadataRequest.MetadataRequestTopic()
                topic.name = name
                return topic
            }
        } else {
            // "All topics" is null since v1, an empty list in v0.
            request.topics = version >= 1 ? nil : []
        }
        if version >= 4 { request.allowAutoTopicCreation = false }
        let (response, _) = try await connection.send(request, maxVersion: version)
        self.record(response)
        return response
    }

    /// Takes the broker list and the leaders of the topics in `response` into the routing tables.
    private func record(_ response: MetadataResponse) {
        self.state.withLock { state in
            state.brokers = Dictionary(response.brokers.map { ($0.nodeId, KafkaBrokerAddress(host: $0.host, port: Int($0.port))) }) { first, _ in first }
            for topic in response.topics {
                guard let name = topic.name else { continue }
                state.leaders = state.leaders.filter { $0.key.topic != name }
                guard topic.errorCode == KafkaErrorCode.none else { continue }
                for partition in topic.partitions where partition.leaderId >= 0 {
                    state.leaders[TopicPartition(topic: name, partition: partition.partitionIndex)] = partition.leaderId
                }
            }
        }
    }

    /// The connection to the leader of `topic`'s `partition`, asking Metadata first when the leader is
    /// not known. Throws `.broker` with the topic's or partition's error code when there is no leader.
    public func connection(toLeaderOf topic: String, partition: Int32) async throws -> KafkaBrokerConnection {
        if let address = self.leaderAddress(topic, partition) { return try await self.connection(to: address) }
        let response = try await self.metadata(topics: [topic])
        guard let found = response.topics.first(where: { $0.name == topic }) else {
            throw KafkaClientError.broker(KafkaErrorCode.unknownTopicOrPartition, "metadata does not list topic '\(topic)'")
        }
        guard found.errorCode == KafkaErrorCode.none else {
            throw KafkaClientError.broker(found.errorCode, "metadata for topic '\(topic)' has an error")
        }
        guard let entry = found.partitions.first(where: { $0.partitionIndex == partition }) else {
            throw KafkaClientError.broker(KafkaErrorCode.unknownTopicOrPartition, "topic '\(topic)' has no partition \(partition)")
        }
        guard let address = self.leaderAddress(topic, partition) else {
            let code = entry.errorCode != KafkaErrorCode.none ? entry.errorCode : Self.leaderNotAvailable
            throw KafkaClientError.broker(code, "partition \(topic)-\(partition) has no leader (leader id \(entry.leaderId))")
        }
        return try await self.connection(to: address)
    }

    /// The connection to the broker Metadata names as the controller: where CreateTopics must go on
    /// a ZooKeeper-based Kafka (others answer NOT_CONTROLLER); a KRaft cluster names a broker that
    /// forwards it (KIP-590). Falls back to any broker when the controller is not among the brokers.
    public func connectionToController() async throws -> KafkaBrokerConnection {
        let response = try await self.metadata(topics: [])
        let address = self.state.withLock { $0.brokers[response.controllerId] }
        guard let address else { return try await self.anyConnection() }
        return try await self.connection(to: address)
    }

    private func leaderAddress(_ topic: String, _ partition: Int32) -> KafkaBrokerAddress? {
        self.state.withLock { state in
            state.leaders[TopicPartition(topic: topic, partition: partition)].flatMap { state.brokers[$0] }
        }
    }

    /// The connection to `group`'s coordinator, found with FindCoordinator (key type 0: a consumer
    /// group) and remembered. COORDINATOR_NOT_AVAILABLE and COORDINATOR_LOAD_IN_PROGRESS are retried
    /// a few times with a growing pause: a broker answers them while it loads its groups after a start.
    public func connection(toCoordinatorOfGroup group: String) async throws -> KafkaBrokerConnection {
        if let address = self.state.withLock({ $0.coordinators[group] }) { return try await self.connection(to: address) }
        var backoff = Self.coordinatorBackoff
        for attempt in 1...Self.coordinatorAttempts {
            let found = try await self.findCoordinator(group, on: try await self.anyConnection())
            if found.errorCode == KafkaErrorCode.none {
                let address = KafkaBrokerAddress(host: found.host, port: Int(found.port))
                self.state.withLock { state in
                    state.coordinators[group] = address
                    state.brokers[found.nodeId] = address
                }
                return try await self.connection(to: address)
            }
            let retriable = found.errorCode == KafkaErrorCode.coordinatorNotAvailable || found.errorCode == Self.coordinatorLoadInProgress
            guard retriable, attempt < Self.coordinatorAttempts else {
                throw KafkaClientError.broker(found.errorCode, "FindCoordinator for group '\(group)' failed: \(found.errorMessage ?? "no message")")
            }
            try await Task.sleep(for: backoff)
            backoff *= 2
        }
        preconditionFailure("the loop returns or throws on its last attempt")
    }

    /// What FindCoordinator said about one group, whichever version carried it.
    private struct FoundCoordinator {
        var errorCode: Int16
        var errorMessage: String?
        var nodeId: Int32
        var host: String
        var port: Int32
    }

    /// FindCoordinator for a group (key type 0). Versions 0-3 carry one `key` and answer in top-level
    /// fields; v4+ (KIP-699) batch `coordinatorKeys` and answer in `coordinators`.
    private func findCoordinator(_ group: String, on connection: KafkaBrokerConnection) async throws -> FoundCoordinator {
        let version = try connection.version(for: FindCoordinatorRequest.self)
        var request = FindCoordinatorRequest()
        request.keyType = 0
        if version >= 4 { request.coordinatorKeys = [group] } else { request.key = group }
        let (response, _) = try await connection.send(request, maxVersion: version)
        guard version >= 4 else {
            return FoundCoordinator(
                errorCode: response.errorCode, errorMessage: response.errorMessage, nodeId: response.nodeId, host: response.host, port: response.port)
        }
        guard let entry = response.coordinators.first(where: { $0.key == group }) else {
            throw KafkaClientError(.protocolError, "\(connection.address) answered FindCoordinator without group '\(group)'")
        }
        return FoundCoordinator(errorCode: entry.errorCode, errorMessage: entry.errorMessage, nodeId: entry.nodeId, host: entry.host, port: entry.port)
    }
}
