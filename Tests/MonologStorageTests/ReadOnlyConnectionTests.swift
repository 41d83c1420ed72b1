import Foundation
import MonologStorage
import MonologStorageEngine
import Testing

/// Every process but the storage writer opens the database read-only; SQLite itself then refuses
/// any write, whatever the caller tries.
@Suite struct ReadOnlyConnectionTests {
    let directory: DataDirectory

    init() throws {
        let path = NSTemporaryDirectory() + "monolog-readonly-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.directory = DataDirectory(path: path)
        let writer = LogStore(connection: try SQLiteConnection.openForWriting(self.directory))
        _ = try writer.createTopic(name: "t", partitionCount: 1, configs: [:], ifNotExists: false, nowMs: 1)
    }

    @Test func aWriteOnAReadOnlyConnectionFails() throws {
        let reader = try SQLiteConnection.openForReading(self.directory)
        for statement in [
            "INSERT INTO topics (name, partition_count, created_at_ms) VALUES ('x', 1, 1)",
            "DELETE FROM topics",
            "CREATE TABLE intruder (x)",
            "PRAGMA user_version = 99",
        ] {
            do throws(SQLiteError) {
                try reader.execute(statement)
                Issue.record("a read-only connection ran: \(statement)")
            } catch {
                #expect(error.code & 0xff == 8, "\(statement): \(error)")  // SQLITE_READONLY
            }
        }
        // Nothing changed: the topic is still there, and the file is intact.
        #expect(try StorageReader(directory: self.directory).topic(named: "t") != nil)
        #expect(try reader.integrityCheck() == "ok")
    }

    @Test func aReadOnlyConnectionReads() throws {
        let reader = try StorageReader(directory: self.directory)
        #expect(try reader.topic(named: "t")?.partitionCount == 1)
    }
}
