import Metrics
import MonologObservability
import MonologRecords
import NIOCore
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
    /// A retried idempotent batch is answered `.appended` without being stored again (no watermark
    /// moved), so it is not counted again.
    func recordCommit(_ commands: [WriteCommand], outcomes: [WriteCommand.Outcome], total: Duration, fsync: Duration) {
        self.commitRequests.record(commands.count)
        self.commitDuration.record(duration: total)
        self.fsyncDuration.record(duration: fsync)
        for (command, outcome) in zip(commands, outcomes) {
            switch (command, outcome.response) {
            case (.append(let topic, _, let batches), .appended(let base, let last, _, _)) where !outcome.watermarks.isEmpty:
                self.appended.record(topic: topic, messages: Int(last - base + 1), bytes: batches.reduce(0) { $0 + $1.bytes.readableBytes })
            case (_, .error(let code, _)):
                self.recordRejection(code)
            default:
                break
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
