import MonologStorage
import MonologStorageEngine
import MonologWriterProtocol
import Testing

@testable import StorageWriter

/// What the writer does after a failed commit, by SQLite's result code: a full disk is answered
/// storageFull and the writer goes on; an I/O error (a failed write or fsync) or a corrupt file makes
/// it exit and recover from the file, because a failed fsync must not be retried on the same
/// transaction; anything else fails the group alone.
@Suite struct CommitFailureTests {
    static let ioErrFsync: Int32 = 10 | (4 << 8)  // SQLITE_IOERR_FSYNC
    static let ioErrWrite: Int32 = 10 | (3 << 8)  // SQLITE_IOERR_WRITE

    @Test func aFullDiskIsAnsweredAndTheWriterGoesOn() {
        let full = SQLiteError(code: 13, message: "database or disk is full", context: "COMMIT")
        #expect(CommitFailure(full) == .storageFull)
        #expect(CommitFailure(StorageError(.storageFull, "disk full")) == .storageFull)
        #expect(CommitFailure(full).refusal(full).answer.refusedCode == .storageFull)
    }

    @Test func anIOErrorOrACorruptFileRestartsTheWriterFromTheFile() {
        for code in [Self.ioErrFsync, Self.ioErrWrite, 10, 11, 26] {
            let error = SQLiteError(code: code, message: "failed", context: "COMMIT")
            #expect(CommitFailure(error) == .restartFromFile, "SQLite code \(code)")
            // Also when the failure came through the store, wrapped.
            #expect(CommitFailure(StorageError(.storageFailure, "wrapped", sqliteCode: code)) == .restartFromFile)
            #expect(CommitFailure(error).refusal(error).answer.refusedCode == .storageFailure)
        }
    }

    @Test func otherFailuresFailTheGroupAlone() {
        #expect(CommitFailure(SQLiteError(code: 5, message: "database is locked", context: "COMMIT")) == .groupFailed)
        #expect(CommitFailure(StorageError(.storageFailure, "partition row missing")) == .groupFailed)
    }
}

extension WriterAnswer {
    var refusedCode: WriterErrorCode? {
        if case .refused(let error) = self { return error.code }
        return nil
    }
}
