import Foundation
import Logging
import MonologObservability
import MonologStorage
import MonologWriterProtocol
import NIOConcurrencyHelpers

/// The heart of the writer: one thread that owns the database connection and commits in groups.
///
/// Requests from every connection queue here. The thread takes everything that queued while its last
/// commit was in flight, applies it in one transaction (each request in its own savepoint, so one
/// client's mistake does not fail the others), commits with one fsync (`synchronous=FULL`), and only
/// then answers. So N producers waiting on their acks share one fsync instead of paying N.
final class GroupCommitter: @unchecked Sendable {
    typealias Completion = @Sendable (WriterResponse) -> Void

    private struct Pending {
        var command: WriteCommand
        var bytes: Int
        var completion: Completion
    }

    private enum Signal: Int {
        case idle = 0
        case work = 1
    }

    // Guarded by `signal`'s lock.
    private var queue: [Pending] = []
    private var queuedBytes = 0
    private var stopping = false

    private let signal = ConditionLock(value: Signal.idle.rawValue)
    private let stopped = ConditionLock(value: 0)
    private let db: SQLiteConnection
    private let store: LogStore
    private let maxQueuedBytes: Int
    private let logger: Logger
    private let checkpoints: CheckpointPolicy
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

    /// Queues a write. `completion` runs on the commit thread once the write is durable or has failed.
    func submit(_ command: WriteCommand, bytes: Int, completion: @escaping Completion) {
        self.signal.lock()
        if self.stopping {
            self.signal.unlock()
            completion(.error(.shuttingDown, message: "the storage writer is shutting down"))
            return
        }
        // Bounded queue: refuse rather than buffer without limit. One request is always accepted into an
        // empty queue, so a request within the frame limit can always make progress.
        if !self.queue.isEmpty && self.queuedBytes + bytes > self.maxQueuedBytes {
            self.signal.unlock()
            completion(.error(.overloaded, message: "the storage writer has \(self.queuedBytes) bytes queued; retry"))
            return
        }
        self.queue.append(Pending(command: command, bytes: bytes, completion: completion))
        self.queuedBytes += bytes
        self.signal.unlock(withValue: Signal.work.rawValue)
    }

    /// Stops taking requests, commits what is queued, closes the database and returns once all is done.
    func stopAndDrain() {
        self.signal.lock()
        self.stopping = true
        self.signal.unlock(withValue: Signal.work.rawValue)
        self.stopped.lock(whenValue: 1)
        self.stopped.unlock()
    }

    private func runLoop() {
        while true {
            self.signal.lock(whenValue: Signal.work.rawValue)
            let group = self.queue
            let stopping = self.stopping
            self.queue = []
            self.queuedBytes = 0
            self.signal.unlock(withValue: stopping ? Signal.work.rawValue : Signal.idle.rawValue)
            if group.isEmpty {
                if stopping { break }
                continue
            }
            self.commit(group)
        }
        self.logger.info("group committer drained; every queued write answered")
        self.stopped.lock()
        self.stopped.unlock(withValue: 1)
    }

    private func commit(_ group: [Pending]) {
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        var responses: [WriterResponse] = []
        var watermarks: [PartitionWatermark] = []
        responses.reserveCapacity(group.count)
        do {
            try self.db.execute("BEGIN IMMEDIATE")
            for pending in group {
                let outcome = try self.applyInSavepoint(pending.command, nowMs: nowMs)
                responses.append(outcome.response)
                watermarks += outcome.watermarks
            }
            self.db.resetAllStatements()
            try self.db.execute("COMMIT")
        } catch {
            // A storage failure (disk full, I/O error) leaves the whole transaction in doubt: roll it back
            // and fail every request in it. None was acknowledged, so nothing acknowledged is lost.
            self.db.resetAllStatements()
            try? self.db.execute("ROLLBACK")
            self.logger.error("commit failed; group rolled back", metadata: [LogKey.error: "\(error)"])
            responses = group.map { _ in .error(.storageFailure, message: "storage failure: \(error)") }
            watermarks = []
        }
        self.logger.trace("committed group", metadata: ["writer.group_size": "\(group.count)"])
        for (pending, response) in zip(group, responses) {
            pending.completion(response)
        }
        if !watermarks.isEmpty { self.onWatermarks(Self.latest(watermarks)) }
        self.checkpoints.afterCommit(self.db)
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
        try self.db.execute("SAVEPOINT request")
        do {
            let outcome = try command.apply(to: self.store, nowMs: nowMs)
            try self.db.execute("RELEASE request")
            return outcome
        } catch let error as StorageError where error.code != .storageFailure {
            self.db.resetAllStatements()
            try self.db.execute("ROLLBACK TO request; RELEASE request")
            return WriteCommand.Outcome(response: .error(WriterErrorCode(error.code), message: error.message))
        }
    }
}
