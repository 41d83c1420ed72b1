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
        try await blocking {
            // Two connections that send nothing hold both places.
            var first: RawKafkaConnection? = try RawKafkaConnection(port: port)
            let second = try RawKafkaConnection(port: port)
            #expect(first != nil)
            _ = second
            #expect(throws: (any Error).self, "a request was served over --http-max-connections=2") {
                try Curl.request("GET", url, timeoutSeconds: 1)
            }
            first = nil
            #expect(try Curl.request("GET", url, timeoutSeconds: 10).status == 200)
        }
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
        try await blocking {
            let idle = try RawKafkaConnection(port: port)
            #expect(idle.isClosedByPeer(within: .seconds(3)), "an idle HTTP connection outlived --http-idle-timeout-ms=1000")
        }
        let (answer, answered) = try await longPoll
        #expect(answer.status == 200, "the long poll's connection was closed while it waited: \(answer.body)")
        #expect(answered - started >= .milliseconds(2500))
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
