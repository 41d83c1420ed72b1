import MonologConfig
import NIOSSL

/// Server TLS contexts from the configured PEM files (swift-nio-ssl). With a client CA, clients must
/// present a certificate it signed.
public enum TLSContexts {
    public static func server(_ settings: SecuritySettings, applicationProtocols: [String] = []) throws -> NIOSSLContext {
        try NIOSSLContext(configuration: self.serverConfiguration(settings, applicationProtocols: applicationProtocols))
    }

    public static func serverConfiguration(_ settings: SecuritySettings, applicationProtocols: [String] = []) throws -> TLSConfiguration {
        guard let certificateFile = settings.tlsCertificateFile, let keyFile = settings.tlsKeyFile else {
            throw NIOSSLError.failedToLoadCertificate
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
        )
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = applicationProtocols
        if let ca = settings.tlsClientCAFile {
            configuration.trustRoots = .file(ca)
            configuration.certificateVerification = .noHostnameVerification
        }
        return configuration
    }
}
