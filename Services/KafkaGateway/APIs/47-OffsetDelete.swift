import MonologGroups
import MonologKafkaProtocol
import MonologStorage
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// OffsetDelete (key 47), version 0: removes a group's committed offsets for some partitions, except
/// those of topics its current members subscribe to (GROUP_SUBSCRIBED_TO_TOPIC), as in Kafka.
enum OffsetDeleteAPI {
    static let entry = SupportedAPIs.Entry(apiKey: OffsetDeleteRequest.apiKey, name: "OffsetDelete", minVersion: 0, maxVersion: 0, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(OffsetDeleteRequest.self), context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: OffsetDeleteRequest, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<OffsetDeleteResponse> {
        let group = request.groupId
        let guardrail = context.groups.offsetDeletionGuard(groupID: group)
        let subscribed: Set<String>
        switch guardrail {
        case .nonEmptyGroup:
            return eventLoop.makeSucceededFuture(answer(request, KafkaErrorCode.nonEmptyGroup) { _ in KafkaErrorCode.none })
        case .subscribedTopics(let topics):
            subscribed = topics
        case .noMembers:
            subscribed = []
        }
        return context.read(on: eventLoop) { reader in
            try !reader.committedOffsets(group: group).isEmpty
        }.flatMap { hasOffsets -> EventLoopFuture<OffsetDeleteResponse> in
            guard hasOffsets || guardrail != .noMembers else {
                return eventLoop.makeSucceededFuture(answer(request, KafkaErrorCode.groupIDNotFound) { _ in KafkaErrorCode.none })
            }
            let deletable = request.topics.filter { !subscribed.contains($0.name) }.flatMap { topic in
                topic.partitions.map { TopicPartition(topic: topic.name, partition: $0.partitionIndex) }
            }
            let deleted: EventLoopFuture<Int16> =
                deletable.isEmpty
                ? eventLoop.makeSucceededFuture(KafkaErrorCode.none)
                : context.writer.submit(DeleteGroupOffsets(group: group, partitions: deletable), on: eventLoop)
                    .map { _ in KafkaErrorCode.none }
                    .recover { KafkaErrorCode.from($0) }
            return deleted.map { error in
                answer(request, KafkaErrorCode.none) { subscribed.contains($0) ? KafkaErrorCode.groupSubscribedToTopic : error }
            }
        }.recover { _ in answer(request, KafkaErrorCode.coordinatorNotAvailable) { _ in KafkaErrorCode.none } }
    }

    private static func answer(_ request: OffsetDeleteRequest, _ topLevel: Int16, partitionError: (String) -> Int16) -> OffsetDeleteResponse {
        var response = OffsetDeleteResponse()
        response.errorCode = topLevel
        guard topLevel == KafkaErrorCode.none else { return response }
        response.topics = request.topics.map { topic in
            var result = OffsetDeleteResponse.OffsetDeleteResponseTopic()
            result.name = topic.name
            result.partitions = topic.partitions.map { partition in
                var item = OffsetDeleteResponse.OffsetDeleteResponsePartition()
                item.partitionIndex = partition.partitionIndex
                item.errorCode = partitionError(topic.name)
                return item
            }
            return result
        }
        return response
    }
}
