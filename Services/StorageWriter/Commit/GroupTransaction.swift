import Foundation
import MonologProcess
import MonologStorage
import MonologStorageEngine
import MonologWriterProtocol

/// What a group does to the database: one transaction, each request in it in its own savepoint, and
/// the COMMIT whose fsync (`synchronous=FULL`) makes the whole group durable at once.
///
/// Used by one thread at a time: the writer's loop, or its helper thread while the loop leaves the
/// database alone (see GroupCommitter).
struct GroupTransaction {
    let db: SQLiteConnection
    let store: LogStore

    init(connection: SQLiteConnection) {
        self.db = connection
        self.store = LogStore(connection: connection)
        self.store.defersHighWatermarkUpdates = true
    }

    func begin() throws {
        try self.db.statement("BEGIN IMMEDIATE").run()
    }

    /// Applies a request unless an earlier one in the group met a storage failure (then the group will
    /// be rolled back and this request is answered with the failure). A storage failure here is kept
    /// in `failure` for the commit.
    func apply(_ command: any StorageCommand, unlessFailed failure: inout (any Error)?) -> WriteOutcome {
        if failure == nil {
            do {
                return try self.apply(command)
            } catch {
                failure = error
            }
        }
        return .refused(.storageFailure, "storage failure earlier in the group")
    }

    /// Applies one request in a savepoint: a client error (unknown topic, bad partition) rolls back only
    /// that request and is its answer; a storage failure is rethrown, to fail the group.
    func apply(_ command: any StorageCommand) throws -> WriteOutcome {
        let nowMs = wallClockMs()
        if !command.needsSavepoint {
            do throws(StorageError) {
                return try command.run(on: self.store, nowMs: nowMs)
            } catch  where !error.failsTheGroup {
                return .refused(error)
            }
        }
        // A request other than an append first writes the high watermarks earlier appends left pending
        // (it may read them). Write them before the savepoint: a refusal rolls back to it, and would take
        // those writes along while the appends themselves stay, acknowledged but not readable.
        try self.store.flushPartitionStates()
        try self.db.statement("SAVEPOINT request").run()
        do {
            let outcome = try command.run(on: self.store, nowMs: nowMs)
            try self.db.statement("RELEASE request").run()
            return outcome
        } catch let error as StorageError where !error.failsTheGroup {
            self.db.resetAllStatements()
            try self.db.statement("ROLLBACK TO request").run()
            try self.db.statement("RELEASE request").run()
            return .refused(error)
        }
    }

    /// Commits, or rolls back if the group met a storage failure (`failure`) or the COMMIT fails. Returns
    /// the time the COMMIT took: the WAL write and its fsync.
    func commit(failure: (any Error)?) throws -> Duration {
        do {
            if let failure { throw failure }
            try self.store.flushPartitionStates()
            self.db.resetAllStatements()
            let committing = ContinuousClock.now
            try self.db.statement("COMMIT").run()
            return ContinuousClock.now - committing
        } catch {
            // A storage failure (disk full, I/O error) leaves the whole transaction in doubt: roll it back
            // and fail every request in it. None was acknowledged, so nothing acknowledged is lost.
            self.db.resetAllStatements()
            try? self.db.execute("ROLLBACK")
            self.store.discardCaches()
            throw error
        }
    }
}
