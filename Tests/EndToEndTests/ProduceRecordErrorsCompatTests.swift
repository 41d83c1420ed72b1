import Foundation
import MonologTestSupport
import Testing

/// Per-record errors (KIP-467, issue #21): a compacted topic refuses a batch holding a record without a
/// key, as Kafka's LogValidator does, and says which records. confluent-kafka (Produce v9) then fails those
/// records with INVALID_RECORD and the rest of their batch with _INVALID_DIFFERENT_RECORD
/// (Tests/Compat/python/record_errors.py); nothing of the batch is stored. The HTTP API answers 400
/// `invalid_record`.
@Suite struct ProduceRecordErrorsCompatTests {
    @Test func issue21_aKeylessRecordInACompactedTopicFailsItsBatchNamingTheRecord() async throws {
        let python = PythonClientCompatTests.python
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("no Python with the Kafka clients at \(python): run scripts/install-deps.sh --test")
            return
        }
        let broker = try await Broker.start()
        let script = PythonClientCompatTests.repositoryRoot + "/Tests/Compat/python/record_errors.py"
        let output = try await runProcess(python, [script, "--bootstrap", "127.0.0.1:\(broker.kafkaPort)", "--topic", "compacted"], timeout: 120)
            .standardOutput
        let report = (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]
        #expect(!report.isEmpty, "no report: \(output)")

        let refused = report["refused"] as? [[String: Any]] ?? []
        let expected = ["_INVALID_DIFFERENT_RECORD", "INVALID_RECORD", "_INVALID_DIFFERENT_RECORD", "INVALID_RECORD"]
        #expect(refused.map { $0["error"] as? String } == expected, "\(report)")
        #expect(report["high_watermark_after_refusal"] as? Int == 0, "nothing of the refused batch is stored: \(report)")
        let accepted = report["accepted"] as? [[String: Any]] ?? []
        #expect(accepted.map { $0["offset"] as? Int } == [0, 1], "\(report)")

        // Over HTTP: one keyless message, and an array with one, are refused whole with 400 invalid_record.
        let one = try await broker.post("/api/topics/compacted/messages", #"{"value":"no key"}"#)
        #expect(one.status == 400, "\(one.body)")
        #expect(one.errorCode == "invalid_record", "\(one.body)")
        let many = try await broker.post("/api/topics/compacted/messages", #"[{"key":"k","value":"v"},{"value":"no key"}]"#)
        #expect(many.status == 400, "\(many.body)")
        #expect(many.errorCode == "invalid_record", "\(many.body)")
        #expect(((many.json["error"] as? [String: Any])?["message"] as? String)?.contains("[1]") == true, "\(many.body)")
        let described = try await broker.get("/api/topics/compacted")
        #expect((described.json["partitions"] as? [[String: Any]])?.first?["high_watermark"] as? Int == 2, "\(described.body)")
        // A keyed message is stored as before.
        #expect(try await broker.post("/api/topics/compacted/messages", #"{"key":"k","value":"v"}"#).status == 200)
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
