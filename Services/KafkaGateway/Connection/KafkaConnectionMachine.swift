import MonologSecurity
import NIOCore

/// One Kafka connection's rules, as a state machine: which requests may be served, the order their
/// answers go out in, and where the connection stands with SASL. Events in, actions out, no I/O: the
/// channel handler (`KafkaConnectionHandler`) feeds it and does what it says, and the tests drive it
/// with plain values.
///
/// The rules it keeps:
/// - **Answers in request order.** Kafka clients match answers to requests by order as much as by
///   correlation id, so each admitted request takes the next place in line, and an answer that is ready
///   early (ApiVersions behind a Metadata waiting on storage) waits until every earlier one is written.
/// - **acks=0 holds an empty slot.** A Produce that gets no answer still takes a place; when its turn
///   comes nothing is written and the line moves on.
/// - **SASL first.** On a SASL listener nothing but ApiVersions, SaslHandshake and SaslAuthenticate is
///   served before authentication; anything else closes the connection, as Kafka does. After a v0
///   SaslHandshake the client's tokens come bare (no request header).
/// - **Close after an answer.** A failed authentication is answered, then the connection ends: answers
///   behind it are never written.
struct KafkaConnectionMachine {
    /// What to do with an arriving request.
    enum Admission: Equatable {
        /// Serve it; its answer goes out in this place.
        case serve(sequence: Int)
        /// Close the connection without an answer.
        case close(reason: String)
    }

    /// The answers that are next in line, to write in this order.
    struct Writes: Equatable {
        /// Non-empty answers, in request order (empty slots are left out).
        var answers: [ByteBuffer] = []
        /// The places that ended: their requests may give back what they hold.
        var answered: [Int] = []
        /// The connection closes once these are written.
        var thenClose = false
    }

    /// Requests served at once before their answers are written.
    let maxUnanswered: Int
    private(set) var sasl: SaslAuthentication
    private var nextSequence = 0
    private var nextToWrite = 0
    /// Answers ready before their turn, by place; nil: an empty slot.
    private var ready: [Int: ByteBuffer?] = [:]
    private var closeAfterSequence: Int?
    /// False once the connection closed or wrote its last answer: nothing more is admitted or written.
    private var open = true
    private var closeCounted = false

    init(requiresSASL: Bool, maxUnanswered: Int) {
        self.sasl = requiresSASL ? .awaitingHandshake : .notRequired
        self.maxUnanswered = maxUnanswered
    }

    /// Requests admitted and not yet answered.
    var unanswered: Int { self.nextSequence - self.nextToWrite }
    /// Whether one more request may be served before earlier answers are written.
    var hasRoom: Bool { self.unanswered < self.maxUnanswered }
    /// Nothing admitted waits for its answer.
    var isIdle: Bool { self.unanswered == 0 }

    // MARK: Requests

    /// A request with its header read: `api` is this broker's entry for its key (nil: not served).
    mutating func admit(_ api: SupportedAPIs.Entry?, version: Int16) -> Admission {
        guard self.open else { return .close(reason: "connection closed") }
        guard self.sasl.allows(api) else { return .close(reason: "request before SASL authentication") }
        guard let api, api.serves(version: version) else { return .close(reason: "API or version not supported") }
        let sequence = self.nextSequence
        self.nextSequence += 1
        return .serve(sequence: sequence)
    }

    /// The answer to the request in place `sequence` (nil: it has none, acks=0). Returns what is now
    /// next in line.
    mutating func answered(_ sequence: Int, with answer: ByteBuffer?) -> Writes {
        guard self.open, sequence >= self.nextToWrite, sequence < self.nextSequence else { return Writes() }
        self.ready[sequence] = .some(answer)
        var writes = Writes()
        while let next = self.ready.removeValue(forKey: self.nextToWrite) {
            if let next, next.readableBytes > 0 { writes.answers.append(next) }
            writes.answered.append(self.nextToWrite)
            if self.nextToWrite == self.closeAfterSequence {
                // Nothing after this answer is written: the connection ends with it.
                self.nextToWrite += 1
                writes.thenClose = true
                self.open = false
                self.ready.removeAll()
                return writes
            }
            self.nextToWrite += 1
        }
        return writes
    }

    /// The connection closes once the answer in place `sequence` is written (a failed authentication).
    mutating func closeAfterAnswer(to sequence: Int) {
        self.closeAfterSequence = sequence
    }

    /// The connection is gone. Returns how many admitted requests were never answered; answers that
    /// come later are dropped.
    mutating func closed() -> Int {
        guard !self.closeCounted else { return 0 }
        self.closeCounted = true
        self.open = false
        self.ready.removeAll()
        return self.unanswered
    }

    // MARK: SASL

    /// SaslHandshake accepted a mechanism. After a v0 handshake the tokens come bare.
    mutating func handshakeChose(_ exchange: SaslServerExchange, bareTokens: Bool) {
        self.sasl = .exchanging(exchange, bareTokens: bareTokens)
    }

    /// A SaslAuthenticate request's token: the exchange to run it through (the connection waits in
    /// `checking` meanwhile), or nil when no exchange expects one in that form, which fails the
    /// connection.
    mutating func takeToken(bare: Bool) -> SaslServerExchange? {
        guard case .exchanging(let exchange, let bareTokens) = self.sasl, bareTokens == bare else {
            self.sasl = .failed
            return nil
        }
        self.sasl = .checking
        return exchange
    }

    /// The outcome of a token: wait for the next one, let the connection in, or mark it failed.
    /// Returns true when the connection just authenticated.
    mutating func tokenChecked(_ step: SaslServerExchange.Step, exchange: SaslServerExchange, bareTokens: Bool) -> Bool {
        switch step {
        case .challenge:
            self.sasl = .exchanging(exchange, bareTokens: bareTokens)
            return false
        case .authenticated(let user, _):
            self.sasl = .authenticated(user: user)
            return true
        case .failed:
            self.sasl = .failed
            return false
        }
    }
}
