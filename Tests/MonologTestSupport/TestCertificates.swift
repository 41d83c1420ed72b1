import Foundation

/// A throwaway certificate authority and certificates signed by it, made with the `openssl` command
/// for one test: a server certificate for 127.0.0.1 and localhost, and a client certificate.
public struct TestCertificates: Sendable {
    public let caCertificate: String
    public let serverCertificate: String
    public let serverKey: String
    public let clientCertificate: String
    public let clientKey: String

    public static func make(in directory: String) async throws -> TestCertificates {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = { (name: String) in directory + "/" + name }
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try await openssl(["req", "-x509"] + key + ["-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "2", "-subj", "/CN=monolog-test-ca"])
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: path("server.ext"), atomically: true, encoding: .utf8)
        for (name, extensions) in [("server", path("server.ext")), ("client", nil)] {
            try await openssl(["req"] + key + ["-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", "/CN=\(name)"])
            try await openssl(
                [
                    "x509", "-req", "-in", path("\(name).csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial",
                    "-out", path("\(name).pem"), "-days", "2",
                ] + (extensions.map { ["-extfile", $0] } ?? [])
            )
        }
        return TestCertificates(
            caCertificate: path("ca.pem"),
            serverCertificate: path("server.pem"),
            serverKey: path("server.key"),
            clientCertificate: path("client.pem"),
            clientKey: path("client.key")
        )
    }

    private static func openssl(_ arguments: [String]) async throws {
        let result = try await runProcess("/usr/bin/openssl", arguments, timeout: 30)
        guard result.status == 0 else { throw BrokerError(message: "openssl \(arguments.joined(separator: " ")) failed with \(result.status)") }
    }
}
