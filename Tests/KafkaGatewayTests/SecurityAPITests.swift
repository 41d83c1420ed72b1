import MonologConfig
import MonologKafkaProtocol
import MonologSecurity
import NIOCore
import Testing

@testable import KafkaGateway

/// SaslHandshake, SaslAuthenticate, DescribeUserScramCredentials and AlterUserScramCredentials through
/// the connection handler, with users stored by the real storage writer: each one's normal path and
/// one error path, and the gate that lets only ApiVersions and SASL through before authentication.
@Suite struct SecurityAPITests {
    static func upsert(_ user: String, password: String, iterations: Int32 = 4096) -> AlterUserScramCredentialsRequest {
        let salt: [UInt8] = (0..<16).map { _ in UInt8.random(in: 0...255) }
        var upsertion = AlterUserScramCredentialsRequest.ScramCredentialUpsertion()
        upsertion.name = user
        upsertion.mechanism = ScramMechanism.sha256.kafkaType
        upsertion.iterations = iterations
        upsertion.salt = ByteBuffer(bytes: salt)
        upsertion.saltedPassword = ByteBuffer(bytes: ScramMechanism.sha256.saltedPassword(password, salt: salt, iterations: Int(max(iterations, 1))))
        var request = AlterUserScramCredentialsRequest()
        request.upsertions = [upsertion]
        return request
    }

    /// Stores `user` with `password` through AlterUserScramCredentials on a plaintext connection.
    static func createUser(_ user: String, password: String) async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.upsert(user, password: password), version: 0)
        #expect(response.results.map(\.errorCode) == [KafkaErrorCode.none])
    }

    /// A connection to the gateway behind a SASL_PLAINTEXT listener.
    static func saslConnection() async throws -> TestConnection {
        try await TestConnection(try await TestGateway.shared().withSASL())
    }

    static func handshake(_ mechanism: String) -> SaslHandshakeRequest {
        var request = SaslHandshakeRequest()
        request.mechanism = mechanism
        return request
    }

    static func plainToken(_ user: String, _ password: String) -> SaslAuthenticateRequest {
        var request = SaslAuthenticateRequest()
        request.authBytes = ByteBuffer(bytes: [0] + Array(user.utf8) + [0] + Array(password.utf8))
        return request
    }

    // MARK: AlterUserScramCredentials (51)

    @Test func alterUserScramCredentialsStoresAUser() async throws {
        let connection = try await TestGateway.shared().connect()
        let user = uniqueName("alice")
        let response = try await connection.exchange(Self.upsert(user, password: "secret"), version: 0)
        #expect(response.results.map(\.user) == [user])
        #expect(response.results.map(\.errorCode) == [KafkaErrorCode.none])
        let stored = try await TestGateway.shared().context.credentials.scramCredential(user: user, mechanism: .sha256)
        #expect(stored?.verifies(password: "secret") == true)
    }

    @Test func alterUserScramCredentialsRefusesTooFewIterations() async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.upsert(uniqueName("weak"), password: "secret", iterations: 100), version: 0)
        #expect(response.results.map(\.errorCode) == [KafkaErrorCode.unacceptableCredential])
    }

    // MARK: DescribeUserScramCredentials (50)

    static func describeUsers(_ users: [String]) -> DescribeUserScramCredentialsRequest {
        var request = DescribeUserScramCredentialsRequest()
        request.users = users.map { name in
            var user = DescribeUserScramCredentialsRequest.UserName()
            user.name = name
            return user
        }
        return request
    }

    @Test func describeUserScramCredentialsListsAUsersMechanisms() async throws {
        let user = uniqueName("bob")
        try await Self.createUser(user, password: "secret")
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.describeUsers([user]), version: 0)
        #expect(response.errorCode == KafkaErrorCode.none)
        let result = try #require(response.results.first)
        #expect(result.user == user)
        #expect(result.errorCode == KafkaErrorCode.none)
        #expect(result.credentialInfos.map { "\($0.mechanism) \($0.iterations)" } == ["\(ScramMechanism.sha256.kafkaType) 4096"])
    }

    @Test func describeUserScramCredentialsOfAnUnknownUserIsRefused() async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.describeUsers([uniqueName("nobody")]), version: 0)
        #expect(response.results.map(\.errorCode) == [KafkaErrorCode.resourceNotFound])
    }

    // MARK: SaslHandshake (17)

    @Test func saslHandshakeAcceptsAnEnabledMechanism() async throws {
        let connection = try await Self.saslConnection()
        let response = try await connection.exchange(Self.handshake("PLAIN"), version: 1)
        #expect(response.errorCode == KafkaErrorCode.none)
        #expect(response.mechanisms == SecuritySettings.supportedMechanisms)
    }

    @Test func saslHandshakeRefusesAnUnknownMechanism() async throws {
        let connection = try await Self.saslConnection()
        let response = try await connection.exchange(Self.handshake("GSSAPI"), version: 1)
        #expect(response.errorCode == KafkaErrorCode.unsupportedSaslMechanism)
        #expect(response.mechanisms == SecuritySettings.supportedMechanisms)
    }

    @Test func saslHandshakeOnAPlaintextListenerIsAnIllegalState() async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.handshake("PLAIN"), version: 1)
        #expect(response.errorCode == KafkaErrorCode.illegalSaslState)
    }

    // MARK: SaslAuthenticate (36)

    @Test func saslAuthenticateLetsAUserIn() async throws {
        let user = uniqueName("carol")
        try await Self.createUser(user, password: "right")
        let connection = try await Self.saslConnection()
        #expect(try await connection.exchange(Self.handshake("PLAIN"), version: 1).errorCode == KafkaErrorCode.none)
        let authenticated = try await connection.exchange(Self.plainToken(user, "right"), version: 2)
        #expect(authenticated.errorCode == KafkaErrorCode.none)
        #expect(authenticated.errorMessage == nil)
        // Now any API is served.
        let metadata = try await connection.exchange(DataPlaneAPITests.metadata([]), version: 9)
        #expect(metadata.brokers.count == 1)
    }

    @Test func saslAuthenticateWithAWrongPasswordFailsAndCloses() async throws {
        let user = uniqueName("dave")
        try await Self.createUser(user, password: "right")
        let connection = try await Self.saslConnection()
        #expect(try await connection.exchange(Self.handshake("PLAIN"), version: 1).errorCode == KafkaErrorCode.none)
        let refused = try await connection.exchange(Self.plainToken(user, "wrong"), version: 2)
        #expect(refused.errorCode == KafkaErrorCode.saslAuthenticationFailed)
        #expect(try await connection.isClosedWithoutResponse())
    }

    @Test func saslAuthenticateBeforeAHandshakeIsAnIllegalStateAndCloses() async throws {
        let connection = try await Self.saslConnection()
        let refused = try await connection.exchange(Self.plainToken("anyone", "anything"), version: 2)
        #expect(refused.errorCode == KafkaErrorCode.illegalSaslState)
        #expect(try await connection.isClosedWithoutResponse())
    }

    // MARK: The gate before authentication

    @Test func beforeAuthenticationOnlyApiVersionsAndSASLAreServed() async throws {
        let connection = try await Self.saslConnection()
        let versions = try await connection.exchange(ApiVersionsRequest(), version: 0)
        #expect(versions.errorCode == KafkaErrorCode.none)
        try await connection.send(DataPlaneAPITests.metadata([]), version: 9)
        #expect(try await connection.isClosedWithoutResponse())
    }

    @Test func beforeAuthenticationAnUnregisteredKeyClosesTheConnection() async throws {
        let connection = try await Self.saslConnection()
        try await connection.send(apiKey: 24, version: 0)
        #expect(try await connection.isClosedWithoutResponse())
    }
}
