import NIOCore
import Testing

@testable import MonologWriterClient

/// The writer client's rules, on the machine alone (no sockets, a clock moved by hand): order across
/// reconnections, what is sent again after a lost connection, how long a request may wait, shutdown.
@Suite struct WriterConnectionMachineTests {
    final class Connection {}

    struct Request: Equatable {
        var name: String
        var idempotent = true
    }

    typealias Machine = WriterConnectionMachine<Connection, Request>

    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    /// The requests of the machine's write actions, in order, and the connection they went to.
    static func written(_ actions: [Machine.Action]) -> [String] {
        actions.flatMap { action -> [String] in
            guard case .write(let entries, _) = action else { return [] }
            return entries.map(\.request.name)
        }
    }

    static func failed(_ actions: [Machine.Action]) -> [String: WriterClientError.Code] {
        var failed: [String: WriterClientError.Code] = [:]
        for case .fail(let requests, let error) in actions {
            for request in requests { failed[request.name] = error.code }
        }
        return failed
    }

    static func connects(_ actions: [Machine.Action]) -> Bool {
        actions.contains {
            switch $0 {
            case .connect, .connectAfterDraining: true
            default: false
            }
        }
    }

    /// A machine connected on `connection`, with `r0` written on it and not answered.
    func connectedWithOneInFlight(_ connection: Connection) -> (Machine, Machine.Entry) {
        var machine = Machine(connectTimeout: .seconds(5))
        #expect(Self.connects(machine.submit(Request(name: "r0"), now: self.start)))
        guard case .write(let entries, _) = machine.connected(connection).first else {
            Issue.record("the first request was not written on connecting")
            return (machine, Machine.Entry(sequence: 0, request: Request(name: "r0"), deadline: self.start, wasInFlight: false))
        }
        return (machine, entries[0])
    }

    @Test func requestsKeepTheirSubmissionOrderAcrossAReconnect() {
        let old = Connection()
        var (machine, r0) = self.connectedWithOneInFlight(old)
        let r1 = machine.submit(Request(name: "r1"), now: self.start)
        #expect(Self.written(r1) == ["r1"], "written at once while connected")
        guard case .write(let r1Entries, _) = r1.first else { return }
        // r1's write never left (the connection closed under it); then the connection's loss reports r0.
        #expect(machine.notSent(r1Entries, on: old, now: self.start).isEmpty)
        let lost = machine.connectionLost(old, inFlight: [r0], isSafeToResend: \.idempotent, now: self.start)
        #expect(Self.connects(lost))
        #expect(Self.written(machine.submit(Request(name: "r2"), now: self.start)).isEmpty, "waits for the new connection")
        let new = Connection()
        let onConnect = machine.connected(new)
        #expect(Self.written(onConnect) == ["r0", "r1", "r2"])
        guard case .write(_, let target) = onConnect.first else { return }
        #expect(target === new)
    }

    @Test func anInFlightIdempotentAppendIsSentAgainFirstAndAnyOtherRequestFails() {
        let old = Connection()
        var machine = Machine(connectTimeout: .seconds(5))
        _ = machine.submit(Request(name: "append"), now: self.start)
        _ = machine.connected(old)
        let commit = machine.submit(Request(name: "commit-offsets", idempotent: false), now: self.start)
        guard case .write(let entries, _) = commit.first else { return }
        let inFlight = [Machine.Entry(sequence: 0, request: Request(name: "append"), deadline: self.start, wasInFlight: false)] + entries
        let lost = machine.connectionLost(old, inFlight: inFlight, isSafeToResend: \.idempotent, now: self.start)
        #expect(Self.failed(lost) == ["commit-offsets": .connectionLost], "it may have committed: its caller decides")
        _ = machine.submit(Request(name: "later"), now: self.start)
        let resent = machine.connected(Connection())
        #expect(Self.written(resent) == ["append", "later"])
        guard case .write(let written, _) = resent.first else { return }
        #expect(written.map(\.wasInFlight) == [true, false])
    }

    @Test func aRequestWaitsForAConnectionAtMostTheConnectTimeout() {
        var machine = Machine(connectTimeout: .seconds(5))
        #expect(Self.connects(machine.submit(Request(name: "r"), now: self.start)))
        let early = machine.connectFailed(now: self.start + .seconds(1), reason: "refused")
        #expect(Self.failed(early).isEmpty)
        #expect(early.contains { if case .connectAfter = $0 { true } else { false } }, "tries again")
        let late = machine.connectFailed(now: self.start + .seconds(5), reason: "refused")
        #expect(Self.failed(late) == ["r": .unavailable])
        guard case .disconnected = machine.state else {
            Issue.record("with nothing left waiting the machine stops trying, not \(machine.state)")
            return
        }
    }

    @Test func anAppendLostInFlightFailsAsLostIfTheWriterDoesNotComeBackInTime() {
        let old = Connection()
        var (machine, r0) = self.connectedWithOneInFlight(old)
        let lostAt = self.start + .seconds(3)
        _ = machine.connectionLost(old, inFlight: [r0], isSafeToResend: \.idempotent, now: lostAt)
        // Its time runs from the loss, not from its first submission.
        #expect(Self.failed(machine.connectFailed(now: lostAt + .seconds(4), reason: "refused")).isEmpty)
        #expect(Self.failed(machine.connectFailed(now: lostAt + .seconds(5), reason: "refused")) == ["r0": .connectionLost])
    }

    @Test func shutdownFailsWhatWaitsClosesTheConnectionAndRefusesMore() {
        let connection = Connection()
        var (machine, _) = self.connectedWithOneInFlight(connection)
        let lost = machine.connectionLost(connection, inFlight: [], isSafeToResend: \.idempotent, now: self.start)
        #expect(lost.isEmpty, "nothing waits and nobody subscribed: no new attempt")
        _ = machine.submit(Request(name: "waiting"), now: self.start)
        let shutdown = machine.shutdown()
        #expect(Self.failed(shutdown) == ["waiting": .unavailable])
        #expect(Self.failed(machine.submit(Request(name: "after"), now: self.start)) == ["after": .unavailable])
        // An attempt that completes after the shutdown is closed, not used.
        let late = Connection()
        let actions = machine.connected(late)
        #expect(actions.contains { if case .close(let closed) = $0 { closed === late } else { false } })
    }

    @Test func aSubscriberKeepsAConnectionEvenWithNothingToSend() {
        var machine = Machine(connectTimeout: .seconds(5))
        #expect(Self.connects(machine.subscribe()))
        let failed = machine.connectFailed(now: self.start + .seconds(60), reason: "refused")
        #expect(failed.contains { if case .connectAfter = $0 { true } else { false } })
        let connection = Connection()
        #expect(machine.connected(connection).isEmpty)
        #expect(Self.connects(machine.connectionLost(connection, inFlight: [], isSafeToResend: \.idempotent, now: self.start)))
    }

    /// A write queued for a connection before its loss may fail after the loss was reported; if a new
    /// connection is up by then, it goes out on that one rather than waiting for ever.
    @Test func aWriteThatFailsAfterItsConnectionWasReplacedIsSentOnTheNewOne() {
        let old = Connection()
        var (machine, r0) = self.connectedWithOneInFlight(old)
        _ = machine.connectionLost(old, inFlight: [], isSafeToResend: \.idempotent, now: self.start)
        _ = machine.submit(Request(name: "r1"), now: self.start)
        let new = Connection()
        #expect(Self.written(machine.connected(new)) == ["r1"])
        let late = machine.notSent([r0], on: old, now: self.start)
        #expect(Self.written(late) == ["r0"])
        guard case .write(_, let target) = late.first else { return }
        #expect(target === new)
    }

    @Test func subscribingWhileConnectedClosesTheConnectionSoTheNextCarriesTheSubscription() {
        let connection = Connection()
        var (machine, _) = self.connectedWithOneInFlight(connection)
        let actions = machine.subscribe()
        #expect(actions.contains { if case .close(let closed) = $0 { closed === connection } else { false } })
    }
}
