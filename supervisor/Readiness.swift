import Foundation
import MonologConfig
import MonologKafkaProtocol
import MonologProcess
import NIOCore

/// Checks that a service answers: the Kafka gateway with a request its listener allows, the HTTP gateway on TCP.
enum Readiness {
    /// Whether something accepts TCP connections at `host:port` within a second.
    static func tcpAccepts(host: String, port: Int) async -> Bool {
        guard let address = try? SocketAddress(ipAddress: host, port: port) else { return false }
        return await SocketExchange.accepts(address, timeout: .seconds(1))
    }

    /// Polls an async `check` every 20 ms until it passes, `abandon` returns true, or `timeout` passes.
    static func wait(
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
    static func kafkaAnswers(host: String, port: Int, securityProtocol: SecuritySettings.KafkaSecurityProtocol) async -> Bool {
        switch securityProtocol {
        case .plaintext:
            var metadata = MetadataRequest()
            metadata.topics = []  // the brokers only: the answer needs the storage, not a list of every topic
            return await self.kafkaRequestAnswered(metadata, version: 1, host: host, port: port)
        case .saslPlaintext:
            return await self.kafkaRequestAnswered(ApiVersionsRequest(), version: 0, host: host, port: port)
        case .ssl, .saslSSL:
            return await self.tcpAccepts(host: host, port: port)
        }
    }

    /// Sends `request` and waits up to a second for its whole answer, with the request's correlation id.
    private static func kafkaRequestAnswered<Request: KafkaRequestMessage>(_ request: Request, version: Int16, host: String, port: Int) async -> Bool {
        let correlationID: Int32 = 1
        var frame = ByteBuffer()
        guard let address = try? SocketAddress(ipAddress: host, port: port),
            (try? KafkaRequestFrame.encode(request, version: version, correlationID: correlationID, clientID: "monolog-supervisor", into: &frame)) != nil,
            let answer = await SocketExchange.ask(address, request: frame, timeout: .seconds(1), isComplete: SocketExchange.holdsLengthPrefixedFrame),
            SocketExchange.holdsLengthPrefixedFrame(answer)
        else { return false }
        return answer.getInteger(at: answer.readerIndex + 4, as: Int32.self) == correlationID
    }
}
