import Foundation
import MonologKafkaProtocol
import MonologSecurity
import MonologTestSupport
import NIOCore
import Testing

/// Secured brokers with real clients: SASL_SSL with SCRAM-SHA-512 and PLAIN for kcat and
/// confluent-kafka, wrong passwords refused, HTTPS with bearer and basic authentication, the users
/// command, owner-only local files; and on SASL_PLAINTEXT, the protocol itself: nothing before
/// authentication, SASL_AUTHENTICATION_FAILED then a closed connection, v0 bare tokens, and the
/// SCRAM credential APIs.
@Suite struct SecurityTests {
    static func addUser(_ broker: Broker, _ name: String, password: String) async throws -> String {
        let added = try await runProcess(
            Broker.binDirectory + "/monolog-supervisor",
            ["users", "add", name, "--password-stdin", "--data-dir", broker.dataDirectory],
            input: password + "\n"
        )
        #expect(added.status == 0, "users add: \(added.standardOutput)")
        let token = added.standardOutput.split(separator: "\n").first { $0.contains("token") }?.split(separator: " ").last
        return token.map(String.init) ?? ""
    }

    static func kcat(_ broker: Broker, _ certificates: TestCertificates, mechanism: String, password: String, _ arguments: [String], input: String? = nil)
        async throws -> ProcessOutput
    {
        try await runProcess(
            "/usr/bin/kcat",
            [
                "-b", "127.0.0.1:\(broker.kafkaPort)", "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=\(mechanism)",
                "-X", "sasl.username=alice", "-X", "sasl.password=\(password)", "-X", "ssl.ca.location=\(certificates.caCertificate)",
            ] + arguments,
            input: input,
            timeout: 60
        )
    }

    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int) ?? -1
    }

    @Test func saslSSLWithRealClientsAndHTTPSWithTokens() async throws {
        let work = NSTemporaryDirectory() + "monolog-certs-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let certificates = try await TestCertificates.make(in: work)
        let broker = try await Broker.start(
            extraArguments: [
                "--kafka-security-protocol", "SASL_SSL", "--tls-cert", certificates.serverCertificate, "--tls-key", certificates.serverKey,
                "--http-tls", "true", "--http-auth", "true",
            ],
            caFile: certificates.caCertificate
        )
        let token = try await Self.addUser(broker, "alice", password: "wonder land")
        #expect(token.hasPrefix("mlg_"))
        // The supervisor sees the secured gateways as serving, as it does a plaintext one.
        #expect(try await eventually(timeout: .seconds(10)) { broker.log.contains("monolog ready") })

        // kcat: produce with SCRAM-SHA-512, read back with PLAIN, both over TLS.
        let lines = (0..<20).map { "kcat-\($0)" }
        let produced = try await Self.kcat(
            broker, certificates, mechanism: "SCRAM-SHA-512", password: "wonder land", ["-P", "-t", "secured"], input: lines.joined(separator: "\n") + "\n")
        #expect(produced.status == 0)
        let consumed = try await Self.kcat(broker, certificates, mechanism: "PLAIN", password: "wonder land", ["-C", "-t", "secured", "-o", "beginning", "-e"])
        #expect(consumed.standardOutput.split(separator: "\n").map(String.init) == lines)
        // A wrong password: kcat fails and nothing is stored.
        let refused = try await Self.kcat(
            broker, certificates, mechanism: "SCRAM-SHA-512", password: "guess", ["-P", "-t", "secured", "-X", "message.timeout.ms=3000"], input: "intruder\n")
        #expect(refused.status != 0)

        // confluent-kafka: SCRAM-SHA-512 and PLAIN round trips, and a wrong password.
        let python = PythonClientCompatTests.python
        let script = PythonClientCompatTests.repositoryRoot + "/Tests/Compat/python/security.py"
        let output = try await runProcess(
            python,
            [
                script, "--bootstrap", "127.0.0.1:\(broker.kafkaPort)", "--protocol", "SASL_SSL", "--ca", certificates.caCertificate,
                "--user", "alice", "--password", "wonder land", "--topic", "secured",
            ],
            timeout: 120
        ).standardOutput
        let report = (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]
        for mechanism in ["SCRAM-SHA-512", "PLAIN"] {
            let result = report[mechanism] as? [String: Any]
            #expect(result?["delivered"] as? Int == 50, "\(mechanism): \(output)")
            #expect(result?["read_back"] as? Bool == true, "\(mechanism): \(output)")
        }
        let wrong = report["wrong_password"] as? [String: Any]
        #expect((wrong?["errors"] as? [String])?.contains("_AUTHENTICATION") == true, "\(output)")
        #expect(wrong?["delivered"] as? Bool == false)
        let stored = try await Self.kcat(broker, certificates, mechanism: "PLAIN", password: "wonder land", ["-C", "-t", "secured", "-o", "beginning", "-e"])
        #expect(!stored.standardOutput.contains("intruder") && !stored.standardOutput.contains("must-not-arrive"))
        #expect(stored.standardOutput.split(separator: "\n").count == 120)

        // HTTPS: nothing without credentials (401, JSON, a challenge), everything with the token or
        // alice's password; the probes stay open.
        let anonymous = try await broker.get("/api/topics")
        #expect(anonymous.status == 401)
        #expect(anonymous.errorCode == "unauthorized")
        #expect(try await broker.get("/metrics").status == 401)
        #expect(try await broker.get("/healthz").status == 200)
        let withToken = broker
        withToken.authorization = "Bearer \(token)"
        let topics = try await withToken.get("/api/topics")
        #expect(topics.status == 200)
        #expect((topics.json["topics"] as? [[String: Any]])?.first?["messages"] as? Int == 120)
        withToken.authorization = "Basic " + Data("alice:wonder land".utf8).base64EncodedString()
        #expect(try await withToken.post("/api/topics/secured/messages", #"{"value":"over https"}"#).status == 200)
        withToken.authorization = "Basic " + Data("alice:guess".utf8).base64EncodedString()
        #expect(try await withToken.get("/api/topics").status == 401)
        withToken.authorization = "Bearer mlg_not-a-token"
        #expect(try await withToken.get("/api/topics").status == 401)
        // Plain HTTP to the HTTPS port gets nowhere.
        #expect((try? Curl.request("GET", "http://127.0.0.1:\(broker.httpPort)/healthz", timeoutSeconds: 5))?.status != 200)

        // The users command lists alice; once removed, her password and token stop working at once,
        // though the gateway verified (and remembered) the password moments ago.
        let listed = try await runProcess(Broker.binDirectory + "/monolog-supervisor", ["users", "list", "--json", "--data-dir", broker.dataDirectory])
        let users = ((try? JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8))) as? [String: Any])?["users"] as? [[String: Any]]
        #expect(users?.first?["name"] as? String == "alice")
        #expect(users?.first?["mechanisms"] as? [String] == ["SCRAM-SHA-256", "SCRAM-SHA-512"])
        #expect(users?.first?["token"] as? Bool == true)
        let removed = try await runProcess(Broker.binDirectory + "/monolog-supervisor", ["users", "remove", "alice", "--data-dir", broker.dataDirectory])
        #expect(removed.status == 0)
        withToken.authorization = "Bearer \(token)"
        #expect(try await withToken.get("/api/topics").status == 401)
        withToken.authorization = "Basic " + Data("alice:wonder land".utf8).base64EncodedString()
        #expect(try await withToken.get("/api/topics").status == 401, "a removed user's password was still accepted over HTTP")
        let gone = try await Self.kcat(broker, certificates, mechanism: "SCRAM-SHA-512", password: "wonder land", ["-L"])
        #expect(gone.status != 0 || !gone.standardOutput.contains("secured"))

        // Local surfaces are the owner's alone.
        #expect(Self.mode(broker.dataDirectory) == 0o700)
        for file in ["writer.sock", "supervisor.sock", "writer.metrics.sock", "kafka-gateway.metrics.sock", "monolog.db", "monolog.db-wal"] {
            #expect(Self.mode(broker.dataDirectory + "/" + file) == 0o600, "\(file): \(String(Self.mode(broker.dataDirectory + "/" + file), radix: 8))")
        }
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    @Test func mutualTLSRequiresAClientCertificateSignedByTheCA() async throws {
        let work = NSTemporaryDirectory() + "monolog-certs-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let certificates = try await TestCertificates.make(in: work)
        let broker = try await Broker.start(extraArguments: [
            "--kafka-security-protocol", "SSL", "--tls-cert", certificates.serverCertificate, "--tls-key", certificates.serverKey,
            "--tls-client-ca", certificates.caCertificate,
        ])
        let tls = ["-b", "127.0.0.1:\(broker.kafkaPort)", "-X", "security.protocol=SSL", "-X", "ssl.ca.location=\(certificates.caCertificate)"]
        let withCertificate = try await runProcess(
            "/usr/bin/kcat",
            tls + ["-X", "ssl.certificate.location=\(certificates.clientCertificate)", "-X", "ssl.key.location=\(certificates.clientKey)", "-P", "-t", "mtls"],
            input: "with a certificate\n"
        )
        #expect(withCertificate.status == 0)
        let without = try await runProcess("/usr/bin/kcat", tls + ["-P", "-t", "mtls", "-X", "message.timeout.ms=3000"], input: "without\n")
        #expect(without.status != 0)
        let read = try await runProcess(
            "/usr/bin/kcat",
            tls + [
                "-X", "ssl.certificate.location=\(certificates.clientCertificate)", "-X", "ssl.key.location=\(certificates.clientKey)", "-C", "-t", "mtls",
                "-o", "beginning", "-e",
            ]
        )
        #expect(read.standardOutput == "with a certificate\n")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    static func plain(_ user: String, _ password: String) -> [UInt8] { Array("\u{0}\(user)\u{0}\(password)".utf8) }

    @Test func saslPlaintextEnforcesAuthenticationOnTheWire() async throws {
        let broker = try await Broker.start(extraArguments: ["--kafka-security-protocol", "SASL_PLAINTEXT"])
        _ = try await Self.addUser(broker, "bob", password: "builder")
        // Readiness on a SASL listener asks ApiVersions, the one request answered before authentication.
        #expect(try await eventually(timeout: .seconds(10)) { broker.log.contains("monolog ready") })
        let port = broker.kafkaPort
        try await blocking {
            // Before authenticating, anything but ApiVersions and SASL ends the connection.
            let early = try KafkaSession(port: port)
            #expect(try early.exchange(ApiVersionsRequest(), version: 3, as: ApiVersionsResponse.self)?.errorCode == 0)
            #expect(try early.metadata() == nil)

            // An unknown mechanism is refused with the enabled list.
            let gssapi = try KafkaSession(port: port)
            let refusedMechanism = try gssapi.handshake("GSSAPI")
            #expect(refusedMechanism?.errorCode == KafkaErrorCode.unsupportedSaslMechanism)
            #expect(refusedMechanism?.mechanisms == ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])

            // SaslAuthenticate before a handshake is an illegal state, and the connection closes.
            let early2 = try KafkaSession(port: port)
            #expect(try early2.authenticate(Self.plain("bob", "builder"))?.errorCode == KafkaErrorCode.illegalSaslState)
            #expect(try early2.connection.receiveFrame() == nil)

            // A wrong password: SASL_AUTHENTICATION_FAILED with a message, then the connection closes.
            let wrong = try KafkaSession(port: port)
            #expect(try wrong.handshake("PLAIN")?.errorCode == 0)
            let failed = try wrong.authenticate(Self.plain("bob", "wrong"))
            #expect(failed?.errorCode == KafkaErrorCode.saslAuthenticationFailed)
            #expect(failed?.errorMessage?.contains("Authentication failed") == true)
            #expect(try wrong.connection.receiveFrame() == nil)

            // The right password (SaslAuthenticate v0 and v2): requests are served.
            for version: Int16 in [0, 2] {
                let right = try KafkaSession(port: port)
                #expect(try right.handshake("PLAIN")?.errorCode == 0)
                #expect(try right.authenticate(Self.plain("bob", "builder"), version: version)?.errorCode == 0)
                #expect(try right.metadata()?.brokers.count == 1)
            }

            // After a v0 handshake the token goes bare (a length and the bytes), and so does the answer.
            let bare = try KafkaSession(port: port)
            #expect(try bare.handshake("PLAIN", version: 0)?.errorCode == 0)
            let token = Self.plain("bob", "builder")
            try bare.connection.send(bigEndian(Int32(token.count)) + token)
            #expect(try bare.connection.receiveFrame() == [])
            #expect(try bare.metadata()?.brokers.count == 1)

            // The SCRAM credential APIs, from an authenticated connection.
            let admin = try KafkaSession(port: port)
            _ = try admin.handshake("PLAIN")
            #expect(try admin.authenticate(Self.plain("bob", "builder"))?.errorCode == 0)
            var describe = DescribeUserScramCredentialsRequest()
            describe.users = nil
            let described = try admin.exchange(describe, version: 0, as: DescribeUserScramCredentialsResponse.self)
            #expect(described?.results.map(\.user) == ["bob"])
            #expect(described?.results.first?.credentialInfos.map(\.mechanism) == [1, 2])
            #expect(described?.results.first?.credentialInfos.map(\.iterations) == [8192, 8192])

            // Carol is added the way Kafka's admin clients do it: the client salts the password.
            let salt = Array("carols-salt-1234".utf8)
            var upsert = AlterUserScramCredentialsRequest.ScramCredentialUpsertion()
            upsert.name = "carol"
            upsert.mechanism = 2
            upsert.iterations = 4096
            upsert.salt = ByteBuffer(bytes: salt)
            upsert.saltedPassword = ByteBuffer(bytes: ScramMechanism.sha512.saltedPassword("c4rol", salt: salt, iterations: 4096))
            var weak = upsert
            weak.name = "dave"
            weak.iterations = 100
            var missing = AlterUserScramCredentialsRequest.ScramCredentialDeletion()
            missing.name = "erin"
            missing.mechanism = 1
            var alter = AlterUserScramCredentialsRequest()
            alter.upsertions = [upsert, weak]
            alter.deletions = [missing]
            let altered = try admin.exchange(alter, version: 0, as: AlterUserScramCredentialsResponse.self)
            let codes = Dictionary(uniqueKeysWithValues: (altered?.results ?? []).map { ($0.user, $0.errorCode) })
            #expect(codes == ["carol": 0, "dave": KafkaErrorCode.unacceptableCredential, "erin": KafkaErrorCode.resourceNotFound])
            // Carol can now sign in with PLAIN, checked against her SCRAM-SHA-512 credential.
            let carol = try KafkaSession(port: port)
            _ = try carol.handshake("PLAIN")
            #expect(try carol.authenticate(Self.plain("carol", "c4rol"))?.errorCode == 0)
        }
        // kcat with SCRAM-SHA-256 over SASL_PLAINTEXT.
        let produced = try await runProcess(
            "/usr/bin/kcat",
            [
                "-b", "127.0.0.1:\(port)", "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=SCRAM-SHA-256",
                "-X", "sasl.username=bob", "-X", "sasl.password=builder", "-P", "-t", "plaintext-sasl",
            ],
            input: "scram over plaintext\n"
        )
        #expect(produced.status == 0)
        #expect(try await broker.readAll(topic: "plaintext-sasl").map(\.value) == ["scram over plaintext"])

        // Removing bob takes effect at the next handshake, though his PLAIN password was verified (and
        // remembered) moments ago.
        let removed = try await runProcess(Broker.binDirectory + "/monolog-supervisor", ["users", "remove", "bob", "--data-dir", broker.dataDirectory])
        #expect(removed.status == 0)
        try await blocking {
            let after = try KafkaSession(port: port)
            #expect(try after.handshake("PLAIN")?.errorCode == 0)
            #expect(try after.authenticate(Self.plain("bob", "builder"))?.errorCode == KafkaErrorCode.saslAuthenticationFailed)
        }
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}

/// The SASL and metadata requests these tests send.
extension KafkaSession {
    func handshake(_ mechanism: String, version: Int16 = 1) throws -> SaslHandshakeResponse? {
        var request = SaslHandshakeRequest()
        request.mechanism = mechanism
        return try self.exchange(request, version: version, as: SaslHandshakeResponse.self)
    }

    func authenticate(_ token: [UInt8], version: Int16 = 2) throws -> SaslAuthenticateResponse? {
        var request = SaslAuthenticateRequest()
        request.authBytes = ByteBuffer(bytes: token)
        return try self.exchange(request, version: version, as: SaslAuthenticateResponse.self)
    }

    func metadata() throws -> MetadataResponse? {
        var request = MetadataRequest()
        request.topics = []
        return try self.exchange(request, version: 9, as: MetadataResponse.self)
    }
}
