import MonologKafkaProtocol
import MonologStorage
import NIOCore

/// OffsetForLeaderEpoch (key 23), versions 2–4 (Kafka 4 removed 0–1): the end offset of a leader
/// epoch, with which consumers check that their position is still on the log (KIP-320). Monolog's
/// partitions only ever have epoch 0, whose end is the log end; an older epoch cannot exist and a
/// newer one has no end yet, so both answer epoch -1, offset -1, as Kafka does for unknown epochs.
enum OffsetForLeaderEpochAPI {
    static let entry = SupportedAPIs.Entry(apiKey: OffsetForLeaderEpochRequest.apiKey, name: "OffsetForLeaderEpoch", minVersion: 2, maxVersion: 4, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(OffsetForLeaderEpochRequest.self), context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: OffsetForLeaderEpochRequest, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<
        OffsetForLeaderEpochResponse
    > {
        context.read(on: eventLoop) { reader in
            var response = OffsetForLeaderEpochResponse()
            response.topics = try request.topics.map { topic in
                var result = OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult()
                result.topic = topic.topic
                let info = try reader.topic(named: topic.topic)
                let bounds = try info.map { try reader.partitionOffsets(topicID: $0.topicID) } ?? []
                result.partitions = topic.partitions.map { partition in
                    var answer = OffsetForLeaderEpochResponse.EpochEndOffset()
                    answer.partition = partition.partition
                    guard let offsets = bounds.first(where: { $0.partition == partition.partition }) else {
                        answer.errorCode = KafkaErrorCode.unknownTopicOrPartition
                        return answer
                    }
                    if let error = KafkaGatewayContext.leaderEpochError(current: partition.currentLeaderEpoch) {
                        answer.errorCode = error
                        return answer
                    }
                    if partition.leaderEpoch == KafkaGatewayContext.leaderEpoch {
                        answer.leaderEpoch = KafkaGatewayContext.leaderEpoch
                        answer.endOffset = offsets.highWatermark
                    }
                    return answer
                }
                return result
            }
            return response
        }
    }
}
