import MonologKafkaProtocol
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// AddPartitionsToTxn (key 24), versions 0–3 (the clients' versions; 4+ are broker-to-broker): the
/// partitions join the transactional id's open transaction, through the storage writer. A partition
/// that does not exist fails with UNKNOWN_TOPIC_OR_PARTITION and the others with OPERATION_NOT_ATTEMPTED.
enum AddPartitionsToTxnAPI {
    static let entry = SupportedAPIs.Entry(
        apiKey: AddPartitionsToTxnRequest.apiKey, name: "AddPartitionsToTxn", minVersion: 0, maxVersion: 3, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(
            self.respond(to: try request.decode(AddPartitionsToTxnRequest.self), version: request.version, context: request.gateway, on: request.eventLoop))
    }

    static func respond(
        to request: AddPartitionsToTxnRequest,
        version: Int16,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<AddPartitionsToTxnResponse> {
        let partitions = request.v3AndBelowTopics.flatMap { topic in topic.partitions.map { TopicPartition(topic: topic.name, partition: $0) } }
        @Sendable func answer(_ code: (TopicPartition) -> Int16) -> AddPartitionsToTxnResponse {
            var response = AddPartitionsToTxnResponse()
            response.resultsByTopicV3AndBelow = request.v3AndBelowTopics.map { topic in
                var result = AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult()
                result.name = topic.name
                result.resultsByPartition = topic.partitions.map { index in
                    var partition = AddPartitionsToTxnResponse.AddPartitionsToTxnPartitionResult()
                    partition.partitionIndex = index
                    partition.partitionErrorCode = code(TopicPartition(topic: topic.name, partition: index))
                    return partition
                }
                return result
            }
            return response
        }
        let command = AddPartitionsToTransaction(
            transactionalID: request.v3AndBelowTransactionalId, producerID: request.v3AndBelowProducerId,
            producerEpoch: request.v3AndBelowProducerEpoch, partitions: partitions)
        return context.transactions.exclusively(
            command.transactionalID, on: eventLoop, busy: { answer { _ in KafkaErrorCode.concurrentTransactions } }
        ) {
            context.writer.submit(command, on: eventLoop).map { added in
                var codes: [TopicPartition: Int16] = [:]
                for (partition, code) in zip(partitions, added.codes) {
                    codes[partition] = code == .invalidRequest ? KafkaErrorCode.operationNotAttempted : KafkaErrorCode.from(code)
                }
                return answer { codes[$0] ?? KafkaErrorCode.none }
            }.recover { error in
                let code = KafkaErrorCode.fromCoordinator(error, fencedSince: 2, requestVersion: version)
                return answer { _ in code }
            }
        }
    }
}
