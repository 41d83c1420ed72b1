import Foundation
import Logging
import MonologStorage

/// Keeps the WAL from growing without bound. SQLite's automatic checkpoint (every ~16 MiB) is passive:
/// it cannot finish while a reader holds an old snapshot, so under steady reads the WAL can keep
/// growing. Once it passes `truncateAboveBytes`, this runs a TRUNCATE checkpoint, which waits briefly
/// for readers (they only hold snapshots for one query) and resets the WAL to zero bytes.
final class CheckpointPolicy {
    private let walPath: String
    private let truncateAboveBytes: Int64
    private let logger: Logger
    private var lastCheck = ContinuousClock.now

    init(databasePath: String, truncateAboveBytes: Int64 = 64 * 1024 * 1024, logger: Logger) {
        self.walPath = databasePath + "-wal"
        self.truncateAboveBytes = truncateAboveBytes
        self.logger = logger
    }

    /// Called on the writer's event loop after a commit's answers are written, never inside a group's
    /// transaction nor while the helper thread commits; looks at the WAL at most every 250 ms.
    func afterCommit(_ db: SQLiteConnection) {
        let now = ContinuousClock.now
        guard now - self.lastCheck > .milliseconds(250) else { return }
        self.lastCheck = now
        var info = stat()
        guard stat(self.walPath, &info) == 0, Int64(info.st_size) > self.truncateAboveBytes else { return }
        let started = ContinuousClock.now
        do {
            _ = try db.pragma("wal_checkpoint(TRUNCATE)")
            self.logger.info(
                "WAL checkpointed",
                metadata: ["wal_bytes_before": "\(info.st_size)", "duration": "\(ContinuousClock.now - started)"]
            )
        } catch {
            self.logger.warning("WAL checkpoint failed; will retry", metadata: ["error": "\(error)"])
        }
    }
}
