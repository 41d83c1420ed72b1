import MonologKafkaProtocol
import MonologStorage
import NIOCore

/// DescribeTransactions (key 65), version 0: each transactional id's state, timeout, start, producer
/// and the partitions of its open transaction; an unknown id answers TRANSACTIONAL_ID_NOT_FOUND.
enum DescribeTransactionsAPI {
    static let entry = SupportedAPIs.Entry(
        apiKey: DescribeTransactionsRequest.apiKey, name: "DescribeTransactions", minVersion: 0, maxVersion: 0, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(DescribeTransactionsRequest.self), context: request.gateway, on: request.eventLoop))
    }

    static func respond(
        to request: DescribeTransactionsRequest,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<DescribeTransactionsResponse> {
        context.read(on: eventLoop) { reader in
            let known = Dictionary(try reader.transactions(request.transactionalIds).map { ($0.transactionalID, $0) }, uniquingKeysWith: { a, _ in a })
            var response = DescribeTransactionsResponse()
            response.transactionStates = request.transactionalIds.map { id in
                var state = DescribeTransactionsResponse.TransactionState()
                state.transactionalId = id
                guard let summary = known[id] else {
                    state.errorCode = KafkaErrorCode.transactionalIDNotFound
                    state.transactionState = ""
                    state.producerId = -1
                    state.producerEpoch = -1
                    state.transactionStartTimeMs = -1
                    return state
                }
                state.transactionState = summary.state
                state.transactionTimeoutMs = summary.timeoutMs
                state.transactionStartTimeMs = summary.startedMs
                state.producerId = summary.producerID
                state.producerEpoch = summary.producerEpoch
                state.topics = summary.partitions.sorted { $0.key < $1.key }.map { topic, partitions in
                    var data = DescribeTransactionsResponse.TopicData()
                    data.topic = topic
                    data.partitions = partitions
                    return data
                }
                return state
            }
            return response
        }
    }
}
