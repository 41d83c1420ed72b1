import Metrics
import MonologObservability
import MonologWriterProtocol

/// What the writer counts, reported through swift-metrics: messages and bytes in per topic, each
/// group's size, its commit and fsync times, and refused requests. Used by the writer's event loop
/// only, so the refusal counters are cached without a lock.
final class WriterMetrics {
    private let appended = TopicTrafficCounters(messages: MetricCatalog.writerMessagesIn, bytes: MetricCatalog.writerBytesIn)
    private var rejected: [String: Counter] = [:]
    private let commitRequests = Recorder(label: MetricCatalog.writerCommitRequests)
    private let commitDuration = Metrics.Timer(label: MetricCatalog.writerCommitDuration)
    private let fsyncDuration = Metrics.Timer(label: MetricCatalog.writerFsyncDuration)

    /// One committed group: its size and times, then what each of its requests did.
    /// A retried idempotent batch is answered without being stored again, so it is not counted again.
    func recordCommit(_ outcomes: [WriteOutcome], total: Duration, fsync: Duration) {
        self.commitRequests.record(outcomes.count)
        self.commitDuration.record(duration: total)
        self.fsyncDuration.record(duration: fsync)
        for outcome in outcomes {
            if let stored = outcome.stored {
                self.appended.record(topic: stored.topic, messages: stored.messages, bytes: stored.bytes)
            }
            if case .refused(let error) = outcome.answer {
                self.recordRejection(error.code)
            }
        }
    }

    /// A request the writer answered with an error (from a commit, or refused before one).
    func recordRejection(_ code: WriterErrorCode) {
        let name = "\(code)"
        if self.rejected[name] == nil {
            self.rejected[name] = Counter(label: MetricCatalog.writerRejectedRequests, dimensions: [("code", name)])
        }
        self.rejected[name]!.increment()
    }
}
