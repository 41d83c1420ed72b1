import MonologKafkaProtocol
import MonologStorage
import NIOCore

/// OffsetFetch (key 9), versions 1–9: a group's committed offsets, read straight from the database.
/// A partition without a commit answers -1; no topics (null) means every committed partition. v8+
/// asks for several groups at once. With `require_stable` (v7+), a partition whose offset a still-open
/// transaction has committed answers UNSTABLE_OFFSET_COMMIT (retriable) instead of its last stable offset.
enum OffsetFetchAPI {
    static let entry = SupportedAPIs.Entry(apiKey: OffsetFetchRequest.apiKey, name: "OffsetFetch", minVersion: 1, maxVersion: 9, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(OffsetFetchRequest.self), version: request.version, context: request.gateway, on: request.eventLoop))
    }

    /// One group's question: nil topics for all of them.
    private struct Query: Sendable {
        var group: String
        var topics: [(name: String, partitions: [Int32])]?
        var requireStable: Bool
    }

    /// One group's answer, in the order asked (or topic and partition order for all).
    private struct Answer: Sendable {
        var error: Int16
        var topics: [(name: String, partitions: [(partition: Int32, offset: StorageReader.CommittedOffset?)])]
        /// Partitions ("topic-partition") with an offset pending in an open transaction, when asked to be stable.
        var unstable: Set<String> = []

        func isUnstable(_ topic: String, _ partition: Int32) -> Bool { self.unstable.contains("\(topic)-\(partition)") }
    }

    static func respond(to request: OffsetFetchRequest, version: Int16, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<
        OffsetFetchResponse
    > {
        let queries: [Query] =
            version >= 8
            ? request.groups.map {
                Query(group: $0.groupId, topics: $0.topics?.map { ($0.name, $0.partitionIndexes) }, requireStable: request.requireStable)
            }
            : [
                Query(
                    group: request.groupId, topics: request.topics?.map { ($0.name, $0.partitionIndexes) },
                    requireStable: version >= 7 && request.requireStable)
            ]
        return context.read(on: eventLoop) { reader in
            try queries.map { try answer($0, reader: reader) }
        }.map { answers in
            encode(answers, groups: queries.map(\.group), version: version)
        }.recover { _ in
            encode(queries.map { _ in Answer(error: KafkaErrorCode.coordinatorNotAvailable, topics: []) }, groups: queries.map(\.group), version: version)
        }
    }

    private static func answer(_ query: Query, reader: StorageReader) throws -> Answer {
        guard !query.group.isEmpty else { return Answer(error: KafkaErrorCode.invalidGroupID, topics: []) }
        let committed = try reader.committedOffsets(group: query.group)
        let unstable = query.requireStable ? try reader.unstableOffsets(group: query.group) : []
        guard let topics = query.topics else {
            var byTopic: [(name: String, partitions: [(partition: Int32, offset: StorageReader.CommittedOffset?)])] = []
            for offset in committed {
                if byTopic.last?.name != offset.topic { byTopic.append((offset.topic, [])) }
                byTopic[byTopic.count - 1].partitions.append((offset.partition, offset))
            }
            return Answer(error: KafkaErrorCode.none, topics: byTopic, unstable: unstable)
        }
        var index: [String: [Int32: StorageReader.CommittedOffset]] = [:]
        for offset in committed { index[offset.topic, default: [:]][offset.partition] = offset }
        return Answer(
            error: KafkaErrorCode.none,
            topics: topics.map { topic in (topic.name, topic.partitions.map { ($0, index[topic.name]?[$0]) }) },
            unstable: unstable
        )
    }

    private static func encode(_ answers: [Answer], groups: [String], version: Int16) -> OffsetFetchResponse {
        var response = OffsetFetchResponse()
        if version >= 8 {
            response.groups = zip(groups, answers).map { group, answer in
                var result = OffsetFetchResponse.OffsetFetchResponseGroup()
                result.groupId = group
                result.errorCode = answer.error
                result.topics = answer.topics.map { topic in
                    var entry = OffsetFetchResponse.OffsetFetchResponseTopics()
                    entry.name = topic.name
                    entry.partitions = topic.partitions.map { partition, offset in
                        var item = OffsetFetchResponse.OffsetFetchResponsePartitions()
                        item.partitionIndex = partition
                        item.committedOffset = offset?.offset ?? -1
                        item.committedLeaderEpoch = offset?.leaderEpoch ?? -1
                        item.metadata = offset?.metadata ?? ""
                        if answer.isUnstable(topic.name, partition) {
                            item.committedOffset = -1
                            item.errorCode = KafkaErrorCode.unstableOffsetCommit
                        }
                        return item
                    }
                    return entry
                }
                return result
            }
            return response
        }
        let answer = answers[0]
        if version >= 2 {
            response.errorCode = answer.error
        }
        response.topics = answer.topics.map { topic in
            var entry = OffsetFetchResponse.OffsetFetchResponseTopic()
            entry.name = topic.name
            entry.partitions = topic.partitions.map { partition, offset in
                var item = OffsetFetchResponse.OffsetFetchResponsePartition()
                item.partitionIndex = partition
                item.committedOffset = offset?.offset ?? -1
                if version >= 5 { item.committedLeaderEpoch = offset?.leaderEpoch ?? -1 }
                item.metadata = offset?.metadata ?? ""
                // Before v2 there is no group-level error; each partition carries it.
                item.errorCode = version < 2 ? answer.error : KafkaErrorCode.none
                if answer.isUnstable(topic.name, partition) {
                    item.committedOffset = -1
                    item.errorCode = KafkaErrorCode.unstableOffsetCommit
                }
                return item
            }
            return entry
        }
        return response
    }
}
