import MonologKafkaProtocol
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// DeleteRecords (key 21), versions 0–2: moves each partition's log start to the given offset (-1: the
/// high watermark); what lies below is gone for readers. Past the high watermark: OFFSET_OUT_OF_RANGE.
enum DeleteRecordsAPI {
    static let entry = SupportedAPIs.Entry(apiKey: DeleteRecordsRequest.apiKey, name: "DeleteRecords", minVersion: 0, maxVersion: 2, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(DeleteRecordsRequest.self), context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: DeleteRecordsRequest, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<DeleteRecordsResponse> {
        let topics = request.topics.map { topic in
            let partitions = topic.partitions.map { partition in
                var result = DeleteRecordsResponse.DeleteRecordsPartitionResult()
                result.partitionIndex = partition.partitionIndex
                let delete = DeleteRecords(topic: topic.name, partition: partition.partitionIndex, beforeOffset: partition.offset)
                let pending = result
                return context.writer.submit(delete, on: eventLoop).map { deleted in
                    var result = pending
                    result.lowWatermark = deleted.logStartOffset
                    return result
                }.recover { error in
                    var result = pending
                    result.errorCode = KafkaErrorCode.from(error)
                    result.lowWatermark = -1
                    return result
                }
            }
            return EventLoopFuture.whenAllSucceed(partitions, on: eventLoop).map { partitions in
                var result = DeleteRecordsResponse.DeleteRecordsTopicResult()
                result.name = topic.name
                result.partitions = partitions
                return result
            }
        }
        return EventLoopFuture.whenAllSucceed(topics, on: eventLoop).map { topics in
            var response = DeleteRecordsResponse()
            response.topics = topics
            return response
        }
    }
}
