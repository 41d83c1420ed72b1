import Foundation
import MonologConfig

/// Checks that a service answers: the Kafka gateway with a request its listener allows, the HTTP gateway on TCP.
enum Readiness {
    static func tcpAccepts(host: String, port: Int) -> Bool {
        guard let fd = tcpConnect(host: host, port: port) else { return false }
        close(fd)
        return true
    }

    /// A descriptor connected to an IPv4 `host:port`, or nil. The caller closes it.
    private static func tcpConnect(host: String, port: Int) -> Int32? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return nil }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Polls `check` every 20 ms until it passes, `abandon` returns true, or `timeout` passes.
    static func wait(
        timeout: Duration,
        abandon: @Sendable () async -> Bool = { false },
        _ check: @Sendable () -> Bool
    ) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if check() { return true }
            if await abandon() { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return check()
    }

    /// Polls an async `check` every 20 ms until it passes, `abandon` returns true, or `timeout` passes.
    static func waitAsync(
        timeout: Duration,
        abandon: @Sendable () async -> Bool = { false },
        _ check: @Sendable () async -> Bool
    ) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await check() { return true }
            if await abandon() { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await check()
    }

    /// Whether the Kafka gateway answers, in a way its listener allows before any authentication: a
    /// Metadata request on PLAINTEXT, ApiVersions on SASL_PLAINTEXT (nothing else is answered before
    /// SASL), and a TCP accept on TLS listeners (the supervisor does not speak TLS).
    static func kafkaAnswers(host: String, port: Int, securityProtocol: SecuritySettings.KafkaSecurityProtocol) -> Bool {
        switch securityProtocol {
        case .plaintext: self.kafkaRequestAnswered(host: host, port: port, apiKey: 3, body: [0, 0, 0, 0])  // Metadata v0, all topics
        case .saslPlaintext: self.kafkaRequestAnswered(host: host, port: port, apiKey: 18, body: [])  // ApiVersions v0
        case .ssl, .saslSSL: self.tcpAccepts(host: host, port: port)
        }
    }

    /// Sends a version-0 request of `apiKey` with `body` and waits up to a second for any answer frame.
    private static func kafkaRequestAnswered(host: String, port: Int, apiKey: UInt8, body requestBody: [UInt8]) -> Bool {
        guard let fd = tcpConnect(host: host, port: port) else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let clientID = Array("monolog-supervisor".utf8)
        // api_key, api_version 0, correlation_id 1, client_id, then the body.
        var body: [UInt8] = [0, apiKey, 0, 0, 0, 0, 0, 1, 0, UInt8(clientID.count)] + clientID + requestBody
        body = withUnsafeBytes(of: UInt32(body.count).bigEndian, Array.init) + body
        guard body.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == body.count else { return false }
        var header = [UInt8](repeating: 0, count: 8)
        return header.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_WAITALL)) } == 8
    }
}
