import CSQLite

/// A failed SQLite call: its result code and SQLite's own message.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public var code: Int32
    public var message: String
    public var context: String

    public init(code: Int32, message: String, context: String) {
        self.code = code
        self.message = message
        self.context = context
    }

    public var description: String { "\(self.context): \(self.message) (SQLite code \(self.code))" }

    /// The disk, or the database's size limit (`max_page_count`), is full.
    public var isDiskFull: Bool { self.code & 0xff == SQLITE_FULL }

    /// Disk full, I/O failure and the like: the database may not take writes now, but nothing acknowledged is lost.
    public var isStorageFailure: Bool {
        let primary = self.code & 0xff
        return primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN
            || primary == SQLITE_READONLY || primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB
    }
}
