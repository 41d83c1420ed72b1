import Foundation
import MonologTestSupport
import Testing

/// Topics over HTTP: created with configs (checked by the writer, as CreateTopics is), listed with the
/// messages they hold and the bytes they take.
@Suite struct HTTPTopicAdminTests {
    @Test func topicsAreCreatedWithConfigsAndListedWithCountsAndSizes() async throws {
        let broker = try await Broker.start(configYAML: "kafka:\n  num.partitions: 3\n")
        let created = try await broker.post("/api/topics", #"{"name":"conf","configs":{"retention.ms":"60000","cleanup.policy":"compact"}}"#)
        #expect(created.status == 201, "\(created.body)")
        #expect(created.json["partitions"] as? Int == 3, "num.partitions is the default")
        let described = try await broker.get("/api/topics/conf")
        #expect(described.json["configs"] as? [String: String] == ["retention.ms": "60000", "cleanup.policy": "compact"])

        for (body, code) in [
            (#"{"name":"bad","configs":{"retention.ms":"soon"}}"#, "invalid_config"),
            (#"{"name":"bad","configs":{"segment.bytes":"1"}}"#, "invalid_config"),
            (#"{"name":"bad","configs":{"retention.ms":5}}"#, "invalid_request"),
        ] {
            let answer = try await broker.post("/api/topics", body)
            #expect(answer.status == 400, "\(body): \(answer.body)")
            let error = (answer.json["error"] as? [String: Any])?["code"] as? String
            if code == "invalid_config" { #expect(error == code, "\(answer.body)") } else { #expect(error != nil) }
        }
        #expect(try await broker.get("/api/topics/bad").status == 404, "a refused create leaves nothing behind")

        for i in 0..<4 { #expect(try await broker.post("/api/topics/conf/messages", #"{"key":"k\#(i)","value":"v\#(i)"}"#).status == 200) }
        let listed = try await broker.get("/api/topics")
        let topic = (listed.json["topics"] as? [[String: Any]])?.first { $0["name"] as? String == "conf" }
        #expect(topic?["partitions"] as? Int == 3)
        #expect(topic?["messages"] as? Int == 4, "\(listed.body)")
        #expect((topic?["bytes"] as? Int ?? 0) > 4 * 61, "four stored batches at least: \(listed.body)")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
