import ArgumentParser
import Foundation
import MonologConfig
import MonologProcess
import MonologStorage

/// `monolog-supervisor restore`: a data directory's database from a Litestream replica.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore the database of --data-dir from a Litestream replica.",
        discussion: """
            Runs `litestream restore` into the data directory, checks the result (SQLite's integrity check, \
            a schema version this build knows) and only then gives it its name, monolog.db. It refuses a data \
            directory a supervisor is using or that already holds a database: move that away first. After \
            it, `monolog-supervisor start` with the same --data-dir serves what the replica held.
            """
    )

    @Option(help: "The replica: the URL replication was configured with (file:///DIR or an absolute path, s3://BUCKET/PATH, ...).")
    var from: String

    @Option(help: "Restore the database as it was at this time (RFC 3339, such as 2026-12-05T19:56:58Z) instead of the newest.")
    var timestamp: String?

    @OptionGroup var options: CommonOptions

    func run() throws {
        let config = try resolveOrExit(self.options)
        guard let replica = ReplicationSettings.replicaURL(self.from) else {
            throw ValidationError("--from '\(self.from)' is not an absolute path or a replica URL (\(ReplicationSettings.schemes.joined(separator: ", ")))")
        }
        if let timestamp = self.timestamp, ISO8601DateFormatter().date(from: timestamp) == nil {
            throw ValidationError("--timestamp '\(timestamp)' is not an RFC 3339 time such as 2026-12-05T19:56:58Z")
        }
        let directory = DataDirectory(path: URL(fileURLWithPath: config.dataDirectory).standardizedFileURL.path)
        do {
            let summary = try DatabaseRestore.restore(
                into: directory, from: replica, timestamp: self.timestamp, litestream: LitestreamSetup.executable(config.replication))
            let megabytes = String(format: "%.1f", Double(summary.bytes) / 1_048_576)
            print(
                "restored \(directory.databasePath) from \(replica) (\(megabytes) MiB, schema version \(summary.schemaVersion), integrity ok) in \(String(format: "%.1f", summary.seconds)) s"
            )
            print("serve it with: monolog-supervisor start --data-dir \(directory.path)")
        } catch {
            FileHandle.standardError.write(Data("restore failed: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// The restore itself: into a temporary file, checked, then renamed and made durable.
enum DatabaseRestore {
    static func restore(into directory: DataDirectory, from replica: String, timestamp: String?, litestream: String) throws -> DatabaseBackup.Summary {
        let started = ContinuousClock.now
        // Held for the whole restore, so no supervisor starts on the directory meanwhile.
        let lock: SupervisorLock
        switch try SupervisorLock.acquire(dataDirectory: directory.path) {
        case .success(let acquired): lock = acquired
        case .failure(let holder):
            throw DatabaseBackup.Failure(description: "a monolog-supervisor (pid \(holder.pid)) is using \(directory.path); stop it first")
        }
        defer { withExtendedLifetime(lock) {} }
        guard !FileManager.default.fileExists(atPath: directory.databasePath) else {
            throw DatabaseBackup.Failure(
                description: "\(directory.databasePath) exists; restore writes only into a data directory without a database: move it away first")
        }
        // What a lost database left behind belongs to it, not to the restored one: its WAL would be
        // replayed into the new file, and Litestream's local state would not match it.
        for leftover in ["-wal", "-shm"] { unlink(directory.databasePath + leftover) }
        try? FileManager.default.removeItem(atPath: directory.path + "/.monolog.db-litestream")

        let restoring = directory.databasePath + ".restoring"
        for suffix in ["", "-wal", "-shm"] { unlink(restoring + suffix) }
        var arguments = ["restore", "-o", restoring]
        if let timestamp { arguments += ["-timestamp", timestamp] }
        arguments.append(replica)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: litestream)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: restoring) else {
            for suffix in ["", "-wal", "-shm"] { unlink(restoring + suffix) }
            throw DatabaseBackup.Failure(description: "litestream restore exited with status \(process.terminationStatus) and no database")
        }
        let version: Int
        do {
            version = try DatabaseBackup.verify(restoring)
        } catch {
            for suffix in ["", "-wal", "-shm"] { unlink(restoring + suffix) }
            throw error
        }
        guard rename(restoring, directory.databasePath) == 0 else {
            throw DatabaseBackup.Failure(description: "renaming \(restoring): \(String(cString: strerror(errno)))")
        }
        try DatabaseBackup.fsync(path: directory.databasePath)
        try DatabaseBackup.fsync(path: directory.path)
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: directory.databasePath))?[.size] as? Int) ?? 0
        return DatabaseBackup.Summary(bytes: bytes, schemaVersion: version, seconds: (ContinuousClock.now - started).inSeconds)
    }
}
