import Foundation
import Logging
import Metrics
import MonologObservability
import MonologStorage
import MonologWriterProtocol
import NIOConcurrencyHelpers
import NIOCore

/// The heart of the writer: one thread that owns the database connection and commits in groups.
///
/// Requests from every connection queue here. The thread takes everything that queued while its last
/// commit was in flight, applies it in one transaction (each request in its own savepoint, so one
/// client's mistake does not fail the others), commits with one fsync (`synchronous=FULL`), and only
/// then answers. So N producers waiting on their acks share one fsync instead of paying N.
///
/// Adaptive linger: when it wakes to fewer requests than its last group held, it waits up to
/// `maxLinger` for the rest. Clients that each wait for their ack send their next requests a few
/// microseconds apart; without the wait, the first one alone would take a whole fsync. A lone client
/// never waits, because the expected size follows the size of the groups actually committed.
final class GroupCommitter: @unchecked Sendable {
    typealias Completion = @Sendable (WriterResponse) -> Void

    private struct Pending {
        var command: WriteCommand
        var bytes: Int
        /// Where the completion must run (a connection's event loop); nil runs it on the commit thread.
        var eventLoop: (any EventLoop)?
        var completion: Completion
    }

    // Guarded by `condition`.
    private var queue: [Pending] = []
    private var queuedBytes = 0
    private var stopping = false

    private let condition = NSCondition()
    private let stopped = ConditionLock(value: 0)
    /// How long to wait for stragglers of a group; a fraction of an fsync on this class of disk.
    private let maxLinger: TimeInterval = 0.000_150
    /// Sizes of the last 16 groups; the largest is how many requests to wait for (commit thread only).
    /// The largest, not the last: after a group of 6 out of 10 clients, waiting for 6 would lock the
    /// group size at 6. It decays within 16 commits when clients go away.
    private var recentGroupSizes = [Int](repeating: 1, count: 16)
    private var recentGroupIndex = 0
    private var expectedGroupSize = 1
    /// Totals for the shutdown log line (commit thread only).
    private var commits = 0
    private var requestsCommitted = 0
    private var commitTime = Duration.zero
    private let db: SQLiteConnection
    private let store: LogStore
    private let maxQueuedBytes: Int
    private let logger: Logger
    private let checkpoints: CheckpointPolicy
    private let metrics = WriterMetrics()
    /// Told, after each commit, which partitions' watermarks moved (the server forwards to subscribers).
    private let onWatermarks: @Sendable ([PartitionWatermark]) -> Void

    init(
        connection: SQLiteConnection,
        databasePath: String,
        maxQueuedBytes: Int,
        logger: Logger,
        onWatermarks: @escaping @Sendable ([PartitionWatermark]) -> Void = { _ in }
    ) {
        self.db = connection
        self.store = LogStore(connection: connection)
        self.store.defersHighWatermarkUpdates = true
        self.maxQueuedBytes = maxQueuedBytes
        self.logger = logger
        self.checkpoints = CheckpointPolicy(databasePath: databasePath, logger: logger)
        self.onWatermarks = onWatermarks
    }

    func start() {
        let thread = Thread { [self] in self.runLoop() }
        thread.name = "monolog-group-commit"
        thread.start()
    }

    /// Queues a write. `completion` runs once the write is durable or has failed: on `eventLoop` when one
    /// is given (one hop per loop for the whole group, not one per request), else on the commit thread.
    func submit(_ command: WriteCommand, bytes: Int, on eventLoop: (any EventLoop)? = nil, completion: @escaping Completion) {
        self.condition.lock()
        if self.stopping {
            self.condition.unlock()
            completion(.error(.shuttingDown, message: "the storage writer is shutting down"))
            return
        }
        // Bounded queue: refuse rather than buffer without limit. One request is always accepted into an
        // empty queue, so a request within the frame limit can always make progress.
        if !self.queue.isEmpty && self.queuedBytes + bytes > self.maxQueuedBytes {
            self.condition.unlock()
            completion(.error(.overloaded, message: "the storage writer has \(self.queuedBytes) bytes queued; retry"))
            Counter(label: MetricCatalog.writerRejectedRequests, dimensions: [("code", "\(WriterErrorCode.overloaded)")]).increment()
            return
        }
        self.queue.append(Pending(command: command, bytes: bytes, eventLoop: eventLoop, completion: completion))
        self.queuedBytes += bytes
        self.condition.signal()
        self.condition.unlock()
    }

    /// Stops taking requests, commits what is queued, closes the database and returns once all is done.
    func stopAndDrain() {
        self.condition.lock()
        self.stopping = true
        self.condition.signal()
        self.condition.unlock()
        self.stopped.lock(whenValue: 1)
        self.stopped.unlock()
    }

    private func runLoop() {
        while true {
            let (group, stopping) = self.nextGroup()
            if group.isEmpty {
                if stopping { break }
                continue
            }
            self.recentGroupSizes[self.recentGroupIndex] = min(group.count, 1024)
            self.recentGroupIndex = (self.recentGroupIndex + 1) % self.recentGroupSizes.count
            self.expectedGroupSize = self.recentGroupSizes.max() ?? 1
            let started = ContinuousClock.now
            self.commit(group)
            self.commitTime += ContinuousClock.now - started
            self.commits += 1
            self.requestsCommitted += group.count
        }
        self.logger.info(
            "group committer drained; every queued write answered",
            metadata: [
                "commits": "\(self.commits)", "requests": "\(self.requestsCommitted)",
                "average_group": "\(self.commits == 0 ? 0 : Double(self.requestsCommitted) / Double(self.commits))",
                "average_commit_us": "\(self.commits == 0 ? 0 : Int(seconds(self.commitTime) * 1e6) / self.commits)",
            ]
        )
        self.stopped.lock()
        self.stopped.unlock(withValue: 1)
    }

    /// Waits for work, lingers briefly for the rest of a group, and takes the whole queue.
    private func nextGroup() -> (group: [Pending], stopping: Bool) {
        self.condition.lock()
        defer { self.condition.unlock() }
        while self.queue.isEmpty && !self.stopping { self.condition.wait() }
        if !self.stopping && self.queue.count < self.expectedGroupSize {
            let deadline = Date(timeIntervalSinceNow: self.maxLinger)
            while self.queue.count < self.expectedGroupSize && !self.stopping && self.condition.wait(until: deadline) {}
        }
        let group = self.queue
        self.queue = []
        self.queuedBytes = 0
        return (group, self.stopping)
    }

    private func commit(_ group: [Pending]) {
        let started = ContinuousClock.now
        var fsyncTime = Duration.zero
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        var outcomes: [WriteCommand.Outcome] = []
        outcomes.reserveCapacity(group.count)
        do {
            try self.db.statement("BEGIN IMMEDIATE").run()
            for pending in group {
                outcomes.append(try self.applyInSavepoint(pending.command, nowMs: nowMs))
            }
            try self.store.flushPartitionStates()
            self.db.resetAllStatements()
            let committing = ContinuousClock.now
            try self.db.statement("COMMIT").run()
            fsyncTime = ContinuousClock.now - committing
        } catch {
            // A storage failure (disk full, I/O error) leaves the whole transaction in doubt: roll it back
            // and fail every request in it. None was acknowledged, so nothing acknowledged is lost.
            self.db.resetAllStatements()
            try? self.db.execute("ROLLBACK")
            self.store.discardCaches()
            self.logger.error("commit failed; group rolled back", metadata: [LogKey.error: "\(error)"])
            outcomes = group.map { _ in .init(response: .error(.storageFailure, message: "storage failure: \(error)")) }
        }
        self.logger.trace("committed group", metadata: ["writer.group_size": "\(group.count)"])
        // Subscribers hear of the new watermarks before the producers hear of their offsets, so a
        // consumer told "appended" by anyone can already fetch the data.
        let watermarks = outcomes.flatMap(\.watermarks)
        if !watermarks.isEmpty { self.onWatermarks(Self.latest(watermarks)) }
        self.complete(group, with: outcomes.map(\.response))
        self.metrics.recordCommit(group.map(\.command), outcomes: outcomes, total: ContinuousClock.now - started, fsync: fsyncTime)
        self.checkpoints.afterCommit(self.db)
    }

    /// Runs the completions, grouped by event loop: waking a loop costs a syscall, so each loop is
    /// woken once per commit with all of its answers.
    private func complete(_ group: [Pending], with responses: [WriterResponse]) {
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, work: [(Completion, WriterResponse)])] = [:]
        for (pending, response) in zip(group, responses) {
            guard let loop = pending.eventLoop else {
                pending.completion(response)
                continue
            }
            byLoop[ObjectIdentifier(loop), default: (loop, [])].work.append((pending.completion, response))
        }
        for (_, entry) in byLoop {
            let work = entry.work
            entry.loop.execute {
                for (completion, response) in work { completion(response) }
            }
        }
    }

    /// One watermark per partition: the last one reported in the group.
    static func latest(_ watermarks: [PartitionWatermark]) -> [PartitionWatermark] {
        var byPartition: [TopicPartition: PartitionWatermark] = [:]
        var order: [TopicPartition] = []
        for watermark in watermarks {
            let key = TopicPartition(topic: watermark.topic, partition: watermark.partition)
            if byPartition.updateValue(watermark, forKey: key) == nil { order.append(key) }
        }
        return order.compactMap { byPartition[$0] }
    }

    /// Applies one request in a savepoint: a client error (unknown topic, bad partition) rolls back only
    /// that request; a storage failure is rethrown to fail the group.
    private func applyInSavepoint(_ command: WriteCommand, nowMs: Int64) throws -> WriteCommand.Outcome {
        // A one-batch append finds every client mistake (unknown topic, bad partition, sequence, epoch)
        // before it writes anything, so it needs no savepoint; that saves two statements per message.
        if case .append(_, _, let batches) = command, batches.count == 1 {
            do throws(StorageError) {
                return try command.apply(to: self.store, nowMs: nowMs)
            } catch where error.code != .storageFailure {
                return WriteCommand.Outcome(response: .error(WriterErrorCode(error.code), message: error.message))
            }
        }
        try self.db.statement("SAVEPOINT request").run()
        do {
            let outcome = try command.apply(to: self.store, nowMs: nowMs)
            try self.db.statement("RELEASE request").run()
            return outcome
        } catch let error as StorageError where error.code != .storageFailure {
            self.db.resetAllStatements()
            try self.db.statement("ROLLBACK TO request").run()
            try self.db.statement("RELEASE request").run()
            return WriteCommand.Outcome(response: .error(WriterErrorCode(error.code), message: error.message))
        }
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
