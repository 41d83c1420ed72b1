import MonologKafkaProtocol
import MonologStorage
import NIOCore

/// DescribeProducers (key 61), version 0: the idempotent producers each partition remembers, from
/// the storage writer's producer table: id, epoch, last sequence, the last batch's timestamp, and the
/// first offset of the producer's open transaction in the partition (-1 when none is open).
enum DescribeProducersAPI {
    static let entry = SupportedAPIs.Entry(apiKey: DescribeProducersRequest.apiKey, name: "DescribeProducers", minVersion: 0, maxVersion: 0, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(DescribeProducersRequest.self), context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: DescribeProducersRequest, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<
        DescribeProducersResponse
    > {
        context.read(on: eventLoop) { reader in
            var response = DescribeProducersResponse()
            response.topics = try request.topics.map { topic in
                var result = DescribeProducersResponse.TopicResponse()
                result.name = topic.name
                let info = try reader.topic(named: topic.name)
                result.partitions = try topic.partitionIndexes.map { index in
                    var partition = DescribeProducersResponse.PartitionResponse()
                    partition.partitionIndex = index
                    guard let info, index >= 0, index < info.partitionCount else {
                        partition.errorCode = KafkaErrorCode.unknownTopicOrPartition
                        partition.errorMessage = "topic '\(topic.name)' has no partition \(index)"
                        return partition
                    }
                    partition.activeProducers = try reader.activeProducers(topicID: info.topicID, partition: index).map { producer in
                        var state = DescribeProducersResponse.ProducerState()
                        state.producerId = producer.producerID
                        state.producerEpoch = Int32(producer.producerEpoch)
                        state.lastSequence = producer.lastSequence
                        state.lastTimestamp = producer.lastTimestamp
                        state.coordinatorEpoch = -1
                        state.currentTxnStartOffset =
                            try reader.openTransactionStart(topicID: info.topicID, partition: index, producerID: producer.producerID) ?? -1
                        return state
                    }
                    return partition
                }
                return result
            }
            return response
        }
    }
}
