import Foundation
import MonologTestSupport
import Testing

/// Issue #21, items 1 and 2, with real clients against the real process tree
/// (Tests/Compat/python/topic_configs.py): Kafka 3.9's topic configs are accepted, checked by type and
/// range, stored and described with their sources and defaults; compression.type recompresses stored
/// batches (read back from the database file) and min.insync.replicas=2 refuses acks=all; manual replica
/// assignments naming node 0 create topics and partitions, and the rest are refused as Kafka refuses them.
@Suite struct TopicConfigsCompatTests {
    @Test func issue21_kafkaTopicConfigsAndManualAssignmentsBehaveAsKafka39() async throws {
        let python = PythonClientCompatTests.python
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("no Python with the Kafka clients at \(python): run scripts/install-deps.sh --test")
            return
        }
        let broker = try await Broker.start()
        let script = PythonClientCompatTests.repositoryRoot + "/Tests/Compat/python/topic_configs.py"
        let arguments = [
            script, "--bootstrap", "127.0.0.1:\(broker.kafkaPort)", "--db", broker.dataDirectory + "/monolog.db",
            "--http", "127.0.0.1:\(broker.httpPort)",
        ]
        let output = try await runProcess(python, arguments, timeout: 240).standardOutput
        let report = (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]
        #expect(!report.isEmpty, "no report: \(output)")
        let failed = report.keys.filter { $0.hasSuffix("_checks_failed") }
        #expect(failed.isEmpty, "\(failed.map { "\($0): \(report[$0] ?? "")" })")

        // Item 1: Kafka's standard topic configs are accepted, stored and described.
        #expect(report["create_standard"] as? String == "ok", "\(report)")
        #expect(report["described_count"] as? Int == 36, "every topic config Kafka 3.9 documents: \(report)")
        #expect(
            report["described_set"] as? [String: [String]] == [
                "compression.type": ["gzip", "DYNAMIC_TOPIC_CONFIG"], "compression.gzip.level": ["9", "DYNAMIC_TOPIC_CONFIG"],
                "segment.bytes": ["1048576", "DYNAMIC_TOPIC_CONFIG"], "unclean.leader.election.enable": ["true", "DYNAMIC_TOPIC_CONFIG"],
                "min.cleanable.dirty.ratio": ["0.25", "DYNAMIC_TOPIC_CONFIG"],
                "leader.replication.throttled.replicas": ["0:0", "DYNAMIC_TOPIC_CONFIG"], "local.retention.ms": ["-2", "DYNAMIC_TOPIC_CONFIG"],
            ],
            "\(report)"
        )
        #expect(
            report["described_defaults"] as? [String: [String]] == [
                "segment.ms": ["604800000", "DEFAULT_CONFIG"], "message.format.version": ["3.0-IV1", "DEFAULT_CONFIG"],
                "min.insync.replicas": ["1", "DEFAULT_CONFIG"], "compression.zstd.level": ["3", "DEFAULT_CONFIG"],
                "remote.storage.enable": ["false", "DEFAULT_CONFIG"], "preallocate": ["false", "DEFAULT_CONFIG"],
                "max.compaction.lag.ms": ["9223372036854775807", "DEFAULT_CONFIG"],
            ],
            "\(report)"
        )
        #expect(report["alter_message_format_version"] as? String == "ok", "\(report)")
        #expect(report["after_alter"] as? String == "2.8")
        let refused = report["refused"] as? [String: String] ?? [:]
        #expect(refused.count == 11 && refused.values.allSatisfy { $0 == "INVALID_CONFIG" }, "\(refused)")
        #expect(report["create_remote_storage"] as? String == "INVALID_CONFIG")
        #expect((report["accepted"] as? [String: String])?.values.allSatisfy { $0 == "ok" } == true, "\(report)")

        // compression.type: the gateway recompresses (gzip is codec 1, zstd 4, lz4 3; XFL 2 is gzip level 9).
        #expect(report["produce_gz"] as? [String] == ["ok"], "\(report)")
        #expect(report["produce_plain"] as? [String] == ["ok"], "\(report)")
        #expect(report["produce_kept"] as? [String] == ["ok"], "\(report)")
        let gz = report["stored_gz"] as? [[Int]] ?? []
        #expect(!gz.isEmpty && gz.allSatisfy { $0 == [1, 2] }, "gzip at level 9: \(gz)")
        let plain = report["stored_plain"] as? [[Int]] ?? []
        #expect(!plain.isEmpty && plain.allSatisfy { $0.first == 0 }, "uncompressed: \(plain)")
        let kept = report["stored_kept"] as? [[Int]] ?? []
        #expect(!kept.isEmpty && kept.allSatisfy { $0.first == 3 }, "producer keeps lz4: \(kept)")
        #expect(report["read_gz_intact"] as? Bool == true, "\(report)")
        #expect(report["read_plain_intact"] as? Bool == true, "\(report)")

        // Over HTTP too: the same configs, and batches built in the topic's codec (zstd is 4).
        #expect(report["http_create"] as? Int == 201, "\(report)")
        #expect(report["http_produce"] as? Int == 200, "\(report)")
        let http = report["stored_http"] as? [[Int]] ?? []
        #expect(!http.isEmpty && http.allSatisfy { $0.first == 4 }, "HTTP into a zstd topic: \(http)")

        // min.insync.replicas above 1: acks=all gets NOT_ENOUGH_REPLICAS, acks=1 is written.
        #expect(report["isr_before"] as? [String] == ["ok"], "\(report)")
        #expect(report["isr_alter"] as? String == "ok")
        #expect(report["isr_acks_all"] as? [String] == ["NOT_ENOUGH_REPLICAS"], "\(report)")
        #expect(report["isr_acks_1"] as? [String] == ["ok"], "\(report)")

        // Item 2: manual replica assignments.
        #expect(report["create_assigned"] as? String == "ok", "\(report)")
        #expect(report["assigned_partitions"] as? Int == 3)
        #expect(report["create_assigned_elsewhere"] as? String == "INVALID_REPLICA_ASSIGNMENT", "\(report)")
        #expect(report["grow_assigned"] as? String == "ok", "\(report)")
        #expect(report["grow_too_few_assignments"] as? String == "INVALID_REPLICA_ASSIGNMENT", "\(report)")
        #expect(report["grow_elsewhere"] as? String == "INVALID_REPLICA_ASSIGNMENT", "\(report)")
        #expect(report["assigned_partitions_after"] as? Int == 5)
        #expect(report["kp_assigned"] as? String == "ok", "\(report)")
        #expect(report["kp_with_partitions"] as? String == "InvalidRequestError", "\(report)")
        #expect(report["kp_with_replication_factor"] as? String == "InvalidRequestError", "\(report)")
        for gap in ["kp_gap", "kp_not_from_zero", "kp_duplicate_replica", "kp_other_broker", "kp_empty_replicas"] {
            #expect(report[gap] as? String == "InvalidReplicationAssignmentError", "\(gap): \(report)")
        }
        #expect(report["kp_topics"] as? [String] == ["kp-assigned"], "\(report)")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
