import ArgumentParser
import Foundation
import MonologConfig
import Testing

/// Security settings: off by default, Kafka's listener syntax, Kafka's property names in the file,
/// TLS files checked at start-up, and passed on unchanged to child processes.
@Suite struct SecuritySettingsTests {
    func resolve(_ arguments: [String], environment: [String: String] = [:]) throws -> MonologConfiguration {
        try CommonOptions.parse(arguments).resolve(environment: environment)
    }

    @Test func everythingIsOffByDefault() throws {
        let security = try self.resolve([]).security
        #expect(security.kafkaProtocol == .plaintext)
        #expect(!security.httpTLS && !security.httpAuthentication)
        #expect(security.saslMechanisms == ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
    }

    @Test func theListenerMayNameItsProtocolAsKafkaDoes() throws {
        let config = try self.resolve(["--kafka-addr", "SASL_PLAINTEXT://127.0.0.1:9093"])
        #expect(config.kafkaAddress == ListenAddress(host: "127.0.0.1", port: 9093))
        #expect(config.security.kafkaProtocol == .saslPlaintext)
        // The separate setting wins over the prefix, from any layer.
        let overridden = try self.resolve(["--kafka-addr", "SASL_PLAINTEXT://:9093"], environment: ["MONOLOG_KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"])
        #expect(overridden.security.kafkaProtocol == .saslPlaintext, "the command line beats the environment")
        #expect(throws: ConfigurationError.self) { try self.resolve(["--kafka-addr", "KERBEROS://:9093"]) }
        #expect(throws: ConfigurationError.self) { try self.resolve(["--sasl-mechanisms", "PLAIN,GSSAPI"]) }
    }

    @Test func tlsNeedsReadableCertificateAndKeyFiles() throws {
        #expect(throws: ConfigurationError.self) { try self.resolve(["--kafka-security-protocol", "SSL"]) }
        #expect(throws: ConfigurationError.self) {
            try self.resolve(["--http-tls", "true", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key"])
        }
        let directory = NSTemporaryDirectory() + "monolog-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in ["cert.pem", "key.pem"] { try "x".write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        let yaml = directory + "/monolog.yaml"
        try """
        http_tls: true
        http_auth: true
        tls:
          cert_file: \(directory)/cert.pem
          key_file: \(directory)/key.pem
        kafka:
          listeners: SASL_SSL://:9093
          sasl.enabled.mechanisms: SCRAM-SHA-512
        """.write(toFile: yaml, atomically: true, encoding: .utf8)
        let config = try self.resolve(["--config", yaml])
        #expect(config.security.kafkaProtocol == .saslSSL)
        #expect(config.security.saslMechanisms == ["SCRAM-SHA-512"])
        #expect(config.security.httpTLS && config.security.httpAuthentication)
        #expect(config.security.tlsCertificateFile == directory + "/cert.pem")
        // A child process started with the derived flags sees the same settings.
        let child = try CommonOptions.parse(config.commandLineArguments).resolve(environment: [:])
        #expect(child.security == config.security)
        #expect(child.kafkaAddress == config.kafkaAddress)
    }
}
