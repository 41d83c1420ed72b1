import NIOCore

/// The writer client's connection and the requests that wait for one, as a state machine: events in,
/// actions out, no I/O, no locks and no clock of its own (every event that depends on time carries
/// `now`), so it is tested with plain values. `WriterClient` keeps it under one lock and carries out
/// its actions in the order given.
///
///     disconnected ──submit / subscribe──▶ connecting ──connected──▶ connected
///          ▲                                │    ▲                       │
///          └──── nothing waits ◀── failed ──┘    └──── connection lost ──┘      (any) ──shutdown──▶ closed
///
/// The rules it keeps:
/// - **Order.** Requests reach the writer in the order they were submitted, across reconnections: each
///   takes a sequence number, and whatever must be written on a new connection (appends lost in flight,
///   writes that never left, requests submitted meanwhile) goes out sorted by it, before anything newer.
///   An idempotent producer depends on it: a retried batch that reached the writer after the batch that
///   follows it would be refused as out of order, which librdkafka treats as fatal.
/// - **Resend only what is safe.** A request in flight when its connection drops may have committed.
///   Idempotent appends (`isSafeToResend`) are sent again (the writer answers a stored copy with its
///   first offsets); anything else fails with `connectionLost`, for its caller to decide.
/// - **Bounded waiting.** A request waits for a connection at most `connectTimeout` from when it was
///   submitted (or lost), then fails with `unavailable` (or `connectionLost`).
struct WriterConnectionMachine<Connection: AnyObject, Request> {
    /// A request with its place in submission order and the time by which it must be written.
    struct Entry {
        var sequence: UInt64
        var request: Request
        var deadline: NIODeadline
        /// It was written once and its connection dropped before the answer: it may have committed.
        var wasInFlight: Bool
    }

    enum State {
        /// No connection, and none being made.
        case disconnected
        /// A connection attempt is under way; its outcome comes as `connected` or `connectFailed`.
        case connecting
        case connected(Connection)
        /// Shut down: every request fails at once.
        case closed
    }

    enum Action {
        /// Start a connection attempt (report `connected` or `connectFailed`).
        case connect
        /// The same once the lost connection's event loop has run what was queued on it before the
        /// loss: writes that were on their way to it fail first (`notSent`), so they wait for the new
        /// connection in their place instead of arriving after requests sent on it.
        case connectAfterDraining(Connection)
        /// Start one after this delay (the writer is not there yet).
        case connectAfter(TimeAmount)
        /// Write these, in this order, on the connection.
        case write([Entry], on: Connection)
        case fail([Request], WriterClientError)
        case close(Connection)
    }

    private(set) var state: State = .disconnected
    /// Requests that wait for a connection: submitted while there was none, lost in flight, or whose
    /// write never left. Kept in sequence order.
    private var pending: [Entry] = []
    private var nextSequence: UInt64 = 0
    /// A subscriber wants a connection even with nothing to send.
    private var subscribed = false
    let connectTimeout: TimeAmount
    let retryDelay: TimeAmount

    init(connectTimeout: TimeAmount, retryDelay: TimeAmount = .milliseconds(50)) {
        self.connectTimeout = connectTimeout
        self.retryDelay = retryDelay
    }

    var pendingCount: Int { self.pending.count }

    // MARK: Events

    /// A new request: written at once on a connection, else kept until there is one.
    mutating func submit(_ request: Request, now: NIODeadline) -> [Action] {
        let entry = Entry(sequence: self.takeSequence(), request: request, deadline: now + self.connectTimeout, wasInFlight: false)
        switch self.state {
        case .closed:
            return [.fail([request], WriterClientError(.unavailable, "the writer client is shut down"))]
        case .connected(let connection):
            return [.write([entry], on: connection)]
        case .connecting:
            self.pending.append(entry)
            return []
        case .disconnected:
            self.pending.append(entry)
            self.state = .connecting
            return [.connect]
        }
    }

    /// From now on the client keeps a connection even when it has nothing to send (it listens for
    /// notifications), and the next connection carries the subscription: a current one is closed.
    mutating func subscribe() -> [Action] {
        self.subscribed = true
        switch self.state {
        case .closed, .connecting:
            return []
        case .disconnected:
            self.state = .connecting
            return [.connect]
        case .connected(let connection):
            // Its loss (`connectionLost`) starts the next attempt.
            return [.close(connection)]
        }
    }

    /// An attempt succeeded (the handshake and any subscription are done): what waited goes out first.
    mutating func connected(_ connection: Connection) -> [Action] {
        guard case .connecting = self.state else {
            // Shut down meanwhile: the new connection is not wanted.
            return [.close(connection)]
        }
        self.state = .connected(connection)
        let waiting = self.pending
        self.pending = []
        return waiting.isEmpty ? [] : [.write(waiting, on: connection)]
    }

    /// An attempt failed: requests past their deadline fail; another attempt follows if anything still
    /// wants a connection.
    mutating func connectFailed(now: NIODeadline, reason: String) -> [Action] {
        guard case .connecting = self.state else { return [] }
        var actions = self.expire(now: now, reason: reason)
        if self.pending.isEmpty && !self.subscribed {
            self.state = .disconnected
        } else {
            actions.append(.connectAfter(self.retryDelay))
        }
        return actions
    }

    /// The connection dropped with `inFlight` written and unanswered. Those safe to resend wait for the
    /// next connection in their original place; the others fail.
    mutating func connectionLost(_ connection: Connection, inFlight: [Entry], isSafeToResend: (Request) -> Bool, now: NIODeadline) -> [Action] {
        var actions: [Action] = []
        let unsafe = inFlight.filter { !isSafeToResend($0.request) }.map(\.request)
        if !unsafe.isEmpty {
            actions.append(.fail(unsafe, WriterClientError(.connectionLost, "connection to the storage writer lost mid-request")))
        }
        let resend = inFlight.filter { isSafeToResend($0.request) }.map {
            Entry(sequence: $0.sequence, request: $0.request, deadline: now + self.connectTimeout, wasInFlight: true)
        }
        guard case .connected(let current) = self.state, current === connection else {
            // A connection the machine no longer uses (closed at shutdown).
            if case .closed = self.state {
                actions.append(.fail(resend.map(\.request), WriterClientError(.connectionLost, "the writer client is shut down")))
                return actions
            }
            self.insertInOrder(resend)
            return actions + self.sendPending()
        }
        self.insertInOrder(resend)
        if self.pending.isEmpty && !self.subscribed {
            self.state = .disconnected
        } else {
            self.state = .connecting
            actions.append(.connectAfterDraining(connection))
        }
        return actions
    }

    /// Writes that never left (the connection closed under them): sent on the next connection, in
    /// their place. Nothing reached the writer, so this is safe for any request.
    mutating func notSent(_ entries: [Entry], on connection: Connection, now: NIODeadline) -> [Action] {
        if case .closed = self.state {
            return [.fail(entries.map(\.request), WriterClientError(.unavailable, "the writer client is shut down"))]
        }
        self.insertInOrder(entries)
        if case .connected(let current) = self.state, current === connection {
            // The connection is going; its loss (`connectionLost`) starts the next attempt.
            return []
        }
        return self.sendPending()
    }

    /// Requests that joined `pending` outside the usual path (reported late, after the connection they
    /// were meant for was replaced): written now if there is a connection, else they wait, with an
    /// attempt under way.
    private mutating func sendPending() -> [Action] {
        switch self.state {
        case .connected(let connection):
            let waiting = self.pending
            self.pending = []
            return waiting.isEmpty ? [] : [.write(waiting, on: connection)]
        case .disconnected:
            guard !self.pending.isEmpty else { return [] }
            self.state = .connecting
            return [.connect]
        case .connecting, .closed:
            return []
        }
    }

    /// Requests that waited for a connection past their deadline fail.
    mutating func expire(now: NIODeadline, reason: String = "no connection") -> [Action] {
        let expired = self.pending.filter { $0.deadline <= now }
        guard !expired.isEmpty else { return [] }
        self.pending.removeAll { $0.deadline <= now }
        var actions: [Action] = []
        let lost = expired.filter(\.wasInFlight).map(\.request)
        let neverSent = expired.filter { !$0.wasInFlight }.map(\.request)
        if !lost.isEmpty {
            actions.append(
                .fail(lost, WriterClientError(.connectionLost, "storage writer gone mid-request and not back within \(self.connectTimeout)")))
        }
        if !neverSent.isEmpty {
            actions.append(.fail(neverSent, WriterClientError(.unavailable, "storage writer unreachable: \(reason)")))
        }
        return actions
    }

    /// Stops for good: what waits fails, the connection closes.
    mutating func shutdown() -> [Action] {
        let previous = self.state
        self.state = .closed
        self.subscribed = false
        var actions: [Action] = []
        if !self.pending.isEmpty {
            actions.append(.fail(self.pending.map(\.request), WriterClientError(.unavailable, "the writer client is shut down")))
            self.pending = []
        }
        if case .connected(let connection) = previous { actions.append(.close(connection)) }
        return actions
    }

    // MARK: Helpers

    private mutating func takeSequence() -> UInt64 {
        defer { self.nextSequence += 1 }
        return self.nextSequence
    }

    private mutating func insertInOrder(_ entries: [Entry]) {
        guard !entries.isEmpty else { return }
        self.pending.append(contentsOf: entries)
        self.pending.sort { $0.sequence < $1.sequence }
    }
}

extension WriterConnectionMachine.Entry: Sendable where Request: Sendable {}
extension WriterConnectionMachine: Sendable where Connection: Sendable, Request: Sendable {}
extension WriterConnectionMachine.State: Sendable where Connection: Sendable {}
