import MonologKafkaProtocol
import MonologStorage
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// CreateTopics (key 19), versions 2–7: topics with a partition count (-1: the default) and configs,
/// checked by name and value; replication factor -1 or 1 only (one broker); `validate_only` checks
/// everything and creates nothing. Manual replica assignments are refused.
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
        let partitions = topic.numPartitions == -1 ? context.defaultPartitions : topic.numPartitions
        result.numPartitions = partitions
        result.replicationFactor = 1
        func refuse(_ code: Int16, _ message: String) -> EventLoopFuture<CreateTopicsResponse.CreatableTopicResult> {
            result.errorCode = code
            result.errorMessage = message
            result.numPartitions = -1
            result.replicationFactor = -1
            return eventLoop.makeSucceededFuture(result)
        }
        if let problem = TopicName.problem(with: topic.name) { return refuse(KafkaErrorCode.invalidTopicException, problem) }
        guard (1...10_000).contains(partitions) else {
            return refuse(KafkaErrorCode.invalidPartitions, "partition count must be between 1 and 10000")
        }
        guard topic.replicationFactor == -1 || topic.replicationFactor == 1 else {
            return refuse(KafkaErrorCode.invalidReplicationFactor, "Monolog is one broker: the replication factor can only be 1")
        }
        guard topic.assignments.isEmpty else {
            return refuse(KafkaErrorCode.invalidRequest, "manual replica assignments are not supported")
        }
        var configs: [String: String] = [:]
        for config in topic.configs {
            guard let value = config.value else { continue }  // null: use the default
            if let problem = TopicConfigs.problem(name: config.name, value: value) {
                return refuse(KafkaErrorCode.invalidConfig, problem)
            }
            configs[config.name] = value
        }
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
        return context.writer.submit(create, on: eventLoop).map { _ in pending }.recover { error in
            var result = pending
            result.errorCode = KafkaErrorCode.from(error)
            result.errorMessage = "\(error)"
            return result
        }
    }
}
