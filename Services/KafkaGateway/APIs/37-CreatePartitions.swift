import MonologKafkaProtocol
import MonologStorage
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// CreatePartitions (key 37), versions 0–3: grows topics to a new total partition count through the
/// storage writer. A manual assignment may only name this broker (node 0), one replica per partition.
enum CreatePartitionsAPI {
    static let entry = SupportedAPIs.Entry(apiKey: CreatePartitionsRequest.apiKey, name: "CreatePartitions", minVersion: 0, maxVersion: 3, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(CreatePartitionsRequest.self), context: request.gateway, on: request.eventLoop))
    }

    static let invalidReplicaAssignment: Int16 = 39

    static func respond(to request: CreatePartitionsRequest, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<CreatePartitionsResponse> {
        var counts: [String: Int] = [:]
        for topic in request.topics { counts[topic.name, default: 0] += 1 }
        let results = request.topics.map { topic -> EventLoopFuture<CreatePartitionsResponse.CreatePartitionsTopicResult> in
            @Sendable func result(_ error: Int16, _ message: String? = nil) -> CreatePartitionsResponse.CreatePartitionsTopicResult {
                var result = CreatePartitionsResponse.CreatePartitionsTopicResult()
                result.name = topic.name
                result.errorCode = error
                result.errorMessage = message
                return result
            }
            if counts[topic.name, default: 0] > 1 {
                return eventLoop.makeSucceededFuture(result(KafkaErrorCode.invalidRequest, "topic '\(topic.name)' appears more than once"))
            }
            if let assignments = topic.assignments,
                assignments.contains(where: { $0.brokerIds != [KafkaGatewayContext.nodeID] })
            {
                return eventLoop.makeSucceededFuture(
                    result(invalidReplicaAssignment, "Monolog is one broker (node 0); each new partition's assignment must be [0]")
                )
            }
            if request.validateOnly {
                return context.read(on: eventLoop) { try $0.topic(named: topic.name) }.map { existing in
                    guard let existing else { return result(KafkaErrorCode.unknownTopicOrPartition, "topic '\(topic.name)' does not exist") }
                    guard topic.count > existing.partitionCount else {
                        return result(
                            KafkaErrorCode.invalidPartitions,
                            "topic '\(topic.name)' has \(existing.partitionCount) partitions; the new count must be higher, got \(topic.count)"
                        )
                    }
                    return result(KafkaErrorCode.none)
                }
            }
            return context.writer.submit(CreatePartitions(name: topic.name, count: topic.count), on: eventLoop)
                .map { _ in result(KafkaErrorCode.none) }
                .recover { error in result(KafkaErrorCode.from(error), (error as? WriterClientError)?.message ?? "\(error)") }
        }
        return EventLoopFuture.whenAllSucceed(results, on: eventLoop).map { results in
            var response = CreatePartitionsResponse()
            response.results = results
            return response
        }
    }
}
