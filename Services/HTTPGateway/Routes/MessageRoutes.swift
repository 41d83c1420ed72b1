import Foundation
import Hummingbird
import MonologRecords
import MonologStorage
import MonologWriterClient

/// `/api/topics/{topic}/messages`: produce one message, read messages from an offset.
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

    struct ProduceBody: Decodable {
        var key: String?
        var value: String
        var partition: Int32?
        var headers: [String: String]?
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
    }

    func register(on router: Router<some RequestContext>) {
        router.post("/api/topics/:topic/messages") { request, context in
            try await self.produce(topic: try context.topicName(), request: request)
        }
        router.get("/api/topics/:topic/messages") { request, context in
            try await self.consume(topic: try context.topicName(), request: request)
        }
    }

    func produce(topic name: String, request: Request) async throws -> Response {
        let body = try await JSONRequest.decode(ProduceBody.self, from: request)
        let partitionCount: Int32
        if let existing = try await self.reads.run({ try $0.topic(named: name) }) {
            partitionCount = existing.partitionCount
        } else if !self.autoCreateTopics {
            throw APIError.unknownTopic(name)
        } else {
            let created = try await self.writer.createTopic(name, partitionCount: self.autoCreatePartitions, ifNotExists: true)
            partitionCount = created.partitionCount
        }
        let key = body.key.map { Array($0.utf8) }
        let partition = try self.partitions.partition(requested: body.partition, key: key, partitionCount: partitionCount)
        let timestamp = Int64(Date().timeIntervalSince1970 * 1000)
        let record = NewRecord(
            key: key,
            value: Array(body.value.utf8),
            headers: (body.headers ?? [:]).sorted(by: { $0.key < $1.key }).map { ($0.key, Array($0.value.utf8)) },
            timestamp: timestamp
        )
        let appended = try await self.writer.append(
            topic: name,
            partition: partition,
            batches: RecordBatchBuilder.build([record])
        )
        return try JSONResponse.make(
            ProduceResult(
                topic: name,
                partition: partition,
                offset: appended.baseOffset,
                // A LogAppendTime topic keeps the broker's time, not the one the record was built with.
                timestamp: appended.logAppendTimeMs >= 0 ? appended.logAppendTimeMs : timestamp
            )
        )
    }

    func consume(topic name: String, request: Request) async throws -> Response {
        let offset = try request.integerParameter("offset", default: 0, range: 0...Int64.max)
        let limit = Int(try request.integerParameter("limit", default: 10, range: 1...1000))
        let partitionParameter = try request.integerParameter("partition", default: 0, range: 0...Int64(Int32.max))
        let partition = Int32(partitionParameter)
        let read = try await self.reads.run { reader -> (batches: [StoredBatch], offsets: PartitionOffsets)? in
            try reader.snapshot {
                guard let topic = try reader.topic(named: name) else { return nil }
                guard partition < topic.partitionCount else {
                    throw APIError.badRequest(
                        "invalid_partition",
                        "partition \(partition) does not exist; the topic has \(topic.partitionCount) partition(s)"
                    )
                }
                let offsets = try reader.partitionOffsets(topicID: topic.topicID).first { $0.partition == partition }
                    ?? PartitionOffsets(partition: partition, logStartOffset: 0, highWatermark: 0)
                let start = max(offset, offsets.logStartOffset)
                let batches = try reader.batches(topicID: topic.topicID, partition: partition, fromOffset: start, maxBytes: 4 * 1024 * 1024)
                return (batches, offsets)
            }
        }
        guard let read else { throw APIError.unknownTopic(name) }
        // Records below the log start (a DeleteRecords inside a batch) are gone for readers.
        let start = max(offset, read.offsets.logStartOffset)
        var messages: [Message] = []
        outer: for stored in read.batches {
            for record in try RecordBatch(validating: stored.bytes).records() where record.offset >= start {
                messages.append(Message(record, partition: partition))
                if messages.count == limit { break outer }
            }
        }
        let nextOffset = messages.last.map { $0.offset + 1 } ?? start
        return try JSONResponse.make(
            ConsumeResult(
                topic: name,
                partition: partition,
                messages: messages,
                next_offset: nextOffset,
                high_watermark: read.offsets.highWatermark
            )
        )
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
