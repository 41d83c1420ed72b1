import Foundation
import MonologTestSupport
import Testing

/// confluent-kafka (idempotent), kafka-python and aiokafka, each with its default settings, produce
/// 10,000 keyed messages across 3 partitions through the real process tree and read them all back, each
/// partition in the order it was written (Tests/Compat/python/produce_consume.py).
@Suite struct PythonClientCompatTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The venv that scripts/install-deps.sh --test makes (or MONOLOG_PYTHON).
    static var python: String {
        ProcessInfo.processInfo.environment["MONOLOG_PYTHON"] ?? repositoryRoot + "/.venv/bin/python"
    }

    @Test(arguments: ["confluent", "kafka-python", "aiokafka"])
    func tenThousandMessagesAcrossThreePartitionsComeBackInOrder(_ client: String) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("no Python with the Kafka clients at \(Self.python): run scripts/install-deps.sh --test")
            return
        }
        let broker = try await Broker.start()
        #expect(try await broker.post("/api/topics", #"{"name":"py","partitions":3}"#).status == 201)
        let script = Self.repositoryRoot + "/Tests/Compat/python/produce_consume.py"
        let arguments = [script, "--client", client, "--bootstrap", "127.0.0.1:\(broker.kafkaPort)", "--topic", "py", "--count", "10000", "--partitions", "3"]
        let output = try await runProcess(Self.python, arguments, timeout: 180).standardOutput
        let summary = (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]
        #expect(summary["produce_failures"] as? Int == 0, "\(client): \(output)")
        #expect(summary["consumed"] as? Int == 10_000, "\(client): \(output)")
        #expect(summary["distinct"] as? Int == 10_000, "\(client): \(output)")
        #expect(summary["partitions_used"] as? Int == 3, "\(client): the default partitioner should spread keys: \(output)")
        #expect(summary["in_order"] as? Bool == true, "\(client): \(output)")
        // The HTTP side sees the same 10,000 messages.
        let described = try await broker.get("/api/topics/py")
        let total = (described.json["partitions"] as? [[String: Any]])?.compactMap { $0["high_watermark"] as? Int }.reduce(0, +)
        #expect(total == 10_000)
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
