import MonologKafkaProtocol
import MonologStorage
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// CreatePartitions (key 37), versions 0–3: grows topics to a new total partition count through the
/// storage writer. Manual assignments are checked as Kafka's controller checks them: one per new
/// partition, each naming this broker (node 0) once.
enum CreatePartitionsAPI {
    static let entry = SupportedAPIs.Entry(apiKey: CreatePartitionsRequest.apiKey, name: "CreatePartitions", minVersion: 0, maxVersion: 3, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(CreatePartitionsRequest.self), context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: CreatePartitionsRequest, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<
        CreatePartitionsResponse
    > {
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
            if let problem = topic.assignments?.lazy.compactMap({ CreateTopicsAPI.replicaProblem($0.brokerIds) }).first {
                return eventLoop.makeSucceededFuture(result(KafkaErrorCode.invalidReplicaAssignment, problem))
            }
            // Checked before the writer is asked: the count (as the writer does too) and, with manual
            // assignments, that there is exactly one for each new partition, as Kafka's controller requires.
            let checked: EventLoopFuture<CreatePartitionsResponse.CreatePartitionsTopicResult?>
            if request.validateOnly || topic.assignments != nil {
                checked = context.read(on: eventLoop) { try $0.topic(named: topic.name) }.map { existing in
                    guard let existing else { return result(KafkaErrorCode.unknownTopicOrPartition, "topic '\(topic.name)' does not exist") }
                    guard topic.count > existing.partitionCount else {
                        return result(
                            KafkaErrorCode.invalidPartitions,
                            "topic '\(topic.name)' has \(existing.partitionCount) partitions; the new count must be higher, got \(topic.count)"
                        )
                    }
                    let additional = Int(topic.count - existing.partitionCount)
                    if let assignments = topic.assignments, assignments.count != additional {
                        return result(
                            KafkaErrorCode.invalidReplicaAssignment,
                            "Attempted to add \(additional) additional partition(s), but only \(assignments.count) assignment(s) were specified."
                        )
                    }
                    return nil
                }
            } else {
                checked = eventLoop.makeSucceededFuture(nil)
            }
            return checked.flatMap { refused in
                if let refused { return eventLoop.makeSucceededFuture(refused) }
                if request.validateOnly { return eventLoop.makeSucceededFuture(result(KafkaErrorCode.none)) }
                return context.writer.submit(CreatePartitions(name: topic.name, count: topic.count), on: eventLoop)
                    .map { _ in result(KafkaErrorCode.none) }
                    .recover { error in result(KafkaErrorCode.from(error), (error as? WriterClientError)?.message ?? "\(error)") }
            }
        }
        return EventLoopFuture.whenAllSucceed(results, on: eventLoop).map { results in
            var response = CreatePartitionsResponse()
            response.results = results
            return response
        }
    }
}
