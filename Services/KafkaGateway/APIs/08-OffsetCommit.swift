import MonologGroups
import MonologKafkaProtocol
import MonologStorage
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// OffsetCommit (key 8), versions 2–9 (Kafka 4 removed 0–1). The coordinator checks the member and
/// generation; the offsets go to the storage writer and are acknowledged once fsynced.
enum OffsetCommitAPI {
    static let entry = SupportedAPIs.Entry(apiKey: OffsetCommitRequest.apiKey, name: "OffsetCommit", minVersion: 2, maxVersion: 9, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(OffsetCommitRequest.self), version: request.version, context: request.gateway, on: request.eventLoop))
    }

    /// `offset.metadata.max.bytes`, Kafka's default.
    static let maxMetadataBytes = 4096

    static func respond(
        to request: OffsetCommitRequest,
        version: Int16,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<OffsetCommitResponse> {
        let member = MemberIdentity(
            memberID: request.memberId,
            instanceID: version >= 7 ? request.groupInstanceId : nil,
            generation: request.generationIdOrMemberEpoch
        )
        let groupError =
            request.groupId.isEmpty
            ? KafkaErrorCode.invalidGroupID
            : context.groups.checkCommit(groupID: request.groupId, member)
        // Each partition's answer, in request order; nil where the writer decides.
        let errors: [[Int16?]] = request.topics.map { topic in
            topic.partitions.map { partition in
                if groupError != KafkaErrorCode.none { return groupError }
                if (partition.committedMetadata?.utf8.count ?? 0) > maxMetadataBytes { return KafkaErrorCode.offsetMetadataTooLarge }
                return nil
            }
        }
        var accepted: [GroupOffsetCommit] = []
        for (topicIndex, topic) in request.topics.enumerated() {
            for (partitionIndex, partition) in topic.partitions.enumerated() where errors[topicIndex][partitionIndex] == nil {
                accepted.append(
                    GroupOffsetCommit(
                        topic: topic.name,
                        partition: partition.partitionIndex,
                        offset: partition.committedOffset,
                        leaderEpoch: version >= 6 ? partition.committedLeaderEpoch : -1,
                        metadata: partition.committedMetadata
                    )
                )
            }
        }
        let commits = accepted
        let stored: EventLoopFuture<[Int16]> =
            commits.isEmpty
            ? eventLoop.makeSucceededFuture([])
            : context.writer.submit(CommitOffsets(group: request.groupId, offsets: commits), on: eventLoop).map { committed in
                guard committed.codes.count == commits.count else {
                    return commits.map { _ in KafkaErrorCode.coordinatorNotAvailable }
                }
                return committed.codes.map { KafkaErrorCode.from($0) }
            }.recover { error in
                // Retriable for every client: it finds the coordinator again and commits again.
                let code = KafkaErrorCode.from(error)
                let retriable = code == KafkaErrorCode.requestTimedOut || code == KafkaErrorCode.kafkaStorageError
                return commits.map { _ in retriable ? KafkaErrorCode.coordinatorNotAvailable : code }
            }
        return stored.map { writerErrors in
            // The writer's answers fill the places the checks above left open, in the same order.
            var fromWriter = writerErrors.makeIterator()
            var response = OffsetCommitResponse()
            for (topic, topicErrors) in zip(request.topics, errors) {
                var result = OffsetCommitResponse.OffsetCommitResponseTopic()
                result.name = topic.name
                for (partition, error) in zip(topic.partitions, topicErrors) {
                    var answer = OffsetCommitResponse.OffsetCommitResponsePartition()
                    answer.partitionIndex = partition.partitionIndex
                    answer.errorCode = error ?? fromWriter.next() ?? KafkaErrorCode.coordinatorNotAvailable
                    result.partitions.append(answer)
                }
                response.topics.append(result)
            }
            return response
        }
    }
}
