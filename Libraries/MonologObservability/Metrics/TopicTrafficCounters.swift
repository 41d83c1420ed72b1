import Metrics
import Synchronization

/// A messages counter and a bytes counter per topic (`{topic="…"}`), made on first use and kept: a
/// lookup per call would take the metrics registry's lock. The writer counts what comes in with it,
/// the gateways what goes out.
public final class TopicTrafficCounters: Sendable {
    private struct Counters {
        var messages: Counter
        var bytes: Counter
    }

    private let messagesLabel: String
    private let bytesLabel: String
    private let byTopic = Mutex<[String: Counters]>([:])

    public init(messages messagesLabel: String, bytes bytesLabel: String) {
        self.messagesLabel = messagesLabel
        self.bytesLabel = bytesLabel
    }

    public func record(topic: String, messages: Int, bytes: Int) {
        let counters = self.byTopic.withLock { cache in
            if let counters = cache[topic] { return counters }
            let counters = Counters(
                messages: Counter(label: self.messagesLabel, dimensions: [("topic", topic)]),
                bytes: Counter(label: self.bytesLabel, dimensions: [("topic", topic)])
            )
            cache[topic] = counters
            return counters
        }
        counters.messages.increment(by: messages)
        counters.bytes.increment(by: bytes)
    }
}
