/// Where things live in a data directory, and how each kind of process opens the database.
public struct DataDirectory: Sendable, Hashable {
    public var path: String

    public init(path: String) { self.path = path }

    public var databasePath: String { self.path + "/monolog.db" }
    /// The storage writer's Unix domain socket.
    public var writerSocketPath: String { self.path + "/writer.sock" }
    /// Held (flock) by the running storage writer, so a second one on the same directory refuses to start.
    public var writerLockPath: String { self.path + "/writer.lock" }
    /// Where a process serves its Prometheus metrics (`writer`, `kafka-gateway`); the HTTP gateway's
    /// `/metrics` reads each.
    public func metricsSocketPath(for process: String) -> String { self.path + "/\(process).metrics.sock" }
    /// The processes that serve metrics on a socket, in the order `/metrics` shows them.
    public static let processesWithMetricsSockets = ["writer", "kafka-gateway"]
}

extension SQLiteConnection {
    /// Opens the database as the storage writer does: WAL, `synchronous=FULL` (fsync before any
    /// acknowledgement), migrations applied.
    public static func openForWriting(_ directory: DataDirectory) throws -> SQLiteConnection {
        let db = try SQLiteConnection(path: directory.databasePath, mode: .readWrite)
        let journal = try db.pragma("journal_mode = WAL")
        guard journal?.lowercased() == "wal" else {
            throw SQLiteError(code: 1, message: "journal_mode is \(journal ?? "unknown")", context: "enabling WAL")
        }
        try db.execute("PRAGMA synchronous = FULL")
        // The writer checkpoints on its own schedule; see StorageWriter's checkpoint policy.
        try db.execute("PRAGMA wal_autocheckpoint = 4000")
        try Migrator.migrate(db)
        return db
    }

    /// Opens the database read-only, as gateways and the retention worker do.
    public static func openForReading(_ directory: DataDirectory) throws(SQLiteError) -> SQLiteConnection {
        try SQLiteConnection(path: directory.databasePath, mode: .readOnly)
    }
}

/// Applies the migrations the database lacks.
public enum Migrator {
    public static func migrate(_ db: SQLiteConnection) throws {
        let current = Int(try db.pragma("user_version") ?? "0") ?? 0
        for migration in StorageSchema.migrations where migration.version > current {
            try db.transaction {
                try migration.apply(db)
                try db.execute("PRAGMA user_version = \(migration.version)")
            }
        }
    }
}
