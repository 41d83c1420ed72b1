import MonologKafkaProtocol
import MonologRecords
import MonologStorage
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// Produce (key 0). Advertised from v0 (librdkafka before 2.11.1 turns compression off unless v0 is in
/// range) to v9; v0–2 (message sets of magic 0/1) are refused per partition with UNSUPPORTED_VERSION, as
/// Kafka 4 does. Each partition's batches go to the storage writer; the answer waits for the fsync
/// (acks 1 and -1 are the same here: there are no replicas). acks=0 gets no response at all.
enum ProduceAPI {
    static let entry = SupportedAPIs.Entry(apiKey: ProduceRequest.apiKey, name: "Produce", minVersion: 0, maxVersion: 9, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        let produce = try request.decode(ProduceRequest.self)
        let response = self.respond(to: produce, version: request.version, context: request.gateway, on: request.eventLoop)
        // acks=0: the client expects no response; the write still happens.
        if produce.acks == 0 { request.replyWithNothing() } else { request.reply(response) }
    }

    static func respond(to request: ProduceRequest, version: Int16, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<
        ProduceResponse
    > {
        let topics = request.topicData.map { topic in
            let partitions = topic.partitionData.map { partition in
                self.produce(topic: topic.name, partition: partition, version: version, acks: request.acks, context: context, on: eventLoop)
            }
            return EventLoopFuture.whenAllSucceed(partitions, on: eventLoop).map { responses in
                var response = ProduceResponse.TopicProduceResponse()
                response.name = topic.name
                response.partitionResponses = responses
                return response
            }
        }
        return EventLoopFuture.whenAllSucceed(topics, on: eventLoop).map { topics in
            var response = ProduceResponse()
            response.responses = topics
            return response
        }
    }

    static func produce(
        topic: String,
        partition: ProduceRequest.PartitionProduceData,
        version: Int16,
        acks: Int16 = 1,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<ProduceResponse.PartitionProduceResponse> {
        var response = ProduceResponse.PartitionProduceResponse()
        response.index = partition.index
        response.baseOffset = -1
        response.logAppendTimeMs = -1
        func failed(_ code: Int16) -> EventLoopFuture<ProduceResponse.PartitionProduceResponse> {
            response.errorCode = code
            return eventLoop.makeSucceededFuture(response)
        }
        guard version >= 3 else { return failed(KafkaErrorCode.unsupportedVersion) }
        guard let records = partition.records, records.readableBytes > 0 else { return failed(KafkaErrorCode.invalidRequest) }
        // The topic's max.message.bytes is the storage writer's to enforce: it knows every topic's configs.
        let pending = response
        return self.prepare(records, topic: topic, acks: acks, context: context, on: eventLoop).flatMap { prepared in
            guard case .append(let batches) = prepared else {
                var response = pending
                if case .refuse(let code) = prepared { response.errorCode = code }
                return eventLoop.makeSucceededFuture(response)
            }
            return context.writer.submit(AppendRecords(topic: topic, partition: partition.index, batches: batches), on: eventLoop).map { appended in
                var response = pending
                response.baseOffset = appended.baseOffset
                response.logStartOffset = appended.logStartOffset
                response.logAppendTimeMs = appended.logAppendTimeMs
                return response
            }
        }.recover { error in
            var response = pending
            response.errorCode = KafkaErrorCode.from(error)
            if let refusal = error as? WriterClientError, refusal.code == .rejected(.invalidRecord) {
                self.refuseRecords(refusal, in: &response, version: version)
            }
            return response
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
