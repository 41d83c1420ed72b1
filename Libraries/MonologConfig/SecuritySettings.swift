import Foundation

/// How clients are let in: the Kafka listener's security protocol (Kafka's PLAINTEXT, SSL,
/// SASL_PLAINTEXT, SASL_SSL), the SASL mechanisms offered, the TLS certificate and key (PEM files), an
/// optional CA whose client certificates are required, and TLS and authentication on HTTP. The
/// defaults are zero-config: plaintext and no authentication, for local development.
public struct SecuritySettings: Hashable, Sendable {
    public enum KafkaSecurityProtocol: String, Hashable, Sendable, CaseIterable {
        case plaintext = "PLAINTEXT"
        case ssl = "SSL"
        case saslPlaintext = "SASL_PLAINTEXT"
        case saslSSL = "SASL_SSL"

        public var usesTLS: Bool { self == .ssl || self == .saslSSL }
        public var usesSASL: Bool { self == .saslPlaintext || self == .saslSSL }
    }

    public static let supportedMechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

    public var kafkaProtocol: KafkaSecurityProtocol = .plaintext
    /// Kafka's `sasl.enabled.mechanisms`.
    public var saslMechanisms: [String] = SecuritySettings.supportedMechanisms
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    /// When set, TLS clients must present a certificate signed by this CA (Kafka's ssl.client.auth=required).
    public var tlsClientCAFile: String?
    /// HTTPS on the HTTP port, with the same certificate and key.
    public var httpTLS = false
    /// HTTP requests must carry a user's bearer token or basic credentials (401 otherwise).
    public var httpAuthentication = false

    public init() {}

    /// What a TLS listener needs: both files given and readable.
    func validate() throws(ConfigurationError) {
        guard self.kafkaProtocol.usesTLS || self.httpTLS else { return }
        let user = self.kafkaProtocol.usesTLS ? "kafka security protocol \(self.kafkaProtocol.rawValue)" : "--http-tls"
        for (setting, path) in [("tls-cert", self.tlsCertificateFile), ("tls-key", self.tlsKeyFile)] {
            guard let path else {
                throw ConfigurationError(setting: setting, source: user, problem: "TLS needs --tls-cert and --tls-key (PEM files)")
            }
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ConfigurationError(setting: setting, source: user, problem: "cannot read \(path)")
            }
        }
        if let ca = self.tlsClientCAFile, !FileManager.default.isReadableFile(atPath: ca) {
            throw ConfigurationError(setting: "tls-client-ca", source: user, problem: "cannot read \(ca)")
        }
    }
}
