import Foundation
import MonologTestSupport
import Testing

/// The admin calls Kafka tools depend on, from confluent-kafka's AdminClient and kafka-python's
/// KafkaAdminClient against the real process tree (Tests/Compat/python/configs.py): the cluster, topic
/// and broker configs with their sources, AlterConfigs and IncrementalAlterConfigs with refusals, log
/// dirs with real sizes, producer state, ListOffsets, DeleteRecords; and two configs at work under the
/// retention worker: retention.ms=1000 empties a topic, cleanup.policy=compact keeps each key's latest.
@Suite struct AdminConfigsCompatTests {
    @Test func bothAdminClientsDescribeAndAlterConfigsAndTheConfigsTakeEffect() async throws {
        let python = PythonClientCompatTests.python
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("no Python with the Kafka clients at \(python): run scripts/install-deps.sh --test")
            return
        }
        let broker = try await Broker.start(configYAML: "retention:\n  check_interval: 200ms\n")
        let script = PythonClientCompatTests.repositoryRoot + "/Tests/Compat/python/configs.py"
        let output = try await runProcess(python, [script, "--bootstrap", "127.0.0.1:\(broker.kafkaPort)"], timeout: 180).standardOutput
        let report = (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]
        #expect(!report.isEmpty, "no report: \(output)")

        let cluster = report["cluster"] as? [String: Any] ?? [:]
        #expect(cluster["controller"] as? Int == 0)
        #expect((cluster["nodes"] as? [[Any]])?.first?[2] as? Int == broker.kafkaPort)
        #expect((cluster["id"] as? String)?.isEmpty == false)
        #expect((report["kp_cluster"] as? [String: Any])?["id"] as? String == cluster["id"] as? String)

        #expect(
            report["defaults"] as? [String: String] == [
                "cleanup.policy": "delete", "delete.retention.ms": "86400000", "max.message.bytes": "1048588",
                "message.timestamp.type": "CreateTime", "retention.bytes": "-1", "retention.ms": "86400000",
            ],
            "\(report)"
        )
        #expect(report["defaults_are_default"] as? Bool == true)
        #expect(report["retention_source_before"] as? String == "4", "retention.ms falls back to the broker's static setting")
        #expect(report["alter"] as? String == "ok")
        #expect(report["after_alter"] as? [String: String] == ["retention.ms": "3600000", "max.message.bytes": "5000", "source": "1"])
        #expect(report["alter_replace"] as? String == "ok")
        #expect(report["after_replace"] as? [String: String] == ["retention.ms": "4", "max.message.bytes": "6000"], "AlterConfigs replaces the set")
        #expect(report["append"] as? String == "ok")
        #expect(report["after_append"] as? String == "delete,compact")
        #expect(report["after_subtract"] as? String == "compact")
        #expect(report["set_and_delete"] as? String == "ok")
        #expect(report["after_set_and_delete"] as? [String: String] == ["message.timestamp.type": "LogAppendTime", "max.message.bytes": "1048588"])
        #expect(report["bad_value"] as? String == "INVALID_CONFIG")
        #expect(report["unknown_name"] as? String == "INVALID_CONFIG")
        #expect(report["append_to_scalar"] as? String == "INVALID_REQUEST")
        #expect(report["unknown_topic"] as? String == "UNKNOWN_TOPIC_OR_PART")
        #expect(
            report["broker"] as? [String: String] == [
                "num.partitions": "1", "auto.create.topics.enable": "true", "log.retention.ms": "86400000",
                "message.max.bytes": "1048588", "broker.id": "0",
            ]
        )
        #expect(report["broker_read_only"] as? Bool == true)
        #expect(report["alter_broker"] as? String == "INVALID_REQUEST")

        let timestamps = report["timestamps"] as? [Int] ?? []
        let offsets = report["list_offsets"] as? [String: [Int]] ?? [:]
        #expect(offsets["earliest"] == [0, -1] && offsets["latest"] == [3, -1], "\(offsets)")
        #expect(offsets["between_first_and_second"] == [1, timestamps[safe: 1] ?? 0], "\(offsets)")
        #expect(offsets["max_timestamp"] == [2, timestamps[safe: 2] ?? 0], "\(offsets)")

        #expect(report["kp_cleanup_policy"] as? String == "compact")
        #expect(report["kp_cleanup_policy_source"] as? String == "DYNAMIC_TOPIC_CONFIG")
        let logDir = report["kp_log_dir"] as? [String: Any] ?? [:]
        #expect((logDir["cfg_size"] as? [Int])?.first ?? 0 > 61, "one stored batch at least: \(logDir)")
        #expect(logDir["total_bytes_positive"] as? Bool == true && logDir["usable_at_most_total"] as? Bool == true)
        let producers = report["kp_producers"] as? [[String: Any]] ?? []
        #expect(producers.count == 1 && producers.first?["last_sequence"] as? Int == 2 && producers.first?["recent"] as? Bool == true, "\(producers)")
        #expect(report["kp_latest"] as? Int == 3)
        #expect(report["kp_low_watermark"] as? Int == 2)

        #expect(report["retention_emptied"] as? Bool == true, "retention.ms=1000 did not empty the topic")
        #expect(report["compacted"] as? [String] == ["new-0", "new-1", "new-2", "new-3", "new-4"], "\(report)")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
