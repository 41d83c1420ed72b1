import Foundation
import MonologKafkaProtocol
import MonologRecords
import NIOCore
import Testing

/// Request frames captured from real clients (scripts/capture-golden-frames.py, through a proxy in front
/// of a running broker): each decodes to what the client meant and re-encodes to the same bytes.
@Suite struct GoldenFrameTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".hex") }.sorted()
    }

    static func frame(_ name: String) throws -> ByteBuffer {
        let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return ByteBuffer(bytes: bytes)
    }

    @Test func framesFromFourRealClientsArePresent() {
        for client in ["kcat", "confluent", "kafka-python", "aiokafka"] {
            #expect(Self.files.contains { $0.hasSuffix("_\(client).hex") }, "no golden frame from \(client)")
        }
    }

    @Test(arguments: files)
    func everyGoldenFrameReencodesToTheSameBytes(_ name: String) throws {
        let original = try Self.frame(name)
        let request = try KafkaRequestFrame(original)
        let api = try #require(KafkaAPIRegistry.all.first { $0.apiKey == request.apiKey })
        var reencoded = ByteBuffer()
        try request.header.encode(
            into: &reencoded,
            version: KafkaHeaderVersions.requestHeaderVersion(apiKey: request.apiKey, apiVersion: request.apiVersion)
        )
        var body = request.body
        try Self.roundTrip(api.request, body: &body, version: request.apiVersion, into: &reencoded)
        #expect(body.readableBytes == 0, "\(name): bytes left after the body")
        #expect(reencoded == original, "\(name) re-encoded differently")
    }

    static func roundTrip<Message: KafkaMessage>(_: Message.Type, body: inout ByteBuffer, version: Int16, into buffer: inout ByteBuffer) throws {
        try Message(from: &body, version: version).encode(into: &buffer, version: version)
    }

    /// What each client said about itself, as decoded from its first request.
    @Test(arguments: [
        ("ApiVersionsRequest_v3_kcat.hex", "rdkafka", "librdkafka", "2.0.2"),
        ("ApiVersionsRequest_v3_confluent.hex", "confluent", "confluent-kafka-python", "2.16.1-rdkafka-2.16.0"),
        ("ApiVersionsRequest_v4_kafka-python.hex", "kafka-python", "kafka-python", "3.0.12"),
        ("ApiVersionsRequest_v0_aiokafka.hex", "aiokafka", "", ""),
    ])
    func apiVersionsRequestsDecodeToTheClientsIdentity(_ name: String, clientID: String, software: String, softwareVersion: String) throws {
        let request = try KafkaRequestFrame(try Self.frame(name))
        #expect(request.apiKey == ApiVersionsRequest.apiKey)
        #expect(request.correlationID == 1)
        #expect(request.header.clientId == clientID)
        var body = request.body
        let decoded = try ApiVersionsRequest(from: &body, version: request.apiVersion)
        #expect(decoded.clientSoftwareName == software)
        #expect(decoded.clientSoftwareVersion == softwareVersion)
    }

    /// Every captured frame, cut short or mutated at random, fails with a typed error or decodes; never a
    /// crash or hang.
    @Test(arguments: files)
    func mutatedGoldenFramesNeverCrashTheDecoder(_ name: String) throws {
        let bytes = Array(try Self.frame(name).readableBytesView)
        var generator = SplitMix64(seed: UInt64(bytes.count))
        for _ in 0..<2000 {
            var mutated = bytes
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            let cut = Int.random(in: 0...mutated.count, using: &generator)
            guard let request = try? KafkaRequestFrame(ByteBuffer(bytes: mutated[..<cut])),
                let api = KafkaAPIRegistry.all.first(where: { $0.apiKey == request.apiKey })
            else { continue }
            var body = request.body
            var sink = ByteBuffer()
            _ = try? Self.roundTrip(api.request, body: &body, version: request.apiVersion, into: &sink)
        }
    }

    static var produceFiles: [String] { files.filter { $0.hasPrefix("ProduceRequest_") } }

    /// Each client's Produce with each codec: the batches pass their CRC-32C and decompress to exactly what
    /// the client sent (key "key", value "value" × 200, header h=v), whatever the framing (raw or xerial snappy).
    @Test(arguments: produceFiles)
    func producedBatchesFromRealClientsDecompressToWhatWasSent(_ name: String) throws {
        let request = try KafkaRequestFrame(try Self.frame(name))
        var body = request.body
        let produce = try ProduceRequest(from: &body, version: request.apiVersion)
        let records = try #require(produce.topicData.first?.partitionData.first?.records)
        let batches = try RecordBatch.split(records)
        #expect(batches.count == 1, "\(name): Kafka expects one batch per partition")
        // (librdkafka compresses with LZ4 only when the broker advertises FindCoordinator v0, its feature
        // map in VERSIONS.md section 4; these frames were captured from a broker that does.)
        let codec = name.split(separator: "-").last.map { String($0.dropLast(4)) } ?? ""
        #expect(batches[0].header.attributes.compression.map { "\($0)" } == codec, "\(name) is not \(codec)")
        let record = try #require(try batches[0].records().first)
        #expect(record.key.map { String(buffer: $0) } == "key")
        #expect(record.value.map { String(buffer: $0) } == String(repeating: "value", count: 200))
        #expect(record.headers == [RecordHeader(key: "h", value: ByteBuffer(string: "v"))])
    }

    @Test func idempotentProducersCarryTheirProducerIDs() throws {
        for name in Self.produceFiles where name.contains("confluent") || name.contains("kafka-python") {
            let request = try KafkaRequestFrame(try Self.frame(name))
            var body = request.body
            let produce = try ProduceRequest(from: &body, version: request.apiVersion)
            let batch = try RecordBatch.split(try #require(produce.topicData.first?.partitionData.first?.records))[0]
            #expect(batch.header.producerID >= 0, "\(name) was not idempotent")
            #expect(batch.header.baseSequence == 0, "\(name)")
            #expect(produce.acks == -1, "\(name)")
        }
    }

    static let clients = ["kcat", "confluent", "kafka-python", "aiokafka"]

    /// Each client's JoinGroup: the consumer protocol, the assignors it offers, and in each one's
    /// metadata (ConsumerProtocolSubscription) the topic it subscribed to.
    @Test(arguments: files.filter { $0.hasPrefix("JoinGroupRequest_") })
    func joinGroupFramesCarryTheSubscription(_ name: String) throws {
        let client = try #require(Self.clients.first { name.hasSuffix("_\($0).hex") })
        let request = try KafkaRequestFrame(try Self.frame(name))
        var body = request.body
        let join = try JoinGroupRequest(from: &body, version: request.apiVersion)
        #expect(join.groupId == "golden-\(client)")
        #expect(join.protocolType == "consumer")
        #expect(!join.protocols.isEmpty)
        for assignor in join.protocols {
            var metadata = assignor.metadata
            _ = metadata.readInteger(as: Int16.self)  // subscription version
            #expect(metadata.readInteger(as: Int32.self) == 1, "\(name): one topic")
            let length = Int(metadata.readInteger(as: Int16.self) ?? -1)
            #expect(length > 0 && metadata.readString(length: length)?.hasPrefix("golden-") == true, "\(name) \(assignor.name)")
        }
    }

    /// Each client's OffsetCommit names its group and commits past the message it read.
    @Test(arguments: files.filter { $0.hasPrefix("OffsetCommitRequest_") })
    func offsetCommitFramesCommitWhatWasRead(_ name: String) throws {
        let client = try #require(Self.clients.first { name.hasSuffix("_\($0).hex") })
        let request = try KafkaRequestFrame(try Self.frame(name))
        var body = request.body
        let commit = try OffsetCommitRequest(from: &body, version: request.apiVersion)
        #expect(commit.groupId == "golden-\(client)")
        #expect(commit.generationIdOrMemberEpoch >= 1, "\(name): a member's commit carries its generation")
        #expect(!commit.memberId.isEmpty)
        let partition = try #require(commit.topics.first?.partitions.first)
        #expect(commit.topics.first?.name.hasPrefix("golden-") == true)
        #expect(partition.committedOffset >= 1)
    }
}
