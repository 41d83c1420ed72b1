import CSQLite

/// One SQLite connection. Not thread-safe by design: each is owned by one thread or lent out by a pool.
public final class SQLiteConnection {
    /// How a connection opens the file. Only the storage engine may choose: opening for writing is
    /// behind the `StorageEngine` SPI, which scripts/check.sh allows in Libraries/MonologStorageEngine
    /// (and the benchmarks' SQLite baselines) alone. Everyone else opens read-only.
    @_spi(StorageEngine) public enum Mode: Sendable {
        /// The storage writer: the only process that writes the file.
        case readWrite
        /// Gateways, the retention worker and the supervisor: they read the file directly.
        case readOnly
    }

    @_spi(StorageEngine) public let handle: OpaquePointer
    private var statements: [String: SQLiteStatement] = [:]

    /// Opens a database file read-only: writes on this connection fail with SQLITE_READONLY.
    public convenience init(readOnlyPath path: String) throws(SQLiteError) {
        try self.init(path: path, mode: .readOnly)
    }

    @_spi(StorageEngine) public init(path: String, mode: Mode) throws(SQLiteError) {
        var db: OpaquePointer?
        let flags =
            (mode == .readWrite ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY)
            | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message, context: "opening \(path)")
        }
        self.handle = db
        sqlite3_extended_result_codes(db, 1)
        // Readers may meet the writer's checkpoint or WAL recovery for a moment; wait rather than fail.
        sqlite3_busy_timeout(db, 5_000)
    }

    deinit {
        self.statements.removeAll()
        sqlite3_close_v2(self.handle)
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws(SQLiteError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(self.handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(errorMessage)
            throw SQLiteError(code: rc, message: message, context: sql)
        }
    }

    /// A prepared statement, cached by its SQL text and reset for reuse.
    public func statement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let cached = self.statements[sql] {
            cached.reset()
            return cached
        }
        let statement = try SQLiteStatement(connection: self, sql: sql)
        self.statements[sql] = statement
        return statement
    }

    /// Resets every cached statement, ending the implicit read transactions of any left mid-way.
    public func resetAllStatements() {
        for statement in self.statements.values { statement.reset() }
    }

    /// The value of a pragma that returns one row, such as `journal_mode`.
    public func pragma(_ name: String) throws(SQLiteError) -> String? {
        let statement = try self.statement("PRAGMA \(name)")
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return statement.string(at: 0)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(
        _ kind: String = "IMMEDIATE",
        _ body: () throws -> T
    ) throws -> T {
        try self.execute("BEGIN \(kind)")
        do {
            let result = try body()
            try self.execute("COMMIT")
            return result
        } catch {
            try? self.execute("ROLLBACK")
            throw error
        }
    }

    @_spi(StorageEngine) public var lastErrorMessage: String { String(cString: sqlite3_errmsg(self.handle)) }

    public var changes: Int { Int(sqlite3_changes(self.handle)) }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(self.handle) }
}
