import Foundation
import MonologTestSupport
import Testing

/// kcat (librdkafka 2.0.2, from Debian) produces and consumes through the real process tree with every
/// codec, keys and headers; and one log serves both doors: what HTTP produced, kcat reads, and the
/// other way round.
@Suite struct KafkaKcatCompatTests {
    static func kcat(_ arguments: [String], input: String? = nil) async throws -> (status: Int32, output: String) {
        let result = try await runProcess("/usr/bin/kcat", arguments, input: input, timeout: 30)
        return (result.status, result.standardOutput)
    }

    @Test(arguments: ["none", "gzip", "snappy", "lz4", "zstd"])
    func kcatProducesAndConsumesWithEachCodec(_ codec: String) async throws {
        let broker = try await Broker.start()
        let bootstrap = "127.0.0.1:\(broker.kafkaPort)"
        let lines = (0..<50).map { "key-\($0):value-\(codec)-\($0)" }.joined(separator: "\n") + "\n"
        let produced = try await Self.kcat(["-b", bootstrap, "-P", "-t", "codec", "-K:", "-z", codec, "-H", "origin=kcat"], input: lines)
        #expect(produced.status == 0)
        let consumed = try await Self.kcat(["-b", bootstrap, "-C", "-t", "codec", "-o", "beginning", "-e", "-f", "%o %k %s %h\n"])
        let expected = (0..<50).map { "\($0) key-\($0) value-\(codec)-\($0) origin=kcat" }
        #expect(consumed.output.split(separator: "\n").map(String.init) == expected)
        // The HTTP side reads the same records: same keys, values and headers.
        let page = try await broker.get("/api/topics/codec/messages?offset=0&limit=50")
        let messages = try #require(page.json["messages"] as? [[String: Any]], "HTTP read failed: \(page.status) \(page.body)")
        #expect(messages.count == 50)
        #expect(messages.first?["key"] as? String == "key-0")
        #expect(messages.first?["value"] as? String == "value-\(codec)-0")
        #expect((messages.first?["headers"] as? [String: String])?["origin"] == "kcat")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    @Test func messagesProducedOverHTTPAreConsumedByKcatFromAnOffset() async throws {
        let broker = try await Broker.start()
        for i in 0..<5 { _ = try await blocking { try broker.produce(topic: "both", key: "h\(i)", value: "from-http-\(i)") } }
        let consumed = try await Self.kcat(["-b", "127.0.0.1:\(broker.kafkaPort)", "-C", "-t", "both", "-o", "2", "-e", "-f", "%o %k %s\n"])
        #expect(consumed.output.split(separator: "\n").map(String.init) == ["2 h2 from-http-2", "3 h3 from-http-3", "4 h4 from-http-4"])
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    /// A consumer waiting on an empty topic is woken by the commit, not by its fetch timing out: kcat is
    /// told a fetch may wait 20 s, yet the message arrives well before that (a missed wake-up takes 20 s;
    /// the margin absorbs kcat's exit on a loaded CI machine, where 6 s has been seen).
    @Test func aWaitingConsumerIsWokenByTheCommit() async throws {
        let broker = try await Broker.start()
        _ = try await broker.post("/api/topics", #"{"name":"quiet","partitions":1}"#)
        let bootstrap = "127.0.0.1:\(broker.kafkaPort)"
        async let consumed = Self.kcat([
            "-b", bootstrap, "-C", "-t", "quiet", "-o", "beginning", "-c", "1", "-f", "%s\n",
            "-X", "fetch.wait.max.ms=20000", "-X", "fetch.error.backoff.ms=20000",
        ])
        // kcat looks up its start offset, then parks in a long-poll fetch. On a loaded machine it can take
        // seconds to get that far, so wait until the broker has answered the lookup.
        let lookedUp = #"monolog_kafka_request_duration_seconds_count{api="ListOffsets"}"#
        let deadline = ContinuousClock.now + .seconds(20)
        while (PrometheusExposition(try await broker.get("/metrics").body)[lookedUp] ?? 0) < 1 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect((PrometheusExposition(try await broker.get("/metrics").body)[lookedUp] ?? 0) >= 1, "kcat never looked up its start offset")
        try await Task.sleep(for: .milliseconds(500))
        let produced = ContinuousClock.now
        #expect(try await blocking { try broker.produce(topic: "quiet", value: "wake up") } == 0)
        let output = try await consumed
        let waited = ContinuousClock.now - produced
        #expect(output.output == "wake up\n")
        #expect(waited < .seconds(12), "the consumer was not woken by the commit (took \(waited))")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
