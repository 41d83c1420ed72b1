import MonologKafkaClient
import MonologSecurity
import Testing

/// The client's SCRAM side: against RFC 7677's published exchange, against Monolog's own broker side
/// (`SaslServerExchange`) for both hashes, and against brokers that answer wrongly.
@Suite struct ScramClientExchangeTests {
    static let decoy = ScramDecoy(secret: Array("a server secret of thirty-two b.".utf8))

    /// The broker side with one user, "alice", whose password is `password`.
    static func server(_ mechanism: ScramMechanism, password: String = "wonder land") -> SaslServerExchange {
        let credential = ScramCredential(mechanism: mechanism, password: password)
        return SaslServerExchange(
            mechanism: .scram(mechanism),
            lookup: { user, scram in user == "alice" && scram == mechanism ? credential : nil },
            decoy: { user, scram in Self.decoy.credential(user: user, mechanism: scram) }
        )
    }

    /// Runs both sides to the end; returns the server's verdict and whether the client accepted the
    /// server's final message.
    static func run(_ server: SaslServerExchange, _ client: ScramClientExchange) throws -> (server: SaslServerExchange.Step, clientAccepted: Bool) {
        var server = server
        var client = client
        guard case .challenge(let serverFirst) = server.step(client.clientFirstMessage()) else {
            Issue.record("no server-first message")
            return (.failed("no server-first"), false)
        }
        let verdict = server.step(try client.clientFinalMessage(serverFirst: serverFirst))
        guard case .authenticated(_, let finalToken) = verdict else { return (verdict, false) }
        return (verdict, (try? client.verifyServerFinal(finalToken)) != nil)
    }

    @Test func rfc7677ExampleGivesThePublishedProofAndAcceptsThePublishedSignature() throws {
        var client = ScramClientExchange(mechanism: .sha256, username: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(String(decoding: client.clientFirstMessage(), as: UTF8.self) == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let final = try client.clientFinalMessage(
            serverFirst: Array("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8))
        #expect(
            String(decoding: final, as: UTF8.self)
                == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        try client.verifyServerFinal(Array("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8))
        #expect(throws: KafkaClientError.self) { try client.verifyServerFinal(Array("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8)) }
    }

    @Test(arguments: [ScramMechanism.sha256, .sha512])
    func monologsBrokerSideAcceptsTheRightPassword(_ mechanism: ScramMechanism) throws {
        let result = try Self.run(Self.server(mechanism), ScramClientExchange(mechanism: mechanism, username: "alice", password: "wonder land"))
        #expect(result.server == .authenticated(user: "alice", finalToken: result.server.finalToken))
        #expect(result.clientAccepted)
    }

    @Test(arguments: [ScramMechanism.sha256, .sha512])
    func aWrongPasswordIsRefused(_ mechanism: ScramMechanism) throws {
        let result = try Self.run(Self.server(mechanism), ScramClientExchange(mechanism: mechanism, username: "alice", password: "guess"))
        guard case .failed = result.server else {
            Issue.record("a wrong password was accepted: \(result.server)")
            return
        }
        #expect(!result.clientAccepted)
    }

    @Test func aBrokerThatCannotProveItKnowsTheCredentialIsRefused() throws {
        // A broker (or someone in between) that says "authenticated" without the right signature.
        var server = Self.server(.sha512)
        var client = ScramClientExchange(mechanism: .sha512, username: "alice", password: "wonder land")
        guard case .challenge(let serverFirst) = server.step(client.clientFirstMessage()) else { throw Failure() }
        _ = try client.clientFinalMessage(serverFirst: serverFirst)
        #expect(throws: KafkaClientError.self) { try client.verifyServerFinal(Array("v=bm90IHRoZSBzaWduYXR1cmU=".utf8)) }
        #expect(throws: KafkaClientError.self) { try client.verifyServerFinal(Array("e=invalid-proof".utf8)) }
        #expect(throws: KafkaClientError.self) { try client.verifyServerFinal([]) }
    }

    @Test func badServerFirstMessagesAreRefused() {
        let client = ScramClientExchange(mechanism: .sha256, username: "alice", password: "x", clientNonce: "abc")
        for serverFirst in [
            "r=xyz123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",  // does not extend the client's nonce
            "r=abc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",  // adds nothing to it
            "r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1",  // too few iterations
            "r=abcdef,s=not base64!,i=4096",
            "m=ext,r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            "e=unknown-user",
        ] {
            var attempt = client
            #expect(throws: KafkaClientError.self, "\(serverFirst)") { try attempt.clientFinalMessage(serverFirst: Array(serverFirst.utf8)) }
        }
    }

    @Test func namesWithCommasAndEqualsSignsAreEscaped() {
        let client = ScramClientExchange(mechanism: .sha256, username: "a,b=c", password: "x", clientNonce: "n")
        #expect(String(decoding: client.clientFirstMessage(), as: UTF8.self) == "n,,n=a=2Cb=3Dc,r=n")
    }

    struct Failure: Error {}
}

extension SaslServerExchange.Step {
    fileprivate var finalToken: [UInt8] {
        if case .authenticated(_, let token) = self { return token }
        return []
    }
}
