import Foundation
import MonologTestSupport
import Testing

/// Protocol strings keep their bytes (issue #21): kafka-python commits offset metadata `Hello\0world!`
/// in a group whose id holds a NUL, as a member whose client id and group instance id hold one too, and
/// produces a header key with a NUL (Tests/Compat/python/strings.py). The storage writer keeps them in
/// SQLite TEXT columns, which once cut them at the NUL: the metadata came back as `Hello`.
@Suite struct StringFidelityCompatTests {
    @Test func issue21_stringsWithANulComeBackWhole() async throws {
        let python = PythonClientCompatTests.python
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("no Python with the Kafka clients at \(python): run scripts/install-deps.sh --test")
            return
        }
        let broker = try await Broker.start()
        #expect(try await broker.post("/api/topics", #"{"name":"strings","partitions":1}"#).status == 201)
        let script = PythonClientCompatTests.repositoryRoot + "/Tests/Compat/python/strings.py"
        let output = try await runProcess(python, [script, "--bootstrap", "127.0.0.1:\(broker.kafkaPort)", "--topic", "strings"], timeout: 120)
            .standardOutput
        let report = (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]
        #expect(!report.isEmpty, "no report: \(output)")
        #expect(report["errors"] as? [String] == [], "\(report)")

        // OffsetFetch, through the consumer and the admin client: all 12 bytes.
        let committed = report["kafka_python_metadata"] as? [String: Any]
        #expect(committed?["offset"] as? Int == 5, "\(report)")
        #expect(committed?["metadata"] as? String == "Hello\u{0}world!", "\(report)")
        #expect(report["admin_metadata"] as? [String] == ["Hello\u{0}world!"], "\(report)")
        #expect(report["admin_groups"] as? [String] == ["strings\u{0}group"], "\(report)")
        // DescribeGroups reports the member's client id and instance id as it sent them.
        #expect(report["described_groups"] as? [String] == ["strings\u{0}group"], "\(report)")
        let members = report["described_members"] as? [[String: String]]
        #expect(members == [["client_id": "client\u{0}id", "group_instance_id": "instance\u{0}id"]], "\(report)")
        // A header key with a NUL, and a header value that is not UTF-8, read back by the client.
        #expect(report["headers"] as? [[[String]]] == [[["h\u{0}key", "ff00fe"]]], "\(report)")
        // Kafka parses retention.ms as a number: a NUL inside it is refused, not cut off.
        #expect(report["config_with_nul"] as? String == "InvalidConfigurationError", "\(report)")

        // The HTTP API shows the same strings (JSON escapes the NUL as \u0000).
        let groups = try await broker.get("/api/groups")
        #expect((groups.json["groups"] as? [[String: Any]])?.compactMap { $0["group"] as? String } == ["strings\u{0}group"], "\(groups.body)")
        let messages = try await broker.get("/api/topics/strings/messages?offset=0")
        let headers = (messages.json["messages"] as? [[String: Any]])?.first?["headers"] as? [String: String]
        #expect(headers?.keys.sorted() == ["h\u{0}key"], "\(messages.body)")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
