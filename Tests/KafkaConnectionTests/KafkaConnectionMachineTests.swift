import MonologKafkaProtocol
import MonologSecurity
import NIOCore
import Testing

@testable import KafkaGateway

/// One Kafka connection's rules on the machine alone, without sockets: answers in request order
/// whatever order they are ready in, empty slots for acks=0, what passes before SASL authentication,
/// and the end of a connection after a failed one.
@Suite struct KafkaConnectionMachineTests {
    static let apiVersions = SupportedAPIs.entry(forKey: ApiVersionsRequest.apiKey)
    static let metadata = SupportedAPIs.entry(forKey: MetadataRequest.apiKey)
    static let produce = SupportedAPIs.entry(forKey: ProduceRequest.apiKey)
    static let saslHandshake = SupportedAPIs.entry(forKey: SaslHandshakeRequest.apiKey)
    static let saslAuthenticate = SupportedAPIs.entry(forKey: SaslAuthenticateRequest.apiKey)

    static func answer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
    static func texts(_ writes: KafkaConnectionMachine.Writes) -> [String] { writes.answers.map { String(buffer: $0) } }

    /// Admits a Metadata request at v9 and returns its place.
    static func admitMetadata(_ machine: inout KafkaConnectionMachine) -> Int {
        guard case .serve(let sequence) = machine.admit(Self.metadata, version: 9) else {
            Issue.record("Metadata was not admitted")
            return -1
        }
        return sequence
    }

    static func exchange() -> SaslServerExchange {
        SaslServerExchange(
            mechanism: .plain,
            lookup: { _, _ in nil },
            decoy: { _, _ in throw CancellationError() }
        )
    }

    @Test func pipelinedRequestsFinishingOutOfOrderAreAnsweredInOrder() {
        var machine = KafkaConnectionMachine(requiresSASL: false, maxUnanswered: 8)
        let places = (0..<4).map { _ in Self.admitMetadata(&machine) }
        #expect(places == [0, 1, 2, 3])

        // The last two are ready first: nothing may go out before the first.
        #expect(machine.answered(3, with: Self.answer("d")) == KafkaConnectionMachine.Writes())
        #expect(machine.answered(1, with: Self.answer("b")) == KafkaConnectionMachine.Writes())
        #expect(machine.unanswered == 4)

        let first = machine.answered(0, with: Self.answer("a"))
        #expect(Self.texts(first) == ["a", "b"])
        #expect(first.answered == [0, 1])
        #expect(!first.thenClose)

        let rest = machine.answered(2, with: Self.answer("c"))
        #expect(Self.texts(rest) == ["c", "d"])
        #expect(rest.answered == [2, 3])
        #expect(machine.isIdle)
    }

    @Test func anAcksZeroProduceHoldsAnEmptySlot() {
        var machine = KafkaConnectionMachine(requiresSASL: false, maxUnanswered: 8)
        let metadata = Self.admitMetadata(&machine)
        guard case .serve(let produce) = machine.admit(Self.produce, version: 9) else {
            Issue.record("Produce was not admitted")
            return
        }
        let after = Self.admitMetadata(&machine)

        // The answer behind the acks=0 Produce waits for its empty slot, not only for the first answer.
        #expect(Self.texts(machine.answered(after, with: Self.answer("after"))).isEmpty)
        #expect(Self.texts(machine.answered(metadata, with: Self.answer("metadata"))) == ["metadata"])
        let writes = machine.answered(produce, with: nil)
        #expect(Self.texts(writes) == ["after"])
        #expect(writes.answered == [produce, after])
        #expect(machine.isIdle)
    }

    @Test func theConnectionHoldsAtMostItsBoundOfUnansweredRequests() {
        var machine = KafkaConnectionMachine(requiresSASL: false, maxUnanswered: 3)
        for _ in 0..<3 { _ = Self.admitMetadata(&machine) }
        #expect(!machine.hasRoom)
        _ = machine.answered(0, with: Self.answer("a"))
        #expect(machine.hasRoom)
        #expect(machine.unanswered == 2)
    }

    @Test func anAnswerTwiceOrForAPlaceNeverGivenWritesNothing() {
        var machine = KafkaConnectionMachine(requiresSASL: false, maxUnanswered: 8)
        let place = Self.admitMetadata(&machine)
        #expect(Self.texts(machine.answered(place, with: Self.answer("a"))) == ["a"])
        #expect(machine.answered(place, with: Self.answer("again")) == KafkaConnectionMachine.Writes())
        #expect(machine.answered(7, with: Self.answer("never asked")) == KafkaConnectionMachine.Writes())
    }

    @Test func anUnsupportedVersionClosesTheConnection() {
        var machine = KafkaConnectionMachine(requiresSASL: false, maxUnanswered: 8)
        #expect(machine.admit(Self.metadata, version: 999) == .close(reason: "API or version not supported"))
        #expect(machine.admit(nil, version: 0) == .close(reason: "API or version not supported"))
        // ApiVersions at a version it does not know is still answered (in the v0 layout).
        #expect(machine.admit(Self.apiVersions, version: 99) == .serve(sequence: 0))
    }

    @Test func beforeAuthenticationOnlyApiVersionsAndSASLPass() {
        var machine = KafkaConnectionMachine(requiresSASL: true, maxUnanswered: 8)
        #expect(machine.admit(Self.apiVersions, version: 3) == .serve(sequence: 0))
        #expect(machine.admit(Self.metadata, version: 9) == .close(reason: "request before SASL authentication"))
        #expect(machine.admit(Self.produce, version: 9) == .close(reason: "request before SASL authentication"))
        #expect(machine.admit(Self.saslHandshake, version: 1) == .serve(sequence: 1))

        machine.handshakeChose(Self.exchange(), bareTokens: false)
        #expect(machine.admit(Self.metadata, version: 9) == .close(reason: "request before SASL authentication"))
        #expect(machine.admit(Self.saslAuthenticate, version: 2) == .serve(sequence: 2))
        let exchange = machine.takeToken(bare: false)
        #expect(exchange != nil)
        // While the token is checked, still nothing else.
        #expect(machine.admit(Self.metadata, version: 9) == .close(reason: "request before SASL authentication"))

        guard let exchange else { return }
        let authenticated = machine.tokenChecked(.authenticated(user: "alice", finalToken: []), exchange: exchange, bareTokens: false)
        #expect(authenticated)
        #expect(machine.admit(Self.metadata, version: 9) == .serve(sequence: 3))
        #expect(machine.admit(Self.produce, version: 9) == .serve(sequence: 4))
    }

    @Test func aListenerWithoutSASLServesEverythingItSupports() {
        var machine = KafkaConnectionMachine(requiresSASL: false, maxUnanswered: 8)
        #expect(machine.admit(Self.metadata, version: 9) == .serve(sequence: 0))
        #expect(machine.admit(Self.produce, version: 9) == .serve(sequence: 1))
    }

    @Test func aTokenOutOfTurnFailsTheConnection() {
        var machine = KafkaConnectionMachine(requiresSASL: true, maxUnanswered: 8)
        // SaslAuthenticate before a handshake chose a mechanism.
        #expect(machine.takeToken(bare: false) == nil)
        #expect(machine.admit(Self.apiVersions, version: 3) == .close(reason: "request before SASL authentication"))

        // A wrapped token after a v0 handshake, which promised bare ones.
        var bare = KafkaConnectionMachine(requiresSASL: true, maxUnanswered: 8)
        bare.handshakeChose(Self.exchange(), bareTokens: true)
        #expect(bare.sasl.expectsBareToken)
        #expect(bare.takeToken(bare: false) == nil)
    }

    @Test func aChallengeWaitsForTheNextTokenInTheSameForm() {
        var machine = KafkaConnectionMachine(requiresSASL: true, maxUnanswered: 8)
        machine.handshakeChose(Self.exchange(), bareTokens: true)
        guard let exchange = machine.takeToken(bare: true) else {
            Issue.record("the bare token was not taken")
            return
        }
        #expect(!machine.sasl.expectsBareToken)  // checking: a second token waits its turn
        let challenged = machine.tokenChecked(.challenge([1]), exchange: exchange, bareTokens: true)
        #expect(!challenged)
        #expect(machine.sasl.expectsBareToken)
        let failed = machine.tokenChecked(.failed("no"), exchange: exchange, bareTokens: true)
        #expect(!failed)
        #expect(machine.admit(Self.apiVersions, version: 3) == .close(reason: "request before SASL authentication"))
    }

    @Test func aFailedAuthenticationIsAnsweredThenNothingAfterIt() {
        var machine = KafkaConnectionMachine(requiresSASL: true, maxUnanswered: 8)
        machine.handshakeChose(Self.exchange(), bareTokens: false)
        guard case .serve(let authenticate) = machine.admit(Self.saslAuthenticate, version: 2) else {
            Issue.record("SaslAuthenticate was not admitted")
            return
        }
        guard case .serve(let apiVersions) = machine.admit(Self.apiVersions, version: 3) else {
            Issue.record("ApiVersions was not admitted")
            return
        }
        machine.closeAfterAnswer(to: authenticate)

        #expect(Self.texts(machine.answered(apiVersions, with: Self.answer("versions"))).isEmpty)
        let writes = machine.answered(authenticate, with: Self.answer("SASL_AUTHENTICATION_FAILED"))
        #expect(Self.texts(writes) == ["SASL_AUTHENTICATION_FAILED"])
        #expect(writes.thenClose)
        #expect(machine.admit(Self.apiVersions, version: 3) == .close(reason: "connection closed"))
        // The request behind it was never answered.
        #expect(machine.closed() == 1)
    }

    @Test func afterTheConnectionClosesLateAnswersAreDropped() {
        var machine = KafkaConnectionMachine(requiresSASL: false, maxUnanswered: 8)
        let first = Self.admitMetadata(&machine)
        _ = Self.admitMetadata(&machine)
        #expect(machine.closed() == 2)
        #expect(machine.closed() == 0)  // counted once
        #expect(machine.answered(first, with: Self.answer("late")) == KafkaConnectionMachine.Writes())
    }
}
