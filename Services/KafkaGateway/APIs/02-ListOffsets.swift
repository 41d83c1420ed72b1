import MonologKafkaProtocol
import MonologStorage
import NIOCore

/// ListOffsets (key 2), versions 1–7: earliest (-2, the log start), latest (-1, the high watermark),
/// max timestamp (-3, v7) and the first offset at or after a timestamp.
enum ListOffsetsAPI {
    static let entry = SupportedAPIs.Entry(apiKey: ListOffsetsRequest.apiKey, name: "ListOffsets", minVersion: 1, maxVersion: 7, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(ListOffsetsRequest.self), version: request.version, context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: ListOffsetsRequest, version: Int16, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<
        ListOffsetsResponse
    > {
        context.read(on: eventLoop) { reader in
            try reader.snapshot {
                var response = ListOffsetsResponse()
                response.topics = try request.topics.map { topic in
                    var result = ListOffsetsResponse.ListOffsetsTopicResponse()
                    result.name = topic.name
                    let info = try reader.topic(named: topic.name)
                    let bounds = try info.map { try reader.partitionOffsets(topicID: $0.topicID) } ?? []
                    result.partitions = try topic.partitions.map { partition in
                        var answer = ListOffsetsResponse.ListOffsetsPartitionResponse()
                        answer.partitionIndex = partition.partitionIndex
                        guard let info, let offsets = bounds.first(where: { $0.partition == partition.partitionIndex }) else {
                            answer.errorCode = KafkaErrorCode.unknownTopicOrPartition
                            answer.offset = -1
                            answer.timestamp = -1
                            return answer
                        }
                        if let error = KafkaGatewayContext.leaderEpochError(current: partition.currentLeaderEpoch) {
                            answer.errorCode = error
                            answer.offset = -1
                            answer.timestamp = -1
                            return answer
                        }
                        if version >= 4 { answer.leaderEpoch = KafkaGatewayContext.leaderEpoch }
                        answer.timestamp = -1
                        switch partition.timestamp {
                        case -2: answer.offset = offsets.logStartOffset
                        case -1 where request.isolationLevel == 1:
                            // read_committed: the last stable offset, where such a consumer's reading ends.
                            answer.offset = try reader.lastStableOffset(topicID: info.topicID, offsets: offsets)
                        case -1: answer.offset = offsets.highWatermark
                        case -3:
                            let found = try reader.maxTimestampOffset(
                                topicID: info.topicID, partition: partition.partitionIndex, logStartOffset: offsets.logStartOffset)
                            answer.offset = found?.offset ?? -1
                            answer.timestamp = found?.timestamp ?? -1
                        default:
                            let found = try reader.offset(
                                forTimestamp: partition.timestamp, topicID: info.topicID, partition: partition.partitionIndex,
                                logStartOffset: offsets.logStartOffset)
                            answer.offset = found?.offset ?? -1
                            answer.timestamp = found?.timestamp ?? -1
                        }
                        return answer
                    }
                    return result
                }
                return response
            }
        }
    }
}
