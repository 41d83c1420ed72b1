import MonologKafkaProtocol
import MonologSecurity
import NIOCore

/// Authenticates a fresh connection: SaslHandshake v1 names the mechanism, then SaslAuthenticate
/// carries the mechanism's tokens (KIP-152). Handshake v0, where tokens follow as raw frames, is not
/// spoken: every broker since Kafka 1.0 has v1, and Kafka 4 still does.
enum SASLAuthentication {
    static func authenticate(_ connection: KafkaBrokerConnection, _ sasl: KafkaClientSASL) async throws {
        try await self.handshake(connection, mechanism: sasl.mechanism)
        switch sasl.mechanism {
        case .plain:
            // RFC 4616: authzid (empty: act as oneself), authcid, password, NUL-separated.
            _ = try await self.step(connection, Array("\u{0}\(sasl.username)\u{0}\(sasl.password)".utf8))
        case .scramSHA256:
            try await self.scram(connection, ScramClientExchange(mechanism: .sha256, username: sasl.username, password: sasl.password))
        case .scramSHA512:
            try await self.scram(connection, ScramClientExchange(mechanism: .sha512, username: sasl.username, password: sasl.password))
        }
    }

    private static func handshake(_ connection: KafkaBrokerConnection, mechanism: KafkaSASLMechanism) async throws {
        let version = try connection.version(for: SaslHandshakeRequest.self)
        guard version >= 1 else {
            throw KafkaClientError(.unsupportedVersion, "\(connection.address) offers only SaslHandshake v0 (SASL without SaslAuthenticate)")
        }
        var request = SaslHandshakeRequest()
        request.mechanism = mechanism.rawValue
        let (response, _) = try await connection.send(request, maxVersion: 1)
        guard response.errorCode == KafkaErrorCode.none else {
            throw KafkaClientError(
                .authentication,
                "\(connection.address) does not enable SASL mechanism \(mechanism.rawValue); it offers \(response.mechanisms.joined(separator: ", "))",
                errorCode: response.errorCode)
        }
    }

    private static func scram(_ connection: KafkaBrokerConnection, _ exchange: ScramClientExchange) async throws {
        var exchange = exchange
        let serverFirst = try await self.step(connection, exchange.clientFirstMessage())
        let serverFinal = try await self.step(connection, try exchange.clientFinalMessage(serverFirst: serverFirst))
        try exchange.verifyServerFinal(serverFinal)
    }

    /// One SaslAuthenticate round: sends a token, returns the broker's. A refusal closes the
    /// connection on the broker's side, so it is an error here.
    private static func step(_ connection: KafkaBrokerConnection, _ token: [UInt8]) async throws -> [UInt8] {
        var request = SaslAuthenticateRequest()
        request.authBytes = ByteBuffer(bytes: token)
        let (response, _) = try await connection.send(request)
        guard response.errorCode == KafkaErrorCode.none else {
            let message = response.errorMessage ?? "no message"
            throw KafkaClientError(.authentication, "\(connection.address) refused SASL authentication: \(message)", errorCode: response.errorCode)
        }
        return Array(response.authBytes.readableBytesView)
    }
}
