import MonologKafkaProtocol
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// EndTxn (key 26), versions 0–3: commits or aborts the open transaction. The storage writer writes a
/// marker into every partition of the transaction and moves (or drops) its group offsets in the same
/// storage transaction as the state change, so the answer means all of it is on disk. Versions 4–5
/// (KIP-890's TRANSACTION_ABORTABLE and per-transaction epochs) are not served, and the
/// `transaction.version` feature is not advertised, so clients use the first protocol.
enum EndTxnAPI {
    static let entry = SupportedAPIs.Entry(apiKey: EndTxnRequest.apiKey, name: "EndTxn", minVersion: 0, maxVersion: 3, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(EndTxnRequest.self), version: request.version, context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: EndTxnRequest, version: Int16, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<EndTxnResponse>
    {
        @Sendable func answer(_ code: Int16) -> EndTxnResponse {
            var response = EndTxnResponse()
            response.errorCode = code
            return response
        }
        let command = EndTransaction(
            transactionalID: request.transactionalId, producerID: request.producerId, producerEpoch: request.producerEpoch, commit: request.committed)
        return context.transactions.exclusively(command.transactionalID, on: eventLoop, busy: { answer(KafkaErrorCode.concurrentTransactions) }) {
            context.writer.submit(command, on: eventLoop)
                .map { _ in answer(KafkaErrorCode.none) }
                .recover { answer(KafkaErrorCode.fromCoordinator($0, fencedSince: 2, requestVersion: version)) }
        }
    }
}
