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
final class RequestBudget: Sendable {
    /// Called (on any thread) when places are free again; it hops to its own event loop.
    typealias Waiter = @Sendable () -> Void

    private struct State {
        var requests = 0
        var bytes: Int64 = 0
        var waiters: [ObjectIdentifier: Waiter] = [:]
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
    /// `owner` to be called once places are free, and returns false.
    func acquire(bytes: Int, owner: ObjectIdentifier, waiter: @escaping Waiter) -> Bool {
        let taken = self.state.withLock { state in
            guard self.hasRoom(state) else {
                state.waiters[owner] = waiter
                return false
            }
            state.requests += 1
            state.bytes += Int64(bytes)
            return true
        }
        if taken {
            KafkaMetrics.queuedRequests.increment()
            KafkaMetrics.queuedRequestBytes.increment(by: Double(bytes))
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

    /// Gives back places taken by `acquire` and wakes the waiting connections once there is room.
    func release(requests: Int, bytes: Int) {
        guard requests > 0 else { return }
        let woken: [Waiter] = self.state.withLock { state in
            state.requests -= requests
            state.bytes -= Int64(bytes)
            guard self.hasRoom(state), !state.waiters.isEmpty else { return [] }
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        KafkaMetrics.queuedRequests.decrement(by: Double(requests))
        KafkaMetrics.queuedRequestBytes.decrement(by: Double(bytes))
        for waiter in woken { waiter() }
    }

    /// A closed connection waits no more.
    func forget(owner: ObjectIdentifier) {
        self.state.withLock { _ = $0.waiters.removeValue(forKey: owner) }
    }

    private func hasRoom(_ state: State) -> Bool {
        state.requests < self.maxRequests && (self.maxBytes.map { state.bytes < $0 } ?? true)
    }
}
