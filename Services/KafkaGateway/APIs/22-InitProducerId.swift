import MonologKafkaProtocol
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// InitProducerId (key 22), versions 0–4: producer ids and epochs for idempotent producers, allocated
/// and persisted by the storage writer; with a producer id and epoch (v3+, KIP-360) it bumps the epoch.
/// With a transactional id it is the transaction coordinator's: the id's producer is fenced and
/// bumped (its open transaction aborted first), and `transaction_timeout_ms` above
/// `transaction.max.timeout.ms` is refused with INVALID_TRANSACTION_TIMEOUT.
enum InitProducerIdAPI {
    static let entry = SupportedAPIs.Entry(apiKey: InitProducerIdRequest.apiKey, name: "InitProducerId", minVersion: 0, maxVersion: 4, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(
            self.respond(to: try request.decode(InitProducerIdRequest.self), version: request.version, context: request.gateway, on: request.eventLoop))
    }

    static func respond(
        to request: InitProducerIdRequest,
        version: Int16,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<InitProducerIdResponse> {
        @Sendable func refused(_ code: Int16) -> InitProducerIdResponse {
            var response = InitProducerIdResponse()
            response.errorCode = code
            response.producerId = -1
            response.producerEpoch = -1
            return response
        }
        let command = InitProducerID(
            transactionalID: request.transactionalId,
            producerID: request.producerId,
            producerEpoch: request.producerEpoch,
            transactionTimeoutMs: request.transactionTimeoutMs
        )
        let submit = {
            context.writer.submit(command, on: eventLoop).map { producer in
                var response = InitProducerIdResponse()
                response.producerId = producer.id
                response.producerEpoch = producer.epoch
                return response
            }.recover { refused(KafkaErrorCode.fromCoordinator($0, fencedSince: 4, requestVersion: version)) }
        }
        guard let transactionalID = request.transactionalId else { return submit() }
        guard !transactionalID.isEmpty else { return eventLoop.makeSucceededFuture(refused(KafkaErrorCode.invalidRequest)) }
        guard request.transactionTimeoutMs > 0, Int64(request.transactionTimeoutMs) <= context.transactions.maxTimeoutMs else {
            return eventLoop.makeSucceededFuture(refused(KafkaErrorCode.invalidTransactionTimeout))
        }
        return context.transactions.exclusively(transactionalID, on: eventLoop, busy: { refused(KafkaErrorCode.concurrentTransactions) }, submit)
    }
}
