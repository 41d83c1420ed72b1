import Foundation
import MonologKafkaProtocol
import MonologTestSupport
import NIOCore
import Testing

/// Fetch keeps to the request's `max_bytes` (capped by the broker's `fetch.max.bytes`) and each
/// partition's `partition_max_bytes`, as Kafka does (KIP-74): the only batch allowed past a limit is
/// the first batch of the first non-empty partition, returned whole so that a consumer always makes progress.
@Suite struct KafkaFetchLimitsTests {
    static let kilobyte = 1024

    /// A fetch of every partition of `topic` from offset 0.
    static func fetch(_ topic: String, partitions: Int, maxBytes: Int, partitionMaxBytes: Int) -> FetchRequest {
        var request = FetchRequest()
        request.replicaId = -1
        request.maxWaitMs = 0
        request.minBytes = 1
        request.maxBytes = Int32(maxBytes)
        var fetched = FetchRequest.FetchTopic()
        fetched.topic = topic
        fetched.partitions = (0..<partitions).map { index in
            var partition = FetchRequest.FetchPartition()
            partition.partition = Int32(index)
            partition.fetchOffset = 0
            partition.partitionMaxBytes = Int32(partitionMaxBytes)
            return partition
        }
        request.topics = [fetched]
        return request
    }

    /// Record bytes returned per partition, in partition order.
    static func recordBytes(_ response: FetchResponse) -> [Int] {
        response.responses.flatMap { $0.partitions }.sorted { $0.partitionIndex < $1.partitionIndex }.map { $0.records?.readableBytes ?? 0 }
    }

    /// Produces one batch (one HTTP request) of `count` messages of `size` bytes to a partition.
    static func produce(_ broker: Broker, topic: String, partition: Int, size: Int, count: Int = 1) async throws {
        let message = #"{"value":"\#(String(repeating: "x", count: size))","partition":\#(partition)}"#
        let body = "[" + Array(repeating: message, count: count).joined(separator: ",") + "]"
        #expect(try await broker.post("/api/topics/\(topic)/messages", body).status == 200)
    }

    @Test func largeBatchesPastEitherLimitComeOnlyFirst() async throws {
        let broker = try await Broker.start()
        #expect(try await broker.post("/api/topics", #"{"name":"large","partitions":3}"#).status == 201)
        for partition in 0..<3 { try await Self.produce(broker, topic: "large", partition: partition, size: 300 * Self.kilobyte) }
        let port = broker.kafkaPort

        // max_bytes below one batch: the first partition's batch comes whole, the others not at all.
        let overall = try await kafkaExchange(
            port: port, Self.fetch("large", partitions: 3, maxBytes: 100 * Self.kilobyte, partitionMaxBytes: 1 << 20), version: 12, as: FetchResponse.self)
        let overallBytes = Self.recordBytes(overall)
        #expect(overallBytes[0] > 300 * Self.kilobyte)
        #expect(overallBytes[1] == 0 && overallBytes[2] == 0, "\(overallBytes)")

        // partition_max_bytes below one batch: the same, whatever max_bytes allows.
        let perPartition = try await kafkaExchange(
            port: port, Self.fetch("large", partitions: 3, maxBytes: 50 << 20, partitionMaxBytes: 100 * Self.kilobyte), version: 12, as: FetchResponse.self)
        let perPartitionBytes = Self.recordBytes(perPartition)
        #expect(perPartitionBytes[0] > 300 * Self.kilobyte)
        #expect(perPartitionBytes[1] == 0 && perPartitionBytes[2] == 0, "\(perPartitionBytes)")

        // Room for two batches: the first two partitions, not the third.
        let two = try await kafkaExchange(
            port: port, Self.fetch("large", partitions: 3, maxBytes: 700 * Self.kilobyte, partitionMaxBytes: 1 << 20), version: 12, as: FetchResponse.self)
        let twoBytes = Self.recordBytes(two)
        #expect(twoBytes[0] > 0 && twoBytes[1] > 0 && twoBytes[2] == 0, "\(twoBytes)")
        #expect(twoBytes.reduce(0, +) <= 700 * Self.kilobyte)
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    @Test func manySmallBatchesStopAtTheLimits() async throws {
        let broker = try await Broker.start()
        #expect(try await broker.post("/api/topics", #"{"name":"small","partitions":2}"#).status == 201)
        for _ in 0..<20 {
            for partition in 0..<2 { try await Self.produce(broker, topic: "small", partition: partition, size: 10 * Self.kilobyte) }
        }
        let limits = (maxBytes: 100 * Self.kilobyte, partitionMaxBytes: 64 * Self.kilobyte)
        let response = try await kafkaExchange(
            port: broker.kafkaPort, Self.fetch("small", partitions: 2, maxBytes: limits.maxBytes, partitionMaxBytes: limits.partitionMaxBytes),
            version: 12, as: FetchResponse.self)
        let bytes = Self.recordBytes(response)
        // Each partition holds 200 KB in 10 KB batches: each gets what fits, the total stays within max_bytes.
        #expect(bytes[0] > 50 * Self.kilobyte && bytes[0] <= limits.partitionMaxBytes, "\(bytes)")
        #expect(bytes[1] > 0 && bytes[1] <= limits.partitionMaxBytes, "\(bytes)")
        #expect(bytes.reduce(0, +) <= limits.maxBytes, "\(bytes)")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    /// A real consumer with fetch.max.bytes and receive.message.max.bytes near 1 MB reads three
    /// partitions of 600 KB messages (a response holding one batch of each would be 1.8 MB, which
    /// librdkafka refuses, dropping the connection) (Tests/Compat/python/fetch_limits.py).
    @Test func aConsumerWithOneMegabyteLimitsReadsLargeMessagesFromThreePartitions() async throws {
        guard FileManager.default.isExecutableFile(atPath: PythonClientCompatTests.python) else {
            Issue.record("no Python with the Kafka clients at \(PythonClientCompatTests.python): run scripts/install-deps.sh --test")
            return
        }
        let broker = try await Broker.start()
        #expect(try await broker.post("/api/topics", #"{"name":"big","partitions":3}"#).status == 201)
        let script = PythonClientCompatTests.repositoryRoot + "/Tests/Compat/python/fetch_limits.py"
        let output = try await runProcess(
            PythonClientCompatTests.python, [script, "--bootstrap", "127.0.0.1:\(broker.kafkaPort)", "--topic", "big"], timeout: 120
        ).standardOutput
        let report = (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]
        #expect(report["produced"] as? Int == 12, "\(output)")
        #expect(report["consumed"] as? Int == 12, "\(output)")
        #expect((report["errors"] as? [String])?.isEmpty == true, "\(output)")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    /// `--fetch-max-bytes` (Kafka's `fetch.max.bytes`) bounds a response whatever the client asks.
    @Test func fetchMaxBytesCapsWhatTheClientAsks() async throws {
        let broker = try await Broker.start(extraArguments: ["--fetch-max-bytes", "400000"])
        #expect(try await broker.post("/api/topics", #"{"name":"capped","partitions":3}"#).status == 201)
        for partition in 0..<3 { try await Self.produce(broker, topic: "capped", partition: partition, size: 150 * 1024) }
        let port = broker.kafkaPort
        // The client allows 50 MiB; the broker's 400,000 bytes hold two 150 KiB batches, not three.
        let capped = try await kafkaExchange(
            port: port, Self.fetch("capped", partitions: 3, maxBytes: 50 << 20, partitionMaxBytes: 1 << 20), version: 12,
            as: FetchResponse.self)
        let bytes = Self.recordBytes(capped)
        #expect(bytes[0] > 150 * 1024 && bytes[1] > 150 * 1024 && bytes[2] == 0, "\(bytes)")
        #expect(bytes.reduce(0, +) <= 400_000)
        // A smaller request limit still wins, and the first batch still comes whole (KIP-74).
        let small = try await kafkaExchange(
            port: port, Self.fetch("capped", partitions: 3, maxBytes: 1024, partitionMaxBytes: 1 << 20), version: 12,
            as: FetchResponse.self)
        let smallBytes = Self.recordBytes(small)
        #expect(smallBytes[0] > 150 * 1024 && smallBytes[1] == 0 && smallBytes[2] == 0, "\(smallBytes)")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
