@_spi(StorageEngine) import MonologStorage

extension SQLiteConnection {
    /// Opens the database as the storage writer does: WAL, `synchronous=FULL` (fsync before any
    /// acknowledgement), migrations applied. `automaticCheckpoints` false leaves every checkpoint to
    /// another process: Litestream, while it replicates, must be the only one to checkpoint, or it misses
    /// WAL frames and has to ship a whole new snapshot.
    public static func openForWriting(_ directory: DataDirectory, automaticCheckpoints: Bool = true) throws -> SQLiteConnection {
        let db = try SQLiteConnection(path: directory.databasePath, mode: .readWrite)
        let journal = try db.pragma("journal_mode = WAL")
        guard journal?.lowercased() == "wal" else {
            throw SQLiteError(code: 1, message: "journal_mode is \(journal ?? "unknown")", context: "enabling WAL")
        }
        try db.execute("PRAGMA synchronous = FULL")
        // The writer checkpoints on its own schedule; see StorageWriter's checkpoint policy.
        try db.execute("PRAGMA wal_autocheckpoint = \(automaticCheckpoints ? 4000 : 0)")
        try Migrator.migrate(db)
        return db
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
