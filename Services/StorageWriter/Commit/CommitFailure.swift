import MonologStorage
import MonologStorageEngine
import MonologWriterProtocol

/// What a failed group means for the writer. Nothing in a failed group was acknowledged, so nothing
/// acknowledged is lost in any case; the difference is whether the writer may go on with the file.
enum CommitFailure: Equatable {
    /// The disk, or `--max-database-bytes`, is full. SQLite rolled the transaction back before anything
    /// was synced; the writer goes on, and writes succeed again once space is freed.
    case storageFull
    /// The file could not be written or synced, or looks corrupt. A failed fsync is never retried on
    /// the same transaction: the kernel may have dropped the dirty pages and would report the next fsync
    /// as a success. So the writer exits and the supervisor starts it again, to recover from the file as
    /// after a crash.
    case restartFromFile
    /// Anything else (a storage failure the writer can go on after): the group fails.
    case groupFailed

    init(_ error: any Error) {
        let code: Int32?
        switch error {
        case let error as SQLiteError: code = error.code
        case let error as StorageError where error.code == .storageFull: code = SQLITE_FULL_CODE
        case let error as StorageError: code = error.sqliteCode
        default: code = nil
        }
        switch code.map({ $0 & 0xFF }) {
        case SQLITE_FULL_CODE: self = .storageFull
        case SQLITE_IOERR_CODE, SQLITE_CORRUPT_CODE, SQLITE_NOTADB_CODE, SQLITE_CANTOPEN_CODE: self = .restartFromFile
        default: self = .groupFailed
        }
    }

    /// What each request of the group is answered with.
    func refusal(_ error: any Error) -> WriteOutcome {
        switch self {
        case .storageFull: .refused(.storageFull, "disk full: \(error)")
        case .restartFromFile: .refused(.storageFailure, "storage I/O failure, the writer restarts: \(error)")
        case .groupFailed: .refused(.storageFailure, "storage failure: \(error)")
        }
    }
}

// SQLite's primary result codes (sqlite3.h), named here so that this module need not import CSQLite.
let SQLITE_IOERR_CODE: Int32 = 10
let SQLITE_CORRUPT_CODE: Int32 = 11
let SQLITE_FULL_CODE: Int32 = 13
let SQLITE_CANTOPEN_CODE: Int32 = 14
let SQLITE_NOTADB_CODE: Int32 = 26
