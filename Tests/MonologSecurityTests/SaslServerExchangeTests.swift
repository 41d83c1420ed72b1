import Crypto
import Foundation
import MonologSecurity
import Testing

/// The broker's SASL exchanges against published vectors and against the failures a client can cause.
@Suite struct SaslServerExchangeTests {
    /// RFC 7677, section 3: user "user", password "pencil".
    static let salt = Array(Data(base64Encoded: "W22ZaJ0SNY7soEsUEjb6gQ==")!)
    static let credential = ScramCredential(
        mechanism: .sha256,
        salt: salt,
        iterations: 4096,
        saltedPassword: ScramMechanism.sha256.saltedPassword("pencil", salt: salt, iterations: 4096)
    )

    static let decoy = ScramDecoy(secret: Array("a server secret of thirty-two b.".utf8))

    static func exchange(_ mechanism: SaslServerExchange.Mechanism, users: [String: ScramCredential] = ["user": credential]) -> SaslServerExchange {
        SaslServerExchange(
            mechanism: mechanism,
            lookup: { user, scram in users[user].flatMap { $0.mechanism == scram ? $0 : nil } },
            decoy: { user, scram in Self.decoy.credential(user: user, mechanism: scram) },
            serverNonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
        )
    }

    @Test func scramSHA256MatchesRFC7677() {
        var exchange = Self.exchange(.scram(.sha256))
        let serverFirst = exchange.step(Array("n,,n=user,r=rOprNGfwEbeRWgbNEkqO".utf8))
        #expect(serverFirst == .challenge(Array("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8)))
        let final = exchange.step(Array("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=".utf8))
        #expect(final == .authenticated(user: "user", finalToken: Array("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8)))
        // The exchange is over: a third token is refused.
        if case .failed = exchange.step([1]) {} else { Issue.record("a finished exchange took another token") }
    }

    @Test func aWrongProofOrNonceIsRefused() {
        var exchange = Self.exchange(.scram(.sha256))
        _ = exchange.step(Array("n,,n=user,r=rOprNGfwEbeRWgbNEkqO".utf8))
        let wrongProof = exchange.step(Array("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAAZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=".utf8))
        #expect(wrongProof == .failed("Authentication failed: invalid credentials"))

        var other = Self.exchange(.scram(.sha256))
        _ = other.step(Array("n,,n=user,r=rOprNGfwEbeRWgbNEkqO".utf8))
        if case .failed = other.step(Array("c=biws,r=someoneelse,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=".utf8)) {
        } else {
            Issue.record("a nonce that is not the server's was accepted")
        }
    }

    /// librdkafka 2.0 (Debian 12's) repeats its nonce in front of the server's; Kafka accepts that, and
    /// so must we, with the proof computed over what the client actually sent.
    @Test func librdkafkasRepeatedClientNonceIsAccepted() {
        let clientNonce = "rOprNGfwEbeRWgbNEkqO"
        var exchange = Self.exchange(.scram(.sha256))
        guard case .challenge(let serverFirstBytes) = exchange.step(Array("n,,n=user,r=\(clientNonce)".utf8)) else {
            Issue.record("no challenge")
            return
        }
        let serverFirst = String(decoding: serverFirstBytes, as: UTF8.self)
        let withoutProof = "c=biws,r=\(clientNonce)\(clientNonce)%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
        let authMessage = "n=user,r=\(clientNonce),\(serverFirst),\(withoutProof)"
        let salted = ScramMechanism.sha256.saltedPassword("pencil", salt: Self.salt, iterations: 4096)
        let proof = ScramProofForTests.proof(salted: salted, authMessage: authMessage)
        guard case .authenticated = exchange.step(Array("\(withoutProof),p=\(proof)".utf8)) else {
            Issue.record("librdkafka's nonce form was refused")
            return
        }
        // Any other nonce is still refused.
        var other = Self.exchange(.scram(.sha256))
        _ = other.step(Array("n,,n=user,r=\(clientNonce)".utf8))
        let wrong = "c=biws,r=xx\(clientNonce)%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
        #expect(other.step(Array("\(wrong),p=\(proof)".utf8)) == .failed("Authentication failed: nonce mismatch"))
    }

    /// RFC 5802 section 9: the exchange must not tell which users exist. A real user (made as
    /// `users add` makes one) and an unknown one get server-first messages of the same shape (the same
    /// attributes, salt length and iteration count), and a wrong proof fails both the same way.
    @Test(arguments: [ScramMechanism.sha256, .sha512])
    func anUnknownUserIsAnsweredInTheShapeOfARealOne(_ scram: ScramMechanism) throws {
        let real = ScramCredential(mechanism: scram, password: "secret", iterations: ScramMechanism.defaultIterations)
        func serverFirst(_ user: String) throws -> (message: String, final: SaslServerExchange.Step) {
            var exchange = Self.exchange(.scram(scram), users: ["alice": real])
            guard case .challenge(let challenge) = exchange.step(Array("n,,n=\(user),r=clientnonce".utf8)) else {
                throw ExchangeFailure(message: "no challenge for \(user)")
            }
            let wrongProof = Data(repeating: 7, count: real.storedKey.count).base64EncodedString()
            let final = exchange.step(Array("c=biws,r=clientnonce%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=\(wrongProof)".utf8))
            return (String(decoding: challenge, as: UTF8.self), final)
        }
        let alice = try serverFirst("alice")
        let nobody = try serverFirst("nobody")
        // Every character the same except the salt's: same nonce, same salt length, same i=.
        #expect(alice.message.count == nobody.message.count)
        #expect(Self.shape(alice.message) == Self.shape(nobody.message), "\(alice.message) vs \(nobody.message)")
        #expect(nobody.message.hasSuffix(",i=\(ScramMechanism.defaultIterations)"))
        #expect(alice.final == .failed("Authentication failed: invalid credentials"))
        #expect(nobody.final == alice.final)
        // The made-up salt is the same on every attempt (a new one each time would give it away), and
        // differs between names.
        #expect(try serverFirst("nobody").message == nobody.message)
        #expect(Self.salt(try serverFirst("someone-else").message) != Self.salt(nobody.message))
    }

    /// The decoy derives from the server's secret: another secret, another salt.
    @Test func theMadeUpSaltDependsOnTheServerSecret() {
        let one = ScramDecoy(secret: Array(repeating: 1, count: 32)).credential(user: "nobody", mechanism: .sha256)
        let other = ScramDecoy(secret: Array(repeating: 2, count: 32)).credential(user: "nobody", mechanism: .sha256)
        #expect(one.salt.count == ScramCredential.saltBytes && one.salt != other.salt)
        #expect(one.iterations == ScramMechanism.defaultIterations)
    }

    struct ExchangeFailure: Error { var message: String }

    /// The message with the salt's characters blanked out.
    static func shape(_ serverFirst: String) -> String {
        serverFirst.split(separator: ",").map { $0.hasPrefix("s=") ? "s=" + String(repeating: "_", count: $0.count - 2) : String($0) }.joined(separator: ",")
    }

    static func salt(_ serverFirst: String) -> String? {
        serverFirst.split(separator: ",").first { $0.hasPrefix("s=") }.map(String.init)
    }

    @Test func plainChecksThePasswordAgainstTheStoredCredential() {
        var right = Self.exchange(.plain)
        #expect(right.step(Array("\u{0}user\u{0}pencil".utf8)) == .authenticated(user: "user", finalToken: []))
        var wrong = Self.exchange(.plain)
        #expect(wrong.step(Array("\u{0}user\u{0}pen".utf8)) == .failed("Authentication failed: invalid credentials"))
        var unknown = Self.exchange(.plain)
        #expect(unknown.step(Array("\u{0}nobody\u{0}pencil".utf8)) == .failed("Authentication failed: invalid credentials"))
        var impersonating = Self.exchange(.plain)
        if case .failed = impersonating.step(Array("admin\u{0}user\u{0}pencil".utf8)) {} else { Issue.record("authzid of another user accepted") }
        var malformed = Self.exchange(.plain)
        if case .failed = malformed.step(Array("user-pencil".utf8)) {} else { Issue.record("a malformed PLAIN token was accepted") }
    }

    @Test func credentialsFromAPasswordVerifyOnlyThatPassword() {
        for mechanism in ScramMechanism.allCases {
            let credential = ScramCredential(mechanism: mechanism, password: "s3cret", iterations: 4096)
            #expect(credential.salt.count == 16)
            #expect(credential.verifies(password: "s3cret"))
            #expect(!credential.verifies(password: "s3cret "))
        }
        #expect(ScramMechanism(kafkaType: 2) == .sha512)
        #expect(SaslServerExchange.Mechanism(name: "SCRAM-SHA-512") == .scram(.sha512))
        #expect(SaslServerExchange.Mechanism(name: "GSSAPI") == nil)
    }

    @Test func tokensAreRandomAndStoredAsDigests() {
        let first = ApiToken.generate()
        let second = ApiToken.generate()
        #expect(first.hasPrefix("mlg_") && first.count > 40 && first != second)
        #expect(ApiToken.digest(first).count == 32)
        #expect(ApiToken.digest(first) == ApiToken.digest(first))
    }
}

/// A SCRAM-SHA-256 client proof computed independently of the server code, with swift-crypto.
enum ScramProofForTests {
    static func proof(salted: [UInt8], authMessage: String) -> String {
        let clientKey = Array(HMAC<SHA256>.authenticationCode(for: Array("Client Key".utf8), using: SymmetricKey(data: salted)))
        let storedKey = Array(SHA256.hash(data: clientKey))
        let signature = Array(HMAC<SHA256>.authenticationCode(for: Array(authMessage.utf8), using: SymmetricKey(data: storedKey)))
        return Data(zip(clientKey, signature).map { $0 ^ $1 }).base64EncodedString()
    }
}
