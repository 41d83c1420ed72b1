import MonologKafkaProtocol
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// AddOffsetsToTxn (key 25), versions 0–3: the group's offsets (TxnOffsetCommit) will commit or abort
/// with the transaction.
enum AddOffsetsToTxnAPI {
    static let entry = SupportedAPIs.Entry(apiKey: AddOffsetsToTxnRequest.apiKey, name: "AddOffsetsToTxn", minVersion: 0, maxVersion: 3, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(
            self.respond(to: try request.decode(AddOffsetsToTxnRequest.self), version: request.version, context: request.gateway, on: request.eventLoop))
    }

    static func respond(
        to request: AddOffsetsToTxnRequest,
        version: Int16,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<AddOffsetsToTxnResponse> {
        @Sendable func answer(_ code: Int16) -> AddOffsetsToTxnResponse {
            var response = AddOffsetsToTxnResponse()
            response.errorCode = code
            return response
        }
        guard !request.groupId.isEmpty else { return eventLoop.makeSucceededFuture(answer(KafkaErrorCode.invalidGroupID)) }
        let command = AddOffsetsToTransaction(
            transactionalID: request.transactionalId, producerID: request.producerId, producerEpoch: request.producerEpoch, group: request.groupId)
        return context.transactions.exclusively(command.transactionalID, on: eventLoop, busy: { answer(KafkaErrorCode.concurrentTransactions) }) {
            context.writer.submit(command, on: eventLoop)
                .map { _ in answer(KafkaErrorCode.none) }
                .recover { answer(KafkaErrorCode.fromCoordinator($0, fencedSince: 2, requestVersion: version)) }
        }
    }
}
