import MonologGroups
import MonologKafkaProtocol
import MonologStorage
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// TxnOffsetCommit (key 28), versions 0–3: a consume-transform-produce loop's input offsets, held in
/// its transaction (after AddOffsetsToTxn for the group) and visible to OffsetFetch only once the
/// transaction commits. From v3 the member is checked against the group like an OffsetCommit's.
enum TxnOffsetCommitAPI {
    static let entry = SupportedAPIs.Entry(apiKey: TxnOffsetCommitRequest.apiKey, name: "TxnOffsetCommit", minVersion: 0, maxVersion: 3, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(
            self.respond(to: try request.decode(TxnOffsetCommitRequest.self), version: request.version, context: request.gateway, on: request.eventLoop))
    }

    static func respond(
        to request: TxnOffsetCommitRequest,
        version: Int16,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<TxnOffsetCommitResponse> {
        @Sendable func answer(_ codes: [Int16]) -> TxnOffsetCommitResponse {
            var iterator = codes.makeIterator()
            var response = TxnOffsetCommitResponse()
            response.topics = request.topics.map { topic in
                var result = TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic()
                result.name = topic.name
                result.partitions = topic.partitions.map { partition in
                    var item = TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition()
                    item.partitionIndex = partition.partitionIndex
                    item.errorCode = iterator.next() ?? KafkaErrorCode.none
                    return item
                }
                return result
            }
            return response
        }
        let offsets = request.topics.flatMap { topic in
            topic.partitions.map {
                GroupOffsetCommit(
                    topic: topic.name, partition: $0.partitionIndex, offset: $0.committedOffset,
                    leaderEpoch: version >= 2 ? $0.committedLeaderEpoch : -1, metadata: $0.committedMetadata)
            }
        }
        let all = { @Sendable (code: Int16) in answer(offsets.map { _ in code }) }
        guard !request.groupId.isEmpty else { return eventLoop.makeSucceededFuture(all(KafkaErrorCode.invalidGroupID)) }
        if version >= 3 {
            let member = MemberIdentity(memberID: request.memberId, instanceID: request.groupInstanceId, generation: request.generationId)
            let refusal = context.groups.checkCommit(groupID: request.groupId, member)
            guard refusal == KafkaErrorCode.none else { return eventLoop.makeSucceededFuture(all(refusal)) }
        }
        let command = CommitTransactionalOffsets(
            transactionalID: request.transactionalId, group: request.groupId, producerID: request.producerId, producerEpoch: request.producerEpoch,
            offsets: offsets)
        return context.writer.submit(command, on: eventLoop).map { committed in
            answer(committed.codes.map { KafkaErrorCode.from($0) })
        }.recover { all(KafkaErrorCode.fromCoordinator($0, fencedSince: 2, requestVersion: version)) }
    }
}
