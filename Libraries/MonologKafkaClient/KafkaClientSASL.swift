/// The SASL mechanisms the client speaks, named as Kafka's `sasl.mechanism` names them.
public enum KafkaSASLMechanism: String, Sendable, CaseIterable {
    /// RFC 4616: the password travels as is, so use it over TLS only.
    case plain = "PLAIN"
    /// RFC 5802/7677: the password never leaves the client, and the broker proves it knows the credential.
    case scramSHA256 = "SCRAM-SHA-256"
    case scramSHA512 = "SCRAM-SHA-512"
}

/// Credentials for SASL authentication (SaslHandshake v1, then SaslAuthenticate).
public struct KafkaClientSASL: Sendable {
    public var mechanism: KafkaSASLMechanism
    public var username: String
    public var password: String

    public init(mechanism: KafkaSASLMechanism, username: String, password: String) {
        self.mechanism = mechanism
        self.username = username
        self.password = password
    }
}
