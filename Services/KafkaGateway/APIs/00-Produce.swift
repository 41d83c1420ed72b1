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

    /// The common case takes no future until the writer's answer: every partition is prepared at once
    /// (its topic's policy cached, no recompression) and, with no earlier request on the connection
    /// waiting for its turn, handed over at once. Otherwise the partitions are prepared as futures and
    /// handed over in this request's turn (`AppendOrder`). On two cores the gateway's CPU per request is
    /// what bounds many waiting producers, and a chain of futures per partition cost more than the rest
    /// of the request.
    static func serve(_ request: KafkaRequest) throws {
        let produce = try request.decode(ProduceRequest.self)
        let context = request.gateway
        let eventLoop = request.eventLoop
        let version = request.version
        let answers = ProduceAnswers(request: request, produce: produce)
        // acks=0: the client expects no response; the write still happens.
        if produce.acks == 0 { request.replyWithNothing() }
        let partitions = produce.topicData.flatMap { topic in topic.partitionData.map { (topic.name, $0) } }
        let ready = partitions.map { self.prepareAtOnce(topic: $0.0, partition: $0.1, version: version, acks: produce.acks, context: context) }
        let readySteps = ready.compactMap { $0 }
        if readySteps.count == ready.count && request.connection.appendsAreIdle {
            self.handOver(readySteps, version: version, context: context, on: eventLoop, answers: answers)
            return
        }
        let turn = request.connection.takeAppendTurn(on: eventLoop)
        let steps = zip(partitions, ready).map { partition, step in
            step.map { eventLoop.makeSucceededFuture($0) }
                ?? self.prepare(topic: partition.0, partition: partition.1, version: version, acks: produce.acks, context: context, on: eventLoop)
        }
        let boundAnswers = NIOLoopBound(answers, eventLoop: eventLoop)
        // Neither side should fail (a step that cannot be prepared is an answered one, and turns only
        // succeed); if one does, the connection is closed rather than left waiting for an answer.
        EventLoopFuture.whenAllSucceed(steps, on: eventLoop).and(turn.previous).whenComplete { result in
            defer { turn.handedOver.succeed(()) }
            switch result {
            case .success(let (steps, _)):
                self.handOver(steps, version: version, context: context, on: eventLoop, answers: boundAnswers.value)
            case .failure(let error):
                boundAnswers.value.fail(error)
            }
        }
    }

    /// One partition's data once prepared: refused already, or an append to hand to the storage writer
    /// (with the answer it will complete).
    enum PartitionStep: Sendable {
        case answered(ProduceResponse.PartitionProduceResponse)
        case append(AppendRecords, ProduceResponse.PartitionProduceResponse)
    }

    /// Checks one partition's data and applies its topic's produce policy when that needs nothing that
    /// takes time; nil when it does (the policy must be read, or the batches recompressed).
    static func prepareAtOnce(
        topic: String,
        partition: ProduceRequest.PartitionProduceData,
        version: Int16,
        acks: Int16,
        context: KafkaGatewayContext
    ) -> PartitionStep? {
        var response = ProduceResponse.PartitionProduceResponse()
        response.index = partition.index
        response.baseOffset = -1
        response.logAppendTimeMs = -1
        func refused(_ code: Int16) -> PartitionStep {
            var refusal = response
            refusal.errorCode = code
            return .answered(refusal)
        }
        guard version >= 3 else { return refused(KafkaErrorCode.unsupportedVersion) }
        guard let records = partition.records, records.readableBytes > 0 else { return refused(KafkaErrorCode.invalidRequest) }
        guard let policy = context.producePolicies.cached(topic) else { return nil }
        // The topic's max.message.bytes is the storage writer's to enforce: it knows every topic's configs.
        switch self.applyAtOnce(policy, to: records, acks: acks) {
        case .append(let batches)?: return .append(AppendRecords(topic: topic, partition: partition.index, batches: batches), response)
        case .refuse(let code)?: return refused(code)
        case nil: return nil
        }
    }

    /// Checks one partition's data and applies its topic's produce policy, reading it or recompressing
    /// off the event loop if need be; never fails.
    static func prepare(
        topic: String,
        partition: ProduceRequest.PartitionProduceData,
        version: Int16,
        acks: Int16,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<PartitionStep> {
        var pending = ProduceResponse.PartitionProduceResponse()
        pending.index = partition.index
        pending.baseOffset = -1
        pending.logAppendTimeMs = -1
        let response = pending
        @Sendable func refused(_ code: Int16) -> PartitionStep {
            var refusal = response
            refusal.errorCode = code
            return .answered(refusal)
        }
        // prepareAtOnce has refused what needs no policy; records are there.
        let records = partition.records ?? ByteBuffer()
        return self.prepare(records, topic: topic, acks: acks, context: context, on: eventLoop).map { prepared -> PartitionStep in
            switch prepared {
            case .append(let batches): .append(AppendRecords(topic: topic, partition: partition.index, batches: batches), response)
            case .refuse(let code): refused(code)
            }
        }.recover { error in refused(KafkaErrorCode.from(error)) }
    }

    /// Hands every partition's append to the storage writer, in the request's order (the writer client
    /// keeps the order of its submissions), and answers once the writer has answered them all.
    static func handOver(
        _ steps: [PartitionStep],
        version: Int16,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop,
        answers: ProduceAnswers
    ) {
        let bound = NIOLoopBound(answers, eventLoop: eventLoop)
        for (index, step) in steps.enumerated() {
            switch step {
            case .answered(let response):
                answers.set(index, response)
            case .append(let append, let pending):
                context.writer.submit(append, on: eventLoop).whenComplete { result in
                    bound.value.set(index, self.response(to: result, pending: pending, version: version))
                }
            }
        }
    }

    /// A partition's answer from the writer's.
    static func response(
        to result: Result<AppendRecords.Reply, any Error>,
        pending: ProduceResponse.PartitionProduceResponse,
        version: Int16
    ) -> ProduceResponse.PartitionProduceResponse {
        var response = pending
        switch result {
        case .success(let appended):
            response.baseOffset = appended.baseOffset
            response.logStartOffset = appended.logStartOffset
            response.logAppendTimeMs = appended.logAppendTimeMs
        case .failure(let error):
            response.errorCode = KafkaErrorCode.from(error)
            if let refusal = error as? WriterClientError, refusal.code == .rejected(.invalidRecord) {
                self.refuseRecords(refusal, in: &response, version: version)
            }
        }
        return response
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

/// The partitions' answers of one Produce request as the writer gives them, in any order; once all
/// are in, the response in the request's order. Confined to the connection's event loop.
final class ProduceAnswers {
    private let request: KafkaRequest
    private let topics: [(name: String, partitions: Int)]
    private let acks: Int16
    private var answers: [ProduceResponse.PartitionProduceResponse?]
    private var missing: Int

    init(request: KafkaRequest, produce: ProduceRequest) {
        self.request = request
        self.topics = produce.topicData.map { ($0.name, $0.partitionData.count) }
        self.acks = produce.acks
        self.missing = self.topics.reduce(0) { $0 + $1.partitions }
        self.answers = Array(repeating: nil, count: self.missing)
        if self.missing == 0 { self.reply() }
    }

    func set(_ index: Int, _ answer: ProduceResponse.PartitionProduceResponse) {
        guard self.missing > 0 else { return }  // failed already
        precondition(self.answers[index] == nil, "partition \(index) answered twice")
        self.answers[index] = answer
        self.missing -= 1
        if self.missing == 0 { self.reply() }
    }

    /// Gives up on the request: the connection is closed, as for any request that cannot be answered.
    func fail(_ error: any Error) {
        self.missing = -1
        self.request.connection.answer(
            Result<ProduceResponse, any Error>.failure(error), frame: self.request.frame, arrived: self.request.arrived,
            sequence: self.request.sequence, context: self.request.channelContext)
    }

    private func reply() {
        guard self.acks != 0 else { return }  // answered with nothing already
        var remaining = self.answers[...]
        var response = ProduceResponse()
        response.responses = self.topics.map { topic in
            var entry = ProduceResponse.TopicProduceResponse()
            entry.name = topic.name
            entry.partitionResponses = remaining.prefix(topic.partitions).map { $0! }
            remaining = remaining.dropFirst(topic.partitions)
            return entry
        }
        self.request.reply(response)
    }
}
