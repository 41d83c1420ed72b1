import CSQLite
import NIOCore

/// SQLite's SQLITE_TRANSIENT: tells sqlite3_bind_* to copy the bytes before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement. Bind with 1-based indexes, step, read columns with 0-based indexes.
public final class SQLiteStatement {
    private let handle: OpaquePointer
    private unowned let connection: SQLiteConnection
    private let sql: String

    init(connection: SQLiteConnection, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw SQLiteError(code: rc, message: connection.lastErrorMessage, context: sql)
        }
        self.handle = statement
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(self.handle) }

    /// Ends the statement's current run. A statement left mid-way keeps its read transaction open, which
    /// pins an old WAL snapshot and holds back checkpoints, so every run must end in a reset.
    public func reset() {
        sqlite3_reset(self.handle)
        sqlite3_clear_bindings(self.handle)
    }

    @discardableResult
    public func bind(_ index: Int32, _ value: Int64) -> Self {
        sqlite3_bind_int64(self.handle, index, value)
        return self
    }

    @discardableResult
    public func bind(_ index: Int32, _ value: Int32) -> Self { self.bind(index, Int64(value)) }

    /// Binds a string as TEXT by its UTF-8 length, so a NUL inside it is stored rather than ending it
    /// (a Swift string passed as a C string is cut at its first NUL).
    @discardableResult
    public func bind(_ index: Int32, _ value: String) -> Self {
        var value = value
        _ = value.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { text in
                // An empty string may have no storage to point at; a null pointer would bind NULL.
                guard let base = text.baseAddress else { return sqlite3_bind_text(self.handle, index, "", 0, transient) }
                return sqlite3_bind_text(self.handle, index, base, Int32(text.count), transient)
            }
        }
        return self
    }

    /// Binds the readable bytes of a buffer as a blob (SQLite copies them).
    @discardableResult
    public func bind(_ index: Int32, _ value: ByteBuffer) -> Self {
        value.withUnsafeReadableBytes { bytes in
            // A zero-length blob still needs a non-null pointer, or SQLite stores NULL.
            let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)
            sqlite3_bind_blob64(self.handle, index, base, sqlite3_uint64(bytes.count), transient)
        }
        return self
    }

    /// Advances to the next row. True when a row is available, false when the statement is done.
    public func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(self.handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError(code: rc, message: self.connection.lastErrorMessage, context: self.sql)
        }
    }

    /// Steps a statement that returns no rows.
    public func run() throws(SQLiteError) {
        defer { self.reset() }
        while try self.step() {}
    }

    public func int64(at column: Int32) -> Int64 { sqlite3_column_int64(self.handle, column) }
    public func int32(at column: Int32) -> Int32 { Int32(truncatingIfNeeded: sqlite3_column_int64(self.handle, column)) }
    public func isNull(at column: Int32) -> Bool { sqlite3_column_type(self.handle, column) == SQLITE_NULL }

    /// Reads a TEXT column by its byte length, NULs included (a C-string read would stop at the first).
    public func string(at column: Int32) -> String? {
        guard let text = sqlite3_column_text(self.handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(self.handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// Copies a blob column into a new buffer (the pointer SQLite returns is valid only until the next step).
    public func buffer(at column: Int32, allocator: ByteBufferAllocator) -> ByteBuffer {
        let count = Int(sqlite3_column_bytes(self.handle, column))
        var buffer = allocator.buffer(capacity: count)
        if count > 0, let blob = sqlite3_column_blob(self.handle, column) {
            buffer.writeBytes(UnsafeRawBufferPointer(start: blob, count: count))
        }
        return buffer
    }
}
