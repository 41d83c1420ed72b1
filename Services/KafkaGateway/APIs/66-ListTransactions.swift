import MonologKafkaProtocol
import MonologProcess
import MonologStorage
import NIOCore

/// ListTransactions (key 66), versions 0–1: transactional ids, filtered by state, producer id and (v1)
/// by how long their open transaction has run. A state filter Kafka does not know is echoed back in
/// `unknown_state_filters`.
enum ListTransactionsAPI {
    static let entry = SupportedAPIs.Entry(apiKey: ListTransactionsRequest.apiKey, name: "ListTransactions", minVersion: 0, maxVersion: 1, serve: serve)

    /// Kafka's transaction states; Monolog's coordinator moves through four of them.
    static let kafkaStates: Set<String> = [
        "Empty", "Ongoing", "PrepareCommit", "PrepareAbort", "CompleteCommit", "CompleteAbort", "Dead", "PrepareEpochFence",
    ]

    static func serve(_ request: KafkaRequest) throws {
        request.reply(
            self.respond(to: try request.decode(ListTransactionsRequest.self), version: request.version, context: request.gateway, on: request.eventLoop))
    }

    static func respond(
        to request: ListTransactionsRequest,
        version: Int16,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<ListTransactionsResponse> {
        context.read(on: eventLoop) { reader in
            let states = Set(request.stateFilters)
            let producers = Set(request.producerIdFilters)
            let nowMs = wallClockMs()
            var response = ListTransactionsResponse()
            response.unknownStateFilters = request.stateFilters.filter { !Self.kafkaStates.contains($0) }
            response.transactionStates = try reader.transactions().filter { summary in
                (states.isEmpty || states.contains(summary.state)) && (producers.isEmpty || producers.contains(summary.producerID))
                    && (version < 1 || request.durationFilter < 0 || (summary.startedMs >= 0 && nowMs - summary.startedMs >= request.durationFilter))
            }.map { summary in
                var state = ListTransactionsResponse.TransactionState()
                state.transactionalId = summary.transactionalID
                state.producerId = summary.producerID
                state.transactionState = summary.state
                return state
            }
            return response
        }
    }
}
