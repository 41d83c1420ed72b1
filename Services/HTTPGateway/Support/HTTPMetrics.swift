import Metrics
import MonologObservability
import Synchronization

/// What the HTTP gateway counts, through swift-metrics: how long produce and consume take, and the
/// messages and bytes consume returns per topic.
enum HTTPMetrics {
    static let produceDuration = Metrics.Timer(label: MetricCatalog.httpRequestDuration, dimensions: [("operation", "produce")])
    static let consumeDuration = Metrics.Timer(label: MetricCatalog.httpRequestDuration, dimensions: [("operation", "consume")])

    private struct TopicCounters {
        var messages: Counter
        var bytes: Counter
    }
    private static let outByTopic = Mutex<[String: TopicCounters]>([:])

    /// Times `operation` into `timer`, whether it succeeds or fails.
    static func timed<T>(_ timer: Metrics.Timer, _ operation: () async throws -> T) async rethrows -> T {
        let start = ContinuousClock.now
        defer { timer.record(duration: ContinuousClock.now - start) }
        return try await operation()
    }

    static func recordConsumed(topic: String, messages: Int, bytes: Int) {
        guard messages > 0 else { return }
        let counters = self.outByTopic.withLock { cache in
            if let counters = cache[topic] { return counters }
            let counters = TopicCounters(
                messages: Counter(label: MetricCatalog.httpMessagesOut, dimensions: [("topic", topic)]),
                bytes: Counter(label: MetricCatalog.httpBytesOut, dimensions: [("topic", topic)])
            )
            cache[topic] = counters
            return counters
        }
        counters.messages.increment(by: messages)
        counters.bytes.increment(by: bytes)
    }
}
