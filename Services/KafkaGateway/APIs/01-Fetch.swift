import MonologConfig
import MonologKafkaProtocol
import MonologStorage
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// Fetch (key 1), versions 4–12: whole stored batches from each partition's fetch offset (a fetch inside
/// a batch returns that batch), within the partition and request byte limits, as Kafka does (KIP-74):
/// the response's record bytes never exceed `max_bytes` nor the broker's `fetch.max.bytes`, nor a
/// partition's `partition_max_bytes`, except that the first batch of the first non-empty partition is
/// returned whole when it alone is larger, so a consumer always makes progress. With `isolation_level` 1 (read_committed) it returns
/// only what lies below the last stable offset, with the aborted transactions among it; transaction
/// markers are returned as stored, and clients skip them, as with Kafka. When less than
/// `min_bytes` is available, the fetch waits up to `max_wait_ms`, woken the moment the storage writer
/// reports new data for one of its partitions. Fetch sessions (KIP-227) are declined: the response's
/// session id is 0, so clients send full fetches; that is a valid answer to a session request.
enum FetchAPI {
    static let entry = SupportedAPIs.Entry(apiKey: FetchRequest.apiKey, name: "Fetch", minVersion: 4, maxVersion: 12, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(
            self.respond(
                to: try request.decode(FetchRequest.self), context: request.gateway, board: request.gateway.board, on: request.eventLoop,
                parked: request.parked
            )
        )
    }

    /// The longest a fetch may wait, whatever it asks for.
    static let maxWait = TimeAmount.seconds(30)

    /// `parked` is called when the fetch starts waiting for data.
    static func respond(
        to request: FetchRequest,
        context: KafkaGatewayContext,
        board: WatermarkBoard,
        on eventLoop: any EventLoop,
        parked: @escaping @Sendable () -> Void = {}
    ) -> EventLoopFuture<FetchResponse> {
        // min_bytes of record data is enough to answer (at least one byte, whatever the request says).
        @Sendable func enough(_ response: FetchResponse) -> Bool { self.recordBytes(response) >= Int(max(request.minBytes, 1)) }
        let response = self.read(request, context: context, on: eventLoop).flatMap { first in
            guard !enough(first), request.maxWaitMs > 0 else { return eventLoop.makeSucceededFuture(first) }
            let partitions = Set(request.topics.flatMap { topic in topic.partitions.map { TopicPartition(topic: topic.topic, partition: $0.partition) } })
            let wait = min(TimeAmount.milliseconds(Int64(request.maxWaitMs)), self.maxWait)
            // Register for the next commit, then read again: a commit that landed after the first read
            // but before the registration would otherwise go unnoticed for the whole wait.
            let woken = board.wait(for: partitions, maxWait: wait, on: eventLoop)
            return self.read(request, context: context, on: eventLoop).flatMap { second in
                guard !enough(second) else { return eventLoop.makeSucceededFuture(second) }
                parked()
                return woken.flatMap { self.read(request, context: context, on: eventLoop) }
            }
        }
        response.whenSuccess(KafkaMetrics.recordFetched)
        return response
    }

    static func recordBytes(_ response: FetchResponse) -> Int {
        response.responses.reduce(0) { total, topic in topic.partitions.reduce(total) { $0 + ($1.records?.readableBytes ?? 0) } }
    }

    static func read(_ request: FetchRequest, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<FetchResponse> {
        context.read(on: eventLoop) { reader in
            try reader.snapshot {
                // The broker's fetch.max.bytes caps whatever the client asks, as Kafka does.
                var budget = min(request.maxBytes > 0 ? Int(request.maxBytes) : Int.max, context.settings.kafka.fetchMaxBytes)
                let readCommitted = request.isolationLevel == 1
                // Until some partition returns data, its first batch may exceed the limits.
                var nothingYet = true
                var response = FetchResponse()
                response.sessionId = 0
                response.responses = try request.topics.map { topic in
                    var result = FetchResponse.FetchableTopicResponse()
                    result.topic = topic.topic
                    let info = try reader.topic(named: topic.topic)
                    let bounds = try info.map { try reader.partitionOffsets(topicID: $0.topicID) } ?? []
                    result.partitions = try topic.partitions.map { partition in
                        var data = FetchResponse.PartitionData()
                        data.partitionIndex = partition.partition
                        data.abortedTransactions = []
                        data.preferredReadReplica = -1
                        data.records = ByteBuffer()  // an empty record set, never null
                        guard let info, let offsets = bounds.first(where: { $0.partition == partition.partition }) else {
                            data.errorCode = KafkaErrorCode.unknownTopicOrPartition
                            data.highWatermark = -1
                            data.lastStableOffset = -1
                            data.logStartOffset = -1
                            return data
                        }
                        let lastStable = try reader.lastStableOffset(topicID: info.topicID, offsets: offsets)
                        data.highWatermark = offsets.highWatermark
                        data.lastStableOffset = lastStable
                        data.logStartOffset = offsets.logStartOffset
                        if let error = KafkaGatewayContext.leaderEpochError(current: partition.currentLeaderEpoch) {
                            data.errorCode = error
                            return data
                        }
                        guard partition.fetchOffset >= offsets.logStartOffset, partition.fetchOffset <= offsets.highWatermark else {
                            data.errorCode = KafkaErrorCode.offsetOutOfRange
                            return data
                        }
                        // read_committed stops at the last stable offset: an open transaction's records wait.
                        let end = readCommitted ? lastStable : offsets.highWatermark
                        guard partition.fetchOffset < end, budget > 0 else { return data }
                        let limit = min(Int(max(partition.partitionMaxBytes, 1)), budget)
                        let batches = try reader.batches(
                            topicID: info.topicID,
                            partition: partition.partition,
                            fromOffset: partition.fetchOffset,
                            maxBytes: limit,
                            firstMayExceed: nothingYet,
                            below: end
                        )
                        if readCommitted, let last = batches.last {
                            // The aborted transactions among these records, so the consumer drops them.
                            data.abortedTransactions = try reader.abortedTransactions(
                                topicID: info.topicID, partition: partition.partition, from: partition.fetchOffset, upTo: last.lastOffset + 1
                            ).map { aborted in
                                var transaction = FetchResponse.AbortedTransaction()
                                transaction.producerId = aborted.producerID
                                transaction.firstOffset = aborted.firstOffset
                                return transaction
                            }
                        }
                        var records = ByteBuffer()
                        for batch in batches {
                            var bytes = batch.bytes
                            records.writeBuffer(&bytes)
                        }
                        budget = max(0, budget - records.readableBytes)
                        if records.readableBytes > 0 { nothingYet = false }
                        data.records = records
                        return data
                    }
                    return result
                }
                return response
            }
        }
    }
}
