import Foundation
import MonologProcess
@_spi(StorageEngine) import MonologStorage

/// The machine's own limits, measured in the same run as the scenarios they are compared with.
enum Baselines {
    /// 4 KiB appended and fdatasync'ed per write, one thread: what "one fsync per message" costs here.
    static func fdatasyncPerWrite(directory: String, duration: Duration) -> Double {
        let path = directory + "/fdatasync-baseline"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o600)
        precondition(fd >= 0, "cannot open \(path)")
        defer {
            close(fd)
            unlink(path)
        }
        let block = [UInt8](repeating: 0x5A, count: 4096)
        let clock = ContinuousClock()
        let start = clock.now
        var writes = 0
        while clock.now - start < duration {
            _ = block.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            fdatasync(fd)
            writes += 1
        }
        return Double(writes) / (clock.now - start).inSeconds
    }

    /// One-row transactions in SQLite with WAL and synchronous=FULL: the storage engine's floor.
    static func sqliteCommitsPerSecond(directory: String, duration: Duration) -> Double {
        let path = directory + "/sqlite-baseline.db"
        defer { for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) } }
        do {
            let db = try SQLiteConnection(path: path, mode: .readWrite)
            _ = try db.pragma("journal_mode = WAL")
            try db.execute("PRAGMA synchronous = FULL; CREATE TABLE t (v BLOB)")
            let clock = ContinuousClock()
            let start = clock.now
            var commits = 0
            while clock.now - start < duration {
                try db.statement("INSERT INTO t (v) VALUES (zeroblob(512))").run()
                commits += 1
            }
            return Double(commits) / (clock.now - start).inSeconds
        } catch {
            fatalError("SQLite baseline failed: \(error)")
        }
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}
