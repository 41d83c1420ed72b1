import Foundation
import MonologTestSupport
import Testing

/// Consumer groups over HTTP: a group that committed with a real Kafka client (kcat) appears in the
/// list, and its lag per partition is the high watermark less the committed offset.
@Suite struct HTTPGroupTests {
    @Test func groupsCommittedOverKafkaShowTheirLagOverHTTP() async throws {
        let broker = try await Broker.start()
        #expect(try await broker.post("/api/topics", #"{"name":"lagging","partitions":1}"#).status == 201)
        for i in 0..<5 { #expect(try await blocking { try broker.produce(topic: "lagging", value: "m\(i)") } == i) }
        // A kcat group consumer reads everything (and commits on close), then five more arrive.
        _ = try await runProcess(
            "/usr/bin/kcat",
            ["-b", "127.0.0.1:\(broker.kafkaPort)", "-G", "http-view", "-o", "beginning", "-e", "-X", "auto.commit.interval.ms=100", "lagging"],
            timeout: 60
        )
        for i in 5..<8 { #expect(try await blocking { try broker.produce(topic: "lagging", value: "m\(i)") } == i) }

        let listed = try await broker.get("/api/groups")
        let group = (listed.json["groups"] as? [[String: Any]])?.first { $0["group"] as? String == "http-view" }
        #expect(group?["total_lag"] as? Int == 3, "\(listed.body)")
        let detail = try await broker.get("/api/groups/http-view")
        let offsets = detail.json["offsets"] as? [[String: Any]] ?? []
        #expect(offsets.count == 1, "\(detail.body)")
        #expect(offsets.first?["committed_offset"] as? Int == 5)
        #expect(offsets.first?["high_watermark"] as? Int == 8)
        #expect(offsets.first?["lag"] as? Int == 3)

        let unknown = try await broker.get("/api/groups/nobody")
        #expect(unknown.status == 404)
        #expect((unknown.json["error"] as? [String: Any])?["code"] as? String == "unknown_group")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
