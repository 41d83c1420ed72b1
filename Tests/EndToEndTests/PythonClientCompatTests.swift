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

    /// confluent-kafka's AdminClient: create (with a config, a duplicate, bad configs, validate_only),
    /// create_partitions, delete_records and delete_topics, each answered as Kafka would; and the
    /// topic configs the broker enforces (LogAppendTime, max.message.bytes) (Tests/Compat/python/admin.py).
    @Test func confluentAdminClientCreatesDeletesAndTruncates() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("no Python with the Kafka clients at \(Self.python): run scripts/install-deps.sh --test")
            return
        }
        let broker = try await Broker.start()
        let script = Self.repositoryRoot + "/Tests/Compat/python/admin.py"
        let output = try await runProcess(Self.python, [script, "--bootstrap", "127.0.0.1:\(broker.kafkaPort)"], timeout: 120).standardOutput
        let report = (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]
        #expect(report["create"] as? String == "ok", "\(output)")
        #expect(report["create_again"] as? String == "TOPIC_ALREADY_EXISTS")
        #expect(report["bad_config"] as? String == "INVALID_CONFIG")
        #expect(report["unknown_config"] as? String == "INVALID_CONFIG")
        #expect(report["validate_only"] as? String == "ok")
        #expect(report["validate_only_created"] as? Bool == false)
        #expect(report["partitions"] as? Int == 3)
        #expect(report["low_watermark"] as? Int == 5)
        #expect(report["first_offset_after_delete"] as? Int == 5)
        #expect(report["grow"] as? String == "ok", "\(output)")
        #expect(report["partitions_after_grow"] as? Int == 5)
        #expect(report["produced_to_new_partition"] as? Bool == true)
        #expect(report["shrink"] as? String == "INVALID_PARTITIONS")
        #expect(report["grow_unknown"] as? String == "UNKNOWN_TOPIC_OR_PART")
        #expect(report["grow_foreign_broker"] as? String == "INVALID_REPLICA_ASSIGNMENT")
        #expect(report["grow_validate_only"] as? String == "ok")
        #expect(report["partitions_after_validate_only"] as? Int == 5)
        #expect(report["create_log_append"] as? String == "ok")
        #expect(report["log_append_type"] as? Bool == true, "\(output)")
        #expect(report["log_append_time_is_now"] as? Bool == true, "\(output)")
        #expect(report["consumed_log_append_time"] as? Bool == true, "\(output)")
        #expect(report["too_large"] as? String == "MSG_SIZE_TOO_LARGE", "\(output)")
        #expect(report["delete"] as? String == "ok")
        #expect(report["delete_again"] as? String == "UNKNOWN_TOPIC_OR_PART")
        #expect(report["exists_after_delete"] as? Bool == false)
        #expect(try await broker.get("/api/topics/admin-a").status == 404)
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
