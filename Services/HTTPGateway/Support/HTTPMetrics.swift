import Metrics
import MonologObservability

/// What the HTTP gateway counts, through swift-metrics: how long produce and consume take, and the
/// messages and bytes consume returns per topic.
enum HTTPMetrics {
    static let produceDuration = Metrics.Timer(label: MetricCatalog.httpRequestDuration, dimensions: [("operation", "produce")])
    static let consumeDuration = Metrics.Timer(label: MetricCatalog.httpRequestDuration, dimensions: [("operation", "consume")])

    private static let consumed = TopicTrafficCounters(messages: MetricCatalog.httpMessagesOut, bytes: MetricCatalog.httpBytesOut)

    /// Times `operation` into `timer`, whether it succeeds or fails.
    static func timed<T>(_ timer: Metrics.Timer, _ operation: () async throws -> T) async rethrows -> T {
        let start = ContinuousClock.now
        defer { timer.record(duration: ContinuousClock.now - start) }
        return try await operation()
    }

    static func recordConsumed(topic: String, messages: Int, bytes: Int) {
        guard messages > 0 else { return }
        self.consumed.record(topic: topic, messages: messages, bytes: bytes)
    }
}
