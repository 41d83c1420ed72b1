import Metrics
import MonologConfig
import NIOCore
import Synchronization

/// The broker-wide bound on Kafka requests being served: `queued.max.requests` of them and
/// `queued.max.request.bytes` of their frames. A connection takes a place before it serves a request
/// and gives it back when the answer is written (or when a fetch parks: a parked long poll holds no
/// more than its small request, as a fetch in Kafka's purgatory holds no request-queue place). While
/// the budget is spent, connections stop reading and wait here; each place given back wakes them.
///
/// A request is let in whenever the total is below the bound, so a single request larger than the
/// byte bound is still served (alone) rather than never.
///
/// Large frames (over `KafkaConnectionHandler.unreservedFrameBytes`) are bounded while they arrive,
/// not only once whole: a connection reserves the size a frame's prefix announces before it reads the
/// frame's body, and the reservation becomes the request's place when the frame is complete. Large
/// frames, reserved or being served, are let in while their total stays within the byte bound, or
/// one at a time when a single one is larger; what they reserve does not hold back small requests,
/// which are let in as before. So however many connections send large frames slowly, the gateway
/// holds the bytes of at most the bound's worth of them (the others wait in their own sockets).
final class RequestBudget: Sendable {
    /// Called (on any thread) when places are free again; it hops to its own event loop.
    typealias Waiter = @Sendable () -> Void

    private struct State {
        var requests = 0
        var bytes: Int64 = 0
        /// Reserved for large frames still arriving (not part of `bytes` yet).
        var reserved: Int64 = 0
        /// Large frames' bytes: `reserved` plus the large frames among `bytes`.
        var largeBytes: Int64 = 0
        var waiters: [ObjectIdentifier: Waiter] = [:]
        /// Connections waiting to reserve a large frame, with its size.
        var reservationWaiters: [ObjectIdentifier: (bytes: Int64, waiter: Waiter)] = [:]
    }

    let maxRequests: Int
    /// Nil for no limit (Kafka's -1).
    let maxBytes: Int64?
    private let state = Mutex(State())

    init(maxRequests: Int, maxBytes: Int64?) {
        self.maxRequests = maxRequests
        self.maxBytes = maxBytes
    }

    convenience init(_ settings: KafkaSettings) {
        self.init(maxRequests: settings.queuedMaxRequests, maxBytes: settings.queuedMaxRequestBytes < 0 ? nil : settings.queuedMaxRequestBytes)
    }

    /// Takes a place for a request of `bytes`, or, when the budget is spent, registers `waiter` under
    /// `owner` to be called once places are free, and returns false. A frame whose bytes were reserved
    /// (`reserve`) turns its reservation into its place and is always let in.
    func acquire(bytes: Int, reserved: Bool = false, owner: ObjectIdentifier, waiter: @escaping Waiter) -> Bool {
        let taken = self.state.withLock { state in
            if reserved {
                state.reserved -= Int64(bytes)
            } else {
                guard self.hasRoom(state) else {
                    state.waiters[owner] = waiter
                    return false
                }
            }
            state.requests += 1
            state.bytes += Int64(bytes)
            return true
        }
        if taken {
            KafkaMetrics.queuedRequests.increment()
            if !reserved { KafkaMetrics.queuedRequestBytes.increment(by: Double(bytes)) }
        }
        return taken
    }

    /// Whether a request could be let in now; when not, registers `waiter` like `acquire`.
    func hasRoom(owner: ObjectIdentifier, waiter: @escaping Waiter) -> Bool {
        self.state.withLock { state in
            if self.hasRoom(state) { return true }
            state.waiters[owner] = waiter
            return false
        }
    }

    /// Reserves `bytes` for a large frame whose body has not been read yet: granted while large frames
    /// stay within the byte bound, or when no other large frame is held; otherwise registers `waiter`
    /// to be called once it could be, and returns false.
    func reserve(bytes: Int, owner: ObjectIdentifier, waiter: @escaping Waiter) -> Bool {
        let granted = self.state.withLock { state in
            guard self.fits(Int64(bytes), state) else {
                state.reservationWaiters[owner] = (Int64(bytes), waiter)
                return false
            }
            state.reserved += Int64(bytes)
            state.largeBytes += Int64(bytes)
            return true
        }
        if granted { KafkaMetrics.queuedRequestBytes.increment(by: Double(bytes)) }
        return granted
    }

    /// Gives back a reservation whose frame will not be served (its connection closed).
    func cancelReservation(bytes: Int) {
        guard bytes > 0 else { return }
        let woken = self.state.withLock { state in
            state.reserved -= Int64(bytes)
            state.largeBytes -= Int64(bytes)
            return self.wakeable(&state)
        }
        KafkaMetrics.queuedRequestBytes.decrement(by: Double(bytes))
        for waiter in woken { waiter() }
    }

    /// Gives back places taken by `acquire` (`largeBytes` of `bytes` were reserved large frames) and
    /// wakes the waiting connections once there is room.
    func release(requests: Int, bytes: Int, largeBytes: Int = 0) {
        guard requests > 0 else { return }
        let woken: [Waiter] = self.state.withLock { state in
            state.requests -= requests
            state.bytes -= Int64(bytes)
            state.largeBytes -= Int64(largeBytes)
            return self.wakeable(&state)
        }
        KafkaMetrics.queuedRequests.decrement(by: Double(requests))
        KafkaMetrics.queuedRequestBytes.decrement(by: Double(bytes))
        for waiter in woken { waiter() }
    }

    /// A closed connection waits no more.
    func forget(owner: ObjectIdentifier) {
        self.state.withLock {
            _ = $0.waiters.removeValue(forKey: owner)
            _ = $0.reservationWaiters.removeValue(forKey: owner)
        }
    }

    private func hasRoom(_ state: State) -> Bool {
        state.requests < self.maxRequests && (self.maxBytes.map { state.bytes < $0 } ?? true)
    }

    private func fits(_ bytes: Int64, _ state: State) -> Bool {
        guard let maxBytes = self.maxBytes else { return true }
        return state.largeBytes == 0 || state.largeBytes + bytes <= maxBytes
    }

    /// The waiters to wake now: every request waiter once there is room, and each reservation waiter
    /// whose frame would fit. They are removed; one that still finds no room registers again.
    private func wakeable(_ state: inout State) -> [Waiter] {
        var woken: [Waiter] = []
        if self.hasRoom(state), !state.waiters.isEmpty {
            woken.append(contentsOf: state.waiters.values)
            state.waiters.removeAll()
        }
        if !state.reservationWaiters.isEmpty {
            for (owner, waiting) in state.reservationWaiters where self.fits(waiting.bytes, state) {
                woken.append(waiting.waiter)
                state.reservationWaiters.removeValue(forKey: owner)
            }
        }
        return woken
    }
}
