import Foundation
import Hummingbird
import MonologConfig
import MonologHTTPBodies
import MonologProcess
import MonologRecords
import MonologStorage
import MonologWriterClient
import MonologWriterProtocol
import NIOCore
import NIOPosix

/// `/api/topics/{topic}/messages`: produce one message or a batch, read messages from an offset
/// (long-polling with `wait_ms` when there are none yet).
///
/// Produced messages are stored as Kafka RecordBatch v2, exactly as a Kafka producer would send them,
/// so Kafka consumers read HTTP-produced messages unchanged and the other way round.
struct MessageRoutes {
    let reads: StorageReads
    let writer: WriterClient
    let partitions: PartitionChooser
    /// `auto.create.topics.enable` and `num.partitions`: whether a produce to an unknown topic creates
    /// it, and with how many partitions.
    let autoCreateTopics: Bool
    let autoCreatePartitions: Int32
    /// Wakes long-polling reads on the writer's commit notifications.
    let board: WatermarkBoard

    struct ProducedOffset: Encodable {
        var partition: Int32
        var offset: Int64
        var timestamp: Int64
    }

    struct BatchProduceResult: Encodable {
        var topic: String
        var results: [ProducedOffset]
    }

    struct ProduceResult: Encodable {
        var topic: String
        var partition: Int32
        var offset: Int64
        var timestamp: Int64
    }

    struct Message: Encodable {
        var partition: Int32
        var offset: Int64
        var timestamp: Int64
        var key: String?
        /// The value as text when it is UTF-8; otherwise absent and `value_base64` carries the bytes.
        var value: String?
        var value_base64: String?
        var headers: [String: String]?
    }

    struct ConsumeResult: Encodable {
        var topic: String
        var partition: Int32
        var messages: [Message]
        var next_offset: Int64
        var high_watermark: Int64

        /// Key and value bytes as stored (base64 counts as the bytes it encodes).
        var payloadBytes: Int {
            self.messages.reduce(0) { $0 + ($1.key?.utf8.count ?? 0) + ($1.value?.utf8.count ?? 0) + ($1.value_base64.map { $0.utf8.count * 3 / 4 } ?? 0) }
        }
    }

    func register(on router: Router<some RequestContext>) {
        router.post("/api/topics/:topic/messages") { request, context in
            try await HTTPMetrics.timed(HTTPMetrics.produceDuration) {
                try await self.produce(topic: try context.topicName(), request: request)
            }
        }
        router.get("/api/topics/:topic/messages") { request, context in
            try await HTTPMetrics.timed(HTTPMetrics.consumeDuration) {
                try await self.consume(topic: try context.topicName(), request: request)
            }
        }
    }

    func produce(topic name: String, request: Request) async throws -> Response {
        let body = try await JSONRequest.decode(ProduceBody.self, from: request)
        let items = body.items
        let values: [[UInt8]]
        do {
            values = try body.values()
        } catch {
            throw APIError.badRequest(error.code, error.message)
        }
        let (partitionCount, compression) = try await self.partitionCountAndCompression(of: name)
        let timestamp = wallClockMs()
        // One record batch per partition, in the order the messages came.
        var byPartition: [Int32: [(item: Int, record: NewRecord)]] = [:]
        for (index, item) in items.enumerated() {
            let key = item.key.map { Array($0.utf8) }
            let partition = try self.partitions.partition(requested: item.partition, key: key, partitionCount: partitionCount)
            let record = NewRecord(
                key: key,
                value: values[index],
                headers: item.recordHeaders,
                timestamp: timestamp
            )
            byPartition[partition, default: []].append((index, record))
        }
        var results = [ProducedOffset?](repeating: nil, count: items.count)
        for (partition, entries) in byPartition.sorted(by: { $0.key < $1.key }) {
            let appended = try await self.append(
                AppendRecords(
                    topic: name,
                    partition: partition,
                    batches: RecordBatchBuilder.build(entries.map(\.record), compression: compression.codec ?? CompressionCodec.none, level: compression.level)
                ),
                positions: items.count > 1 ? entries.map(\.item) : nil
            )
            // A LogAppendTime topic keeps the broker's time, not the one the records were built with.
            let stored = appended.logAppendTimeMs >= 0 ? appended.logAppendTimeMs : timestamp
            for (position, entry) in entries.enumerated() {
                results[entry.item] = ProducedOffset(partition: partition, offset: appended.baseOffset + Int64(position), timestamp: stored)
            }
        }
        if case .one = body, let only = results[0] {
            return try JSONResponse.make(ProduceResult(topic: name, partition: only.partition, offset: only.offset, timestamp: only.timestamp))
        }
        return try JSONResponse.make(BatchProduceResult(topic: name, results: results.compactMap { $0 }))
    }

    /// Appends one partition's batch; records the topic refuses are named by `positions`, their indexes in
    /// the request's array (nil for a single message).
    private func append(_ command: AppendRecords, positions: [Int]?) async throws -> AppendRecords.Reply {
        do {
            return try await self.writer.send(command)
        } catch {
            guard error.code == .rejected(.invalidRecord) else { throw error }
            throw APIError.invalidRecord(error, positions: positions)
        }
    }

    /// The topic's partition count and `compression.type` (batches are built with its codec, as the
    /// Kafka gateway recompresses producers' batches), creating it first if `auto.create.topics.enable`
    /// allows.
    private func partitionCountAndCompression(of name: String) async throws -> (Int32, TopicCompression) {
        let existing = try await self.reads.run { reader -> (Int32, TopicCompression)? in
            guard let topic = try reader.topic(named: name) else { return nil }
            return (topic.partitionCount, TopicCompression(configs: try reader.configs(topicID: topic.topicID)))
        }
        if let existing { return existing }
        guard self.autoCreateTopics else { throw APIError.unknownTopic(name) }
        let created = try await self.writer.send(CreateTopic(name: name, partitionCount: self.autoCreatePartitions, ifNotExists: true))
        return (created.partitionCount, .producer)
    }

    func consume(topic name: String, request: Request) async throws -> Response {
        let offset = try request.integerParameter("offset", default: 0, range: 0...Int64.max)
        let limit = Int(try request.integerParameter("limit", default: 10, range: 1...1000))
        let partition = Int32(try request.integerParameter("partition", default: 0, range: 0...Int64(Int32.max)))
        let maxBytes = Int(try request.integerParameter("max_bytes", default: 1 << 20, range: 1...(16 << 20)))
        let waitMs = try request.integerParameter("wait_ms", default: 0, range: 0...30_000)
        let committedOnly = try Self.readsCommittedOnly(request)
        let deadline = ContinuousClock.now + .milliseconds(waitMs)
        func read() async throws -> ConsumeResult {
            try await self.read(topic: name, partition: partition, offset: offset, limit: limit, maxBytes: maxBytes, committedOnly: committedOnly)
        }
        var result = try await read()
        while result.messages.isEmpty && ContinuousClock.now < deadline {
            // Only an empty answer waits. Registering for the next commit and then reading again means
            // a commit that lands between the two reads is not missed.
            let woken = self.board.wait(
                for: [TopicPartition(topic: name, partition: partition)],
                maxWait: .milliseconds(max(0, (deadline - ContinuousClock.now).wholeMilliseconds)),
                on: MultiThreadedEventLoopGroup.singleton.any()
            )
            result = try await read()
            if !result.messages.isEmpty { break }
            try await woken.get()
            result = try await read()
        }
        HTTPMetrics.recordConsumed(topic: name, messages: result.messages.count, bytes: result.payloadBytes)
        return try JSONResponse.make(result)
    }

    /// `isolation`: `read_uncommitted` (the default, as for a Kafka consumer) or `read_committed`.
    static func readsCommittedOnly(_ request: Request) throws -> Bool {
        switch request.uri.queryParameters.get("isolation") {
        case nil, "read_uncommitted": return false
        case "read_committed": return true
        case let other?:
            throw APIError.badRequest("invalid_parameter", "isolation must be read_uncommitted or read_committed, got '\(other)'")
        }
    }

    /// Reads from `offset`. With `committedOnly`, only below the last stable offset and without the
    /// records of aborted transactions. Markers (control batches) are never messages; `next_offset`
    /// passes over them and over skipped records, so a reader never stops at one.
    private func read(topic name: String, partition: Int32, offset: Int64, limit: Int, maxBytes: Int, committedOnly: Bool) async throws -> ConsumeResult {
        let read = try await self.reads.run { reader -> PartitionRead? in
            try reader.snapshot {
                guard let topic = try reader.topic(named: name) else { return nil }
                guard partition < topic.partitionCount else {
                    throw APIError.badRequest(
                        "invalid_partition",
                        "partition \(partition) does not exist; the topic has \(topic.partitionCount) partition(s)"
                    )
                }
                let offsets =
                    try reader.partitionOffsets(topicID: topic.topicID).first { $0.partition == partition }
                    ?? PartitionOffsets(partition: partition, logStartOffset: 0, highWatermark: 0)
                let start = max(offset, offsets.logStartOffset)
                let batches = try reader.batches(topicID: topic.topicID, partition: partition, fromOffset: start, maxBytes: maxBytes)
                guard committedOnly else { return PartitionRead(batches: batches, offsets: offsets, readableEnd: offsets.highWatermark, aborted: []) }
                let stable = try reader.lastStableOffset(topicID: topic.topicID, offsets: offsets)
                let aborted = try reader.abortedTransactions(topicID: topic.topicID, partition: partition, from: start, upTo: stable)
                return PartitionRead(batches: batches, offsets: offsets, readableEnd: stable, aborted: aborted.map { ($0.producerID, $0.firstOffset) })
            }
        }
        guard let read else { throw APIError.unknownTopic(name) }
        // Records below the log start (a DeleteRecords inside a batch) are gone for readers.
        let start = max(offset, read.offsets.logStartOffset)
        var filter = AbortedRecordFilter(aborted: read.aborted)
        var messages: [Message] = []
        var next = start
        outer: for stored in read.batches {
            let batch = try RecordBatch(validating: stored.bytes)
            guard batch.header.baseOffset < read.readableEnd else { break }
            if filter.keeps(batch.header) {
                for record in try batch.records() where record.offset >= start {
                    messages.append(Message(record, partition: partition))
                    next = record.offset + 1
                    if messages.count == limit { break outer }
                }
            }
            next = max(next, batch.header.lastOffset + 1)
        }
        return ConsumeResult(
            topic: name,
            partition: partition,
            messages: messages,
            next_offset: next,
            high_watermark: read.offsets.highWatermark
        )
    }

    private struct PartitionRead: Sendable {
        var batches: [StoredBatch]
        var offsets: PartitionOffsets
        /// The high watermark, or the last stable offset for read_committed.
        var readableEnd: Int64
        var aborted: [(producerID: Int64, firstOffset: Int64)]
    }
}

extension MessageRoutes.Message {
    init(_ record: Record, partition: Int32) {
        self.partition = partition
        self.offset = record.offset
        self.timestamp = record.timestamp
        self.key = record.key.map { String(decoding: $0.readableBytesView, as: UTF8.self) }
        if let value = record.value {
            let bytes = Array(value.readableBytesView)
            if let text = String(validating: bytes, as: UTF8.self) {
                self.value = text
            } else {
                self.value_base64 = Data(bytes).base64EncodedString()
            }
        }
        if !record.headers.isEmpty {
            var headers: [String: String] = [:]
            for header in record.headers {
                headers[header.key] = header.value.map { String(decoding: $0.readableBytesView, as: UTF8.self) } ?? ""
            }
            self.headers = headers
        }
    }
}
