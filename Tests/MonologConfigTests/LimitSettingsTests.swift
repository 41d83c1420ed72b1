import ArgumentParser
import Foundation
import MonologConfig
import Testing

/// The limits that bound the gateways' memory have Kafka's names in the YAML file's `kafka` section
/// (the HTTP ones Monolog's, at the top level), flags and environment variables, and reach the
/// services the supervisor starts.
@Suite struct LimitSettingsTests {
    @Test func defaultsAreKafkasOrDocumentedOnes() throws {
        let kafka = try CommonOptions.parse([]).resolve(environment: [:]).kafka
        #expect(kafka.saslServerMaxReceiveSize == 524_288)
        #expect(kafka.queuedMaxRequests == 500)
        #expect(kafka.queuedMaxRequestBytes == 100 << 20)  // Kafka: -1 (no limit)
        #expect(kafka.maxConnections == 10_000)  // Kafka: Int.max
        #expect(kafka.maxConnectionsPerIP == Int(Int32.max))
        #expect(kafka.connectionsMaxIdleMs == 600_000)
        #expect(kafka.fetchMaxBytes == 57_671_680)
        let http = try CommonOptions.parse([]).resolve(environment: [:]).http
        #expect(http == HTTPSettings())
        #expect(http.maxConnections == 10_000 && http.idleTimeoutMs == 60_000)
    }

    @Test func fileEnvironmentAndFlagsSetThem() throws {
        let path = NSTemporaryDirectory() + "monolog-limits-\(UUID().uuidString).yaml"
        try """
        http_max_connections: 7
        http_idle_timeout_ms: 1500
        kafka:
          sasl.server.max.receive.size: 1000
          queued.max.requests: 9
          queued.max.request.bytes: -1
          max.connections: 11
          max.connections.per.ip: 3
          connections.max.idle.ms: 2000
          fetch.max.bytes: 4096
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try CommonOptions.parse(["--config", path, "--max-connections-per-ip", "2", "--http-max-connections", "5"])
            .resolve(environment: ["MONOLOG_FETCH_MAX_BYTES": "2048", "MONOLOG_QUEUED_MAX_REQUESTS": "4"])
        #expect(config.kafka.saslServerMaxReceiveSize == 1000)
        #expect(config.kafka.queuedMaxRequests == 4)  // environment over file
        #expect(config.kafka.queuedMaxRequestBytes == -1)
        #expect(config.kafka.maxConnections == 11)
        #expect(config.kafka.maxConnectionsPerIP == 2)  // flag over file
        #expect(config.kafka.connectionsMaxIdleMs == 2000)
        #expect(config.kafka.fetchMaxBytes == 2048)
        #expect(config.http.maxConnections == 5)
        #expect(config.http.idleTimeoutMs == 1500)
        // What the supervisor passes to its services.
        let child = try CommonOptions.parse(config.commandLineArguments).resolve(environment: [:])
        #expect(child.kafka == config.kafka)
        #expect(child.http == config.http)
    }

    @Test(arguments: [
        ["--fetch-max-bytes", "1000"], ["--max-connections", "0"], ["--queued-max-request-bytes", "0"],
        ["--connections-max-idle-ms", "0"], ["--http-idle-timeout-ms", "soon"], ["--sasl-server-max-receive-size", "3000000000"],
    ])
    func outOfRangeValuesAreRefused(_ arguments: [String]) throws {
        #expect(throws: ConfigurationError.self, "\(arguments)") { try CommonOptions.parse(arguments).resolve(environment: [:]) }
    }
}
