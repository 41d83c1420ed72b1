import Foundation
import Synchronization

/// Load for end-to-end tests: `lanes` producers over the HTTP API, each on its own thread (libcurl
/// blocks, and blocking calls on Swift's two cooperative threads would starve the test itself), each
/// waiting for its acknowledgement before the next send, together at most `perSecond` messages a
/// second, until stopped. Keeps every acknowledged value with the time its acknowledgement came.
public final class PacedProducer: Sendable {
    public struct Acknowledged: Sendable {
        public var value: String
        public var at: ContinuousClock.Instant
    }

    private final class State: Sendable {
        let acknowledged = Mutex<[Acknowledged]>([])
        let sent = Atomic<Int>(0)
        let stopped = Atomic<Bool>(false)
        let running = Atomic<Int>(0)
    }

    private let state = State()

    public init(broker: Broker, topic: String, perSecond: Int, lanes: Int = 1) {
        let state = self.state
        state.running.store(lanes, ordering: .sequentiallyConsistent)
        for lane in 0..<lanes {
            let thread = Thread {
                let start = ContinuousClock.now
                var sequence = 0
                while !state.stopped.load(ordering: .relaxed) {
                    let value = "lane\(lane)-\(sequence)"
                    state.sent.add(1, ordering: .relaxed)
                    if (try? broker.produce(topic: topic, value: value)) != nil {
                        let acknowledged = Acknowledged(value: value, at: .now)
                        state.acknowledged.withLock { $0.append(acknowledged) }
                    }
                    sequence += 1
                    let due = start + .microseconds(Int64(1_000_000 * lanes * sequence / perSecond))
                    let wait = due - .now
                    if wait > .zero { Thread.sleep(forTimeInterval: Double(wait.components.attoseconds) / 1e18 + Double(wait.components.seconds)) }
                }
                state.running.subtract(1, ordering: .sequentiallyConsistent)
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Every acknowledged message so far, in the order the acknowledgements came.
    public var acknowledged: [Acknowledged] { self.state.acknowledged.withLock { $0 } }
    /// Messages sent so far, acknowledged or not.
    public var sent: Int { self.state.sent.load(ordering: .relaxed) }

    /// Stops every lane and waits until each has finished its last request.
    public func stop() async {
        self.state.stopped.store(true, ordering: .relaxed)
        while self.state.running.load(ordering: .sequentiallyConsistent) > 0 { try? await Task.sleep(for: .milliseconds(10)) }
    }
}
