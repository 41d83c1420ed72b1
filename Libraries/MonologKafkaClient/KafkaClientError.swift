/// Why a request to the cluster did not get an answer, or got one that could not be used. Errors the
/// broker reports per topic or partition are not thrown: they are data in the responses; `.broker` is
/// for the client's own routing steps (leader lookup, FindCoordinator), where one code decides.
public struct KafkaClientError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Hashable, Sendable {
        /// No TCP (or TLS) connection could be opened.
        case connect
        /// A request was not answered within the request timeout; its connection was closed.
        case timeout
        /// The connection closed (by the broker, by a network error, or by `close()`).
        case closed
        /// The broker and this client share no version of an API.
        case unsupportedVersion
        /// SASL was refused, or the broker could not prove it knows the credential.
        case authentication
        /// The TLS handshake or a TLS record failed (a certificate not trusted, say).
        case tls
        /// Bytes that do not follow the protocol: an undecodable response, an unknown correlation id.
        case protocolError
        /// The broker answered a routing request with a Kafka error code (see `errorCode`).
        case broker
    }

    public var kind: Kind
    /// For logs: what happened, with the broker and API when known.
    public var detail: String
    /// The Kafka error code, for `.broker` (and a refused SASL exchange).
    public var errorCode: Int16?

    public init(_ kind: Kind, _ detail: String, errorCode: Int16? = nil) {
        self.kind = kind
        self.detail = detail
        self.errorCode = errorCode
    }

    public var description: String {
        let code = self.errorCode.map { " (Kafka error code \($0))" } ?? ""
        return "\(self.kind): \(self.detail)\(code)"
    }

    static func closed(_ address: KafkaBrokerAddress) -> KafkaClientError {
        KafkaClientError(.closed, "connection to \(address) is closed")
    }

    static func broker(_ code: Int16, _ detail: String) -> KafkaClientError {
        KafkaClientError(.broker, detail, errorCode: code)
    }
}
