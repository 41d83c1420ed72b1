import MonologKafkaProtocol
import MonologStorage
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// What AlterConfigs and IncrementalAlterConfigs share: read the topic's configs, work out the change,
/// and write it through the storage writer (unless only validating).
enum ConfigAlteration {
    struct Outcome: Sendable {
        var code: Int16
        /// nil on success, as Kafka answers.
        var message: String?

        static let done = Outcome(code: KafkaErrorCode.none, message: nil)
    }

    static func apply(
        resourceType: Int8,
        topic: String,
        validateOnly: Bool,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop,
        change: @escaping @Sendable ([String: String]) throws(TopicConfigChange.Refusal) -> TopicConfigChange
    ) -> EventLoopFuture<Outcome> {
        switch resourceType {
        case ConfigResourceType.topic:
            break
        case ConfigResourceType.broker:
            return eventLoop.makeSucceededFuture(
                Outcome(
                    code: KafkaErrorCode.invalidRequest,
                    message: "the broker's configs are read-only: set them with flags, environment or the config file"
                )
            )
        default:
            return eventLoop.makeSucceededFuture(Outcome(code: KafkaErrorCode.invalidRequest, message: "resource type \(resourceType) has no configs"))
        }
        return context.read(on: eventLoop) { reader -> [String: String]? in
            guard let info = try reader.topic(named: topic) else { return nil }
            return try reader.configs(topicID: info.topicID)
        }.flatMap { current -> EventLoopFuture<Outcome> in
            guard let current else {
                return eventLoop.makeSucceededFuture(Outcome(code: KafkaErrorCode.unknownTopicOrPartition, message: "topic '\(topic)' does not exist"))
            }
            let planned: TopicConfigChange
            do throws(TopicConfigChange.Refusal) {
                planned = try change(current)
            } catch {
                return eventLoop.makeSucceededFuture(Outcome(code: error.code, message: error.message))
            }
            guard !validateOnly else { return eventLoop.makeSucceededFuture(.done) }
            return context.writer.submit(AlterTopicConfigs(name: topic, set: planned.set, delete: planned.delete), on: eventLoop)
                .map { _ in
                    context.producePolicies.forget(topic)
                    return Outcome.done
                }
                .recover { error in Outcome(code: KafkaErrorCode.from(error), message: (error as? WriterClientError)?.message ?? "\(error)") }
        }.recover { _ in Outcome(code: KafkaErrorCode.kafkaStorageError, message: "could not read the topic's configs") }
    }
}
