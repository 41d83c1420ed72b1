import MonologKafkaProtocol
import MonologStorage
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// CreateTopics (key 19), versions 2–7: topics with a partition count (-1: the default) and configs,
/// checked by name and value; replication factor -1 or 1 only (one broker); `validate_only` checks
/// everything and creates nothing. Manual replica assignments are checked as Kafka's controller checks
/// them, against the one broker there is (node 0).
enum CreateTopicsAPI {
    static let entry = SupportedAPIs.Entry(apiKey: CreateTopicsRequest.apiKey, name: "CreateTopics", minVersion: 2, maxVersion: 7, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(CreateTopicsRequest.self), context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: CreateTopicsRequest, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<CreateTopicsResponse> {
        let results = request.topics.map { topic in self.create(topic, validateOnly: request.validateOnly, context: context, on: eventLoop) }
        return EventLoopFuture.whenAllSucceed(results, on: eventLoop).map { topics in
            var response = CreateTopicsResponse()
            response.topics = topics
            return response
        }
    }

    static func create(
        _ topic: CreateTopicsRequest.CreatableTopic,
        validateOnly: Bool,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<CreateTopicsResponse.CreatableTopicResult> {
        var result = CreateTopicsResponse.CreatableTopicResult()
        result.name = topic.name
        var partitions = topic.numPartitions == -1 ? context.defaultPartitions : topic.numPartitions
        result.replicationFactor = 1
        func refuse(_ code: Int16, _ message: String) -> EventLoopFuture<CreateTopicsResponse.CreatableTopicResult> {
            result.errorCode = code
            result.errorMessage = message
            result.numPartitions = -1
            result.replicationFactor = -1
            return eventLoop.makeSucceededFuture(result)
        }
        if let problem = TopicName.problem(with: topic.name) { return refuse(KafkaErrorCode.invalidTopicException, problem) }
        if !topic.assignments.isEmpty {
            switch self.manualPartitionCount(topic) {
            case .success(let count): partitions = count
            case .failure(let refusal): return refuse(refusal.code, refusal.message)
            }
        }
        result.numPartitions = partitions
        guard (1...10_000).contains(partitions) else {
            return refuse(KafkaErrorCode.invalidPartitions, "partition count must be between 1 and 10000")
        }
        guard topic.replicationFactor == -1 || topic.replicationFactor == 1 else {
            return refuse(KafkaErrorCode.invalidReplicationFactor, "Monolog is one broker: the replication factor can only be 1")
        }
        var configs: [String: String] = [:]
        for config in topic.configs {
            guard let value = config.value else { continue }  // null: use the default
            if let problem = TopicConfigs.problem(name: config.name, value: value) {
                return refuse(KafkaErrorCode.invalidConfig, problem)
            }
            configs[config.name] = value
        }
        if let conflict = TopicConfigs.conflict(in: configs) { return refuse(KafkaErrorCode.invalidConfig, conflict) }
        let pending = result
        if validateOnly {
            return context.read(on: eventLoop) { try $0.topic(named: topic.name) != nil }.map { exists in
                var result = pending
                if exists {
                    result.errorCode = KafkaErrorCode.topicAlreadyExists
                    result.errorMessage = "topic '\(topic.name)' already exists"
                }
                return result
            }
        }
        let create = CreateTopic(name: topic.name, partitionCount: partitions, configs: configs, ifNotExists: false)
        return context.writer.submit(create, on: eventLoop).map { _ in
            context.producePolicies.forget(topic.name)
            return pending
        }.recover { error in
            var result = pending
            result.errorCode = KafkaErrorCode.from(error)
            result.errorMessage = "\(error)"
            return result
        }
    }

    struct Refusal: Error {
        var code: Int16
        var message: String
    }

    /// The partition count manual assignments give, checked in the order Kafka's controller checks them:
    /// neither a partition count nor a replication factor beside them (INVALID_REQUEST), then each
    /// partition once, with a valid replica list, and partitions numbered 0, 1, 2, … without gaps
    /// (INVALID_REPLICA_ASSIGNMENT).
    static func manualPartitionCount(_ topic: CreateTopicsRequest.CreatableTopic) -> Result<Int32, Refusal> {
        guard topic.replicationFactor == -1 else {
            return .failure(
                Refusal(code: KafkaErrorCode.invalidRequest, message: "A manual partition assignment was specified, but replication factor was not set to -1.")
            )
        }
        guard topic.numPartitions == -1 else {
            return .failure(
                Refusal(code: KafkaErrorCode.invalidRequest, message: "A manual partition assignment was specified, but numPartitions was not set to -1.")
            )
        }
        var partitions: Set<Int32> = []
        for assignment in topic.assignments {
            guard partitions.insert(assignment.partitionIndex).inserted else {
                return .failure(
                    Refusal(
                        code: KafkaErrorCode.invalidReplicaAssignment,
                        message: "Found multiple manual partition assignments for partition \(assignment.partitionIndex)"
                    )
                )
            }
            if let problem = replicaProblem(assignment.brokerIds) {
                return .failure(Refusal(code: KafkaErrorCode.invalidReplicaAssignment, message: problem))
            }
        }
        guard partitions == Set(0..<Int32(partitions.count)) else {
            return .failure(
                Refusal(code: KafkaErrorCode.invalidReplicaAssignment, message: "partitions should be a consecutive 0-based integer sequence")
            )
        }
        return .success(Int32(partitions.count))
    }

    /// Why one partition's replica list cannot be used, as Kafka's controller words it, or nil. The only
    /// registered broker is node 0, so the one valid list is [0].
    static func replicaProblem(_ brokerIDs: [Int32]) -> String? {
        guard !brokerIDs.isEmpty else { return "The manual partition assignment includes an empty replica list." }
        var previous: Int32?
        for broker in brokerIDs.sorted() {
            guard broker == KafkaGatewayContext.nodeID else {
                return "The manual partition assignment includes broker \(broker), but no such broker is registered."
            }
            if broker == previous { return "The manual partition assignment includes the broker \(broker) more than once." }
            previous = broker
        }
        return nil
    }
}
