import MonologKafkaProtocol
import MonologRecords
import MonologStorage
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// Produce (key 0). Advertised from v0 (librdkafka before 2.11.1 turns compression off unless v0 is in
/// range) to v9; v0–2 (message sets of magic 0/1) are refused per partition with UNSUPPORTED_VERSION, as
/// Kafka 4 does. Each partition's batches go to the storage writer, in the order the requests arrived
/// on the connection (`AppendOrder`); the answer waits for the fsync (acks 1 and -1 are the same here:
/// there are no replicas). acks=0 gets no response at all.
enum ProduceAPI {
    static let entry = SupportedAPIs.Entry(apiKey: ProduceRequest.apiKey, name: "Produce", minVersion: 0, maxVersion: 9, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        let produce = try request.decode(ProduceRequest.self)
        let turn = request.connection.takeAppendTurn(on: request.eventLoop)
        let response = self.respond(to: produce, version: request.version, turn: turn, context: request.gateway, on: request.eventLoop)
        // acks=0: the client expects no response; the write still happens.
        if produce.acks == 0 { request.replyWithNothing() } else { request.reply(response) }
    }

    /// One partition's data once prepared: refused already, or an append to hand to the storage writer
    /// (with the answer it will complete).
    enum PartitionStep: Sendable {
        case answered(ProduceResponse.PartitionProduceResponse)
        case append(AppendRecords, ProduceResponse.PartitionProduceResponse)
    }

    /// Prepares every partition at once, then, in this request's turn on its connection (`AppendOrder`),
    /// hands the appends to the writer in the request's order and lets the next request go.
    static func respond(
        to request: ProduceRequest,
        version: Int16,
        turn: AppendOrder.Turn,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<ProduceResponse> {
        let steps = request.topicData.flatMap { topic in
            topic.partitionData.map { partition in
                self.prepare(topic: topic.name, partition: partition, version: version, acks: request.acks, context: context, on: eventLoop)
            }
        }
        let answers = eventLoop.makePromise(of: [ProduceResponse.PartitionProduceResponse].self)
        // Neither side fails: a step that cannot be prepared is an answered one, and turns only succeed.
        EventLoopFuture.whenAllSucceed(steps, on: eventLoop).and(turn.previous).whenComplete { result in
            defer { turn.handedOver.succeed(()) }
            switch result {
            case .success(let (steps, _)):
                let handedOver = steps.map { self.handOver($0, version: version, context: context, on: eventLoop) }
                answers.completeWith(EventLoopFuture.whenAllSucceed(handedOver, on: eventLoop))
            case .failure(let error):
                answers.fail(error)
            }
        }
        return answers.futureResult.map { answers in
            var remaining = answers[...]
            var response = ProduceResponse()
            response.responses = request.topicData.map { topic in
                var entry = ProduceResponse.TopicProduceResponse()
                entry.name = topic.name
                entry.partitionResponses = Array(remaining.prefix(topic.partitionData.count))
                remaining = remaining.dropFirst(topic.partitionData.count)
                return entry
            }
            return response
        }
    }

    /// Checks one partition's data and applies its topic's produce policy; never fails.
    static func prepare(
        topic: String,
        partition: ProduceRequest.PartitionProduceData,
        version: Int16,
        acks: Int16,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<PartitionStep> {
        var response = ProduceResponse.PartitionProduceResponse()
        response.index = partition.index
        response.baseOffset = -1
        response.logAppendTimeMs = -1
        let pending = response
        @Sendable func refused(_ code: Int16) -> PartitionStep {
            var refusal = pending
            refusal.errorCode = code
            return .answered(refusal)
        }
        guard version >= 3 else { return eventLoop.makeSucceededFuture(refused(KafkaErrorCode.unsupportedVersion)) }
        guard let records = partition.records, records.readableBytes > 0 else {
            return eventLoop.makeSucceededFuture(refused(KafkaErrorCode.invalidRequest))
        }
        // The topic's max.message.bytes is the storage writer's to enforce: it knows every topic's configs.
        return self.prepare(records, topic: topic, acks: acks, context: context, on: eventLoop).map { prepared -> PartitionStep in
            switch prepared {
            case .append(let batches): .append(AppendRecords(topic: topic, partition: partition.index, batches: batches), pending)
            case .refuse(let code): refused(code)
            }
        }.recover { error in refused(KafkaErrorCode.from(error)) }
    }

    /// Hands one partition's append to the storage writer (at once: the writer client keeps the order
    /// of its submissions) and completes its answer with the writer's.
    static func handOver(
        _ step: PartitionStep,
        version: Int16,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<ProduceResponse.PartitionProduceResponse> {
        switch step {
        case .answered(let response):
            return eventLoop.makeSucceededFuture(response)
        case .append(let append, let pending):
            return context.writer.submit(append, on: eventLoop).map { appended in
                var response = pending
                response.baseOffset = appended.baseOffset
                response.logStartOffset = appended.logStartOffset
                response.logAppendTimeMs = appended.logAppendTimeMs
                return response
            }.recover { error in
                var response = pending
                response.errorCode = KafkaErrorCode.from(error)
                if let refusal = error as? WriterClientError, refusal.code == .rejected(.invalidRecord) {
                    self.refuseRecords(refusal, in: &response, version: version)
                }
                return response
            }
        }
    }

    /// The records at fault behind INVALID_RECORD (KIP-467): v8+ carries their indexes and an error
    /// message, so the client fails those records and reports the rest of the batch as refused with them.
    static func refuseRecords(_ refusal: WriterClientError, in response: inout ProduceResponse.PartitionProduceResponse, version: Int16) {
        guard version >= 8 else { return }
        response.recordErrors = refusal.recordErrors.map { recordError in
            var entry = ProduceResponse.BatchIndexAndErrorMessage()
            entry.batchIndex = recordError.batchIndex
            entry.batchIndexErrorMessage = recordError.message
            return entry
        }
        response.errorMessage = refusal.message
    }
}
