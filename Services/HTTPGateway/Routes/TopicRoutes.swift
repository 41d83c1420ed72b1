import Hummingbird
import MonologHTTPBodies
import MonologStorage
import MonologWriterClient
import MonologWriterProtocol

/// `/api/topics`: list, create, describe, delete.
struct TopicRoutes {
    let reads: StorageReads
    let writer: WriterClient
    /// `num.partitions`: a new topic's partitions when the request does not say.
    let defaultPartitions: Int32

    struct TopicSummary: Encodable {
        var name: String
        var partitions: Int32
    }

    /// A topic in the list: its partitions, the messages it holds now, and the bytes they take.
    struct TopicListing: Encodable {
        var name: String
        var partitions: Int32
        var messages: Int64
        var bytes: Int64
    }

    struct PartitionDetail: Encodable {
        var partition: Int32
        var log_start_offset: Int64
        var high_watermark: Int64
    }

    struct TopicDetail: Encodable {
        var name: String
        var partitions: [PartitionDetail]
        var configs: [String: String]
    }

    func register(on router: Router<some RequestContext>) {
        router.get("/api/topics") { _, _ in try await self.list() }
        router.post("/api/topics") { request, _ in try await self.create(request) }
        router.get("/api/topics/:topic") { _, context in try await self.describe(try context.topicName()) }
        router.delete("/api/topics/:topic") { _, context in try await self.delete(try context.topicName()) }
    }

    func list() async throws -> Response {
        let topics = try await self.reads.run { reader in
            try reader.snapshot {
                try reader.topics().map { topic in
                    let offsets = try reader.partitionOffsets(topicID: topic.topicID)
                    let bytes = try offsets.reduce(Int64(0)) { $0 + (try reader.partitionSize(topicID: topic.topicID, partition: $1.partition)) }
                    return TopicListing(
                        name: topic.name,
                        partitions: topic.partitionCount,
                        // Offsets are dense, so the count is the span from log start to high watermark.
                        messages: offsets.reduce(0) { $0 + $1.highWatermark - $1.logStartOffset },
                        bytes: bytes
                    )
                }
            }
        }
        return try JSONResponse.make(["topics": topics])
    }

    func create(_ request: Request) async throws -> Response {
        let body = try await JSONRequest.decode(CreateTopicBody.self, from: request)
        if let problem = TopicName.problem(with: body.name) { throw APIError.badRequest("invalid_topic_name", problem) }
        let partitions = body.partitions ?? self.defaultPartitions
        guard (1...10_000).contains(partitions) else {
            throw APIError.badRequest("invalid_partitions", "partitions must be between 1 and 10000, got \(partitions)")
        }
        let created = try await self.writer.send(CreateTopic(name: body.name, partitionCount: partitions, configs: body.configs ?? [:], ifNotExists: false))
        return try JSONResponse.make(TopicSummary(name: body.name, partitions: created.partitionCount), status: .created)
    }

    func describe(_ name: String) async throws -> Response {
        let detail = try await self.reads.run { reader -> TopicDetail? in
            try reader.snapshot {
                guard let topic = try reader.topic(named: name) else { return nil }
                let partitions = try reader.partitionOffsets(topicID: topic.topicID).map {
                    PartitionDetail(partition: $0.partition, log_start_offset: $0.logStartOffset, high_watermark: $0.highWatermark)
                }
                return TopicDetail(name: topic.name, partitions: partitions, configs: try reader.configs(topicID: topic.topicID))
            }
        }
        guard let detail else { throw APIError.unknownTopic(name) }
        return try JSONResponse.make(detail)
    }

    func delete(_ name: String) async throws -> Response {
        _ = try await self.writer.send(DeleteTopic(name: name))
        return try JSONResponse.make(["deleted": name])
    }
}
