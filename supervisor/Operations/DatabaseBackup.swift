import Foundation
import MonologProcess
import MonologStorage

/// A consistent copy of a data directory's database, taken while the broker serves: SQLite's
/// `VACUUM INTO` on a read-only connection writes one snapshot of the file (every transaction committed
/// before it began, none after), without the writer's help and without writing the database itself.
/// Neither VACUUM INTO nor rename makes the copy durable, so the copy and its directory are fsynced
/// before it takes its final name, and it is checked (`PRAGMA integrity_check`, schema version) before
/// the backup is reported done.
enum DatabaseBackup {
    struct Summary {
        var bytes: Int
        var schemaVersion: Int
        var seconds: Double
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func copy(_ directory: DataDirectory, to destination: String) throws -> Summary {
        let started = ContinuousClock.now
        guard FileManager.default.fileExists(atPath: directory.databasePath) else {
            throw Failure(description: "no database at \(directory.databasePath)")
        }
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw Failure(description: "\(destination) already exists; a backup never overwrites a file")
        }
        let folder = (destination as NSString).deletingLastPathComponent.isEmpty ? "." : (destination as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // Written under a temporary name: an interrupted backup never leaves a file that looks finished.
        let partial = destination + ".partial"
        unlink(partial)
        do {
            let database = try SQLiteConnection.openForReading(directory)
            try database.statement("VACUUM INTO ?1").bind(1, partial).run()
            try Self.fsync(path: partial)
            guard rename(partial, destination) == 0 else { throw Failure(description: "renaming \(partial): \(String(cString: strerror(errno)))") }
            try Self.fsync(path: folder)
        } catch {
            unlink(partial)
            throw error
        }
        let check = try Self.verify(destination)
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: destination))?[.size] as? Int) ?? 0
        return Summary(bytes: bytes, schemaVersion: check, seconds: (ContinuousClock.now - started).inSeconds)
    }

    /// Checks a database file Monolog can serve: intact, and at a schema version this build knows.
    /// Returns the version.
    static func verify(_ path: String) throws -> Int {
        let copy = try SQLiteConnection(readOnlyPath: path)
        let integrity = try copy.integrityCheck()
        guard integrity == "ok" else { throw Failure(description: "\(path) failed its integrity check: \(integrity)") }
        let version = Int(try copy.pragma("user_version") ?? "0") ?? 0
        guard version >= 1, version <= StorageSchema.latestVersion else {
            throw Failure(description: "\(path) has schema version \(version); this build knows 1 to \(StorageSchema.latestVersion)")
        }
        return version
    }

    static func fsync(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw Failure(description: "opening \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard Foundation.fsync(fd) == 0 else { throw Failure(description: "fsync of \(path): \(String(cString: strerror(errno)))") }
    }
}
