import Foundation
import MonologStorage
import MonologStorageEngine
import Testing

/// The secret behind made-up SCRAM answers to unknown users is made once, by the writer's migration,
/// and kept: were it new at each start, an unknown user's salt would change across restarts while a
/// real user's stays, which gives the unknown one away.
@Suite struct ScramDecoySecretTests {
    @Test func theSecretIsMadeOnceAndKeptAcrossReopening() throws {
        let path = NSTemporaryDirectory() + "monolog-decoy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = DataDirectory(path: path)
        _ = try SQLiteConnection.openForWriting(directory)
        let first = try StorageReader(directory: directory).scramDecoySecret()
        #expect(first?.count == 32)
        _ = try SQLiteConnection.openForWriting(directory)
        #expect(try StorageReader(directory: directory).scramDecoySecret() == first)

        // Another database, another secret.
        let otherPath = path + "-other"
        try FileManager.default.createDirectory(atPath: otherPath, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: otherPath) }
        _ = try SQLiteConnection.openForWriting(DataDirectory(path: otherPath))
        #expect(try StorageReader(directory: DataDirectory(path: otherPath)).scramDecoySecret() != first)
    }
}
