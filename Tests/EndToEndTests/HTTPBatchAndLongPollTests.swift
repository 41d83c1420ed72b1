import Foundation
import MonologTestSupport
import Testing

/// The HTTP API for scripts, through libcurl against the real tree: health and readiness, batch
/// produce with binary values, long-polling reads, and the bad inputs each of them refuses.
@Suite struct HTTPBatchAndLongPollTests {
    func post(_ broker: Broker, _ path: String, _ body: String) async throws -> HTTPResult {
        try await broker.post(path, body)
    }

    static func errorCode(_ result: HTTPResult) -> String? {
        (result.json["error"] as? [String: Any])?["code"] as? String
    }

    @Test func healthAndReadinessTellWhetherTheWriterAndDatabaseAnswer() async throws {
        let broker = try await Broker.start()
        #expect(try await broker.get("/healthz").json["status"] as? String == "ok")
        let ready = try await broker.get("/readyz")
        #expect(ready.status == 200)
        #expect(ready.json["writer"] as? String == "ok" && ready.json["database"] as? String == "ok")
        // A writer that does not answer (stopped, so the supervisor sees nothing wrong) is not ready.
        let writer = try #require(broker.pids(of: "monolog-storage-writer").first)
        #expect(try await stopProcess(writer), "the writer did not stop")
        let notReady = try await broker.get("/readyz")
        kill(writer, SIGCONT)
        #expect(notReady.status == 503, "\(notReady.body)")
        #expect((notReady.json["writer"] as? String)?.hasPrefix("not answering") == true, "\(notReady.body)")
        #expect(try await broker.get("/healthz").status == 200, "the process itself is still alive")
        #expect(try await broker.get("/readyz").status == 200)
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    @Test func aBatchIsProducedInOrderWithBinaryValuesAndReadBack() async throws {
        let broker = try await Broker.start()
        #expect(try await broker.post("/api/topics", #"{"name":"batch","partitions":2}"#).status == 201)
        let body = #"[{"value":"first","partition":0},{"value_base64":"AAEC/w==","partition":1},{"value":"third","partition":0,"headers":{"h":"v"}}]"#
        let produced = try await self.post(broker, "/api/topics/batch/messages", body)
        #expect(produced.status == 200, "\(produced.body)")
        let results = produced.json["results"] as? [[String: Any]] ?? []
        #expect(results.map { $0["partition"] as? Int } == [0, 1, 0])
        #expect(results.map { $0["offset"] as? Int } == [0, 0, 1])
        let zero = try await broker.get("/api/topics/batch/messages?partition=0").json["messages"] as? [[String: Any]] ?? []
        #expect(zero.map { $0["value"] as? String } == ["first", "third"])
        #expect((zero.last?["headers"] as? [String: String]) == ["h": "v"])
        let one = try await broker.get("/api/topics/batch/messages?partition=1").json["messages"] as? [[String: Any]] ?? []
        #expect(one.first?["value_base64"] as? String == "AAEC/w==", "bytes that are not UTF-8 come back as base64")

        let tooMany = "[" + Array(repeating: #"{"value":"x"}"#, count: 1001).joined(separator: ",") + "]"
        let refusals: [(String, String)] = [
            (#"[{"value_base64":"@@@"}]"#, "invalid_base64"),
            (#"[]"#, "invalid_request"),
            (#"{"value":"x","value_base64":"eA=="}"#, "invalid_request"),
            (#"{"key":"only"}"#, "invalid_request"),
            (#"[{"value":5}]"#, "invalid_request"),
            (tooMany, "invalid_request"),
        ]
        for (bad, code) in refusals {
            let answer = try await self.post(broker, "/api/topics/batch/messages", bad)
            #expect(answer.status == 400, "\(bad.prefix(60)): \(answer.body)")
            #expect(Self.errorCode(answer) != nil, "\(answer.body)")
            if code != "invalid_request" { #expect(Self.errorCode(answer) == code, "\(answer.body)") }
        }
        // Nothing of a refused batch was stored.
        #expect(try await broker.get("/api/topics/batch").status == 200)
        let stored = try await broker.get("/api/topics/batch/messages?partition=0&offset=0&limit=100").json["messages"] as? [Any]
        #expect(stored?.count == 2)
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    @Test func aLongPollReturnsAsSoonAsAMessageArrivesOrWhenItsWaitEnds() async throws {
        let broker = try await Broker.start()
        #expect(try await broker.post("/api/topics", #"{"name":"poll","partitions":1}"#).status == 201)
        let url = broker.baseURL
        let started = ContinuousClock.now
        async let polled = blocking { () -> (HTTPResult, ContinuousClock.Instant) in
            (try Curl.request("GET", url + "/api/topics/poll/messages?offset=0&wait_ms=10000"), ContinuousClock.now)
        }
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await blocking { try broker.produce(topic: "poll", value: "arrived") } == 0)
        let acknowledged = ContinuousClock.now
        let (answer, arrived) = try await polled
        #expect((answer.json["messages"] as? [[String: Any]])?.first?["value"] as? String == "arrived", "\(answer.body)")
        // Woken by the commit, not by the 10 s wait: the answer comes well within it after the produce's
        // acknowledgement (the suite runs many brokers at once; the Kafka test holds the 50 ms figure).
        #expect(arrived - acknowledged < .seconds(4), "the poll was not woken by the commit")
        #expect(arrived - started < .seconds(9))

        let quiet = ContinuousClock.now
        let empty = try await broker.get("/api/topics/poll/messages?offset=1&wait_ms=600")
        let quietWait = ContinuousClock.now - quiet
        #expect((empty.json["messages"] as? [Any])?.isEmpty == true)
        #expect(quietWait >= .milliseconds(550) && quietWait < .seconds(10), "\(quietWait)")

        for bad in ["wait_ms=30001", "wait_ms=-1", "wait_ms=soon", "max_bytes=0", "max_bytes=99999999"] {
            let answer = try await broker.get("/api/topics/poll/messages?\(bad)")
            #expect(answer.status == 400 && Self.errorCode(answer) == "invalid_parameter", "\(bad): \(answer.body)")
        }
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
