import Foundation
import MonologTestSupport
import Testing

/// The HTTP gateway stops accepting at `--http-max-connections` and closes a connection idle for
/// `--http-idle-timeout-ms`, but not one whose long-poll consume is waiting.
@Suite struct HTTPLimitsTests {
    @Test func atTheConnectionLimitNewConnectionsWaitUntilOneCloses() async throws {
        let broker = try await Broker.start(extraArguments: ["--http-max-connections", "2"])
        let port = broker.httpPort
        let url = broker.baseURL + "/api/topics"
        try await Task.sleep(for: .milliseconds(500))  // the start-up probes' connections are gone
        let seen = try await blocking {
            var seen = Observations()
            // Two keep-alive connections, each answered once (so both are accepted), hold both places.
            var first: RawKafkaConnection? = try RawKafkaConnection(port: port)
            let second = try RawKafkaConnection(port: port)
            for connection in [first!, second] {
                try connection.send(Array("GET /healthz HTTP/1.1\r\nHost: monolog\r\n\r\n".utf8))
                seen.check(connection.waitUntilReadable(within: .seconds(10)), "a keep-alive connection was not answered")
            }
            // Nothing answers within a second: the gateway does not accept a third connection.
            seen.check((try? Curl.request("GET", url, timeoutSeconds: 1)) == nil, "a request was served over --http-max-connections=2")
            first = nil
            // Generous: at the start of the suite dozens of brokers share the two cores (10 s was too
            // short once in CI).
            seen.check((try? Curl.request("GET", url, timeoutSeconds: 30))?.status == 200, "no place freed when a connection closed")
            return seen
        }
        seen.expectAll()
        #expect(PrometheusExposition(try await broker.get("/metrics").body)["monolog_http_connection_limit_hits_total"] ?? 0 >= 1)
        #expect(broker.log.contains("HTTP connection limit reached"))
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    @Test func idleConnectionsCloseButALongPollIsNotIdle() async throws {
        let broker = try await Broker.start(extraArguments: ["--http-idle-timeout-ms", "1000"])
        #expect(try await broker.post("/api/topics", #"{"name":"poll","partitions":1}"#).status == 201)
        let port = broker.httpPort
        let url = broker.baseURL + "/api/topics/poll/messages?partition=0&offset=0&wait_ms=3000"
        async let longPoll = blocking { (try Curl.request("GET", url, timeoutSeconds: 10), ContinuousClock.now) }
        let started = ContinuousClock.now
        let seen = try await blocking {
            var seen = Observations()
            let idle = try RawKafkaConnection(port: port)
            seen.check(idle.isClosedByPeer(within: .seconds(3)), "an idle HTTP connection outlived --http-idle-timeout-ms=1000")
            return seen
        }
        seen.expectAll()
        let (answer, answered) = try await longPoll
        #expect(answer.status == 200, "the long poll's connection was closed while it waited: \(answer.body)")
        #expect(answered - started >= .milliseconds(2500))
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
