import NIOSSL

/// TLS for the connections to the brokers. The certificate is checked against the host name the
/// address names, or against its IP address when the address is one (NIOSSL matches IP subject
/// alternative names then; SNI is not sent, since it cannot carry an IP address).
public struct KafkaClientTLS: Sendable {
    /// PEM file of the certificate authorities to trust; nil trusts the system's roots.
    public var caFile: String?
    /// False skips checking the broker's certificate altogether: for tests and throwaway clusters only,
    /// since anyone on the path can then read and change the traffic.
    public var verifyCertificates: Bool

    public init(caFile: String? = nil, verifyCertificates: Bool = true) {
        self.caFile = caFile
        self.verifyCertificates = verifyCertificates
    }

    /// A context for one connection. Built per connection: loading a CA file costs little next to a
    /// TLS handshake, and it keeps a changed file from needing a restart.
    func makeContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile = self.caFile {
            configuration.trustRoots = .file(caFile)
        }
        if !self.verifyCertificates {
            configuration.certificateVerification = .none
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// The name to send in SNI and to check the certificate against; nil for an IP address.
    static func serverHostname(for host: String) -> String? {
        let isIPv4 = host.split(separator: ".", omittingEmptySubsequences: false).count == 4 && host.allSatisfy { $0.isNumber || $0 == "." }
        return isIPv4 || host.contains(":") ? nil : host
    }
}
