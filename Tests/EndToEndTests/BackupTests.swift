import Foundation
import MonologTestSupport
import Testing

/// `monolog-supervisor backup` against a broker under load: the copy holds everything acknowledged
/// before the backup began, is intact, and serves as a data directory of its own.
@Suite struct BackupTests {
    @Test func aBackupTakenUnderLoadServesEverythingAcknowledgedBeforeItBegan() async throws {
        let broker = try await Broker.start()
        #expect(try await broker.post("/api/topics", #"{"name":"orders","partitions":1}"#).status == 201)

        // A producer that keeps going, one acknowledged message at a time, through the whole backup.
        let producer = PacedProducer(broker: broker, topic: "orders", perSecond: 100)
        let warmedUp = try await eventually(timeout: .seconds(60)) { producer.acknowledged.count >= 100 }
        #expect(warmedUp)

        let destination = broker.workDirectory + "/backups/monolog-backup.db"
        let beforeBackup = producer.acknowledged.map(\.value)
        let backup = try await broker.control(["backup", destination])
        await producer.stop()
        let afterBackup = producer.sent
        #expect(backup.status == 0, "\(backup.standardOutput) \(backup.standardError)")
        #expect(backup.standardOutput.contains("integrity ok"), "\(backup.standardOutput)")
        #expect(databaseIntegrity(path: destination) == "ok")

        // A second backup to the same file is refused, and leaves the first alone.
        let again = try await broker.control(["backup", destination])
        #expect(again.status == 1)
        #expect(again.standardError.contains("already exists"), "\(again.standardError)")
        #expect(try await broker.stop() == 0)

        // The copy, as the database of a new data directory, serves every message acknowledged before
        // the backup began, in order, and nothing that was never acknowledged.
        let restoredDirectory = broker.workDirectory + "/restored"
        try FileManager.default.createDirectory(atPath: restoredDirectory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: destination, toPath: restoredDirectory + "/monolog.db")
        let restored = try await Broker.start(dataDirectory: restoredDirectory)
        let values = try await restored.readAll(topic: "orders").compactMap(\.value)
        #expect(Array(values.prefix(beforeBackup.count)) == beforeBackup, "the backup lost messages acknowledged before it began")
        #expect(values.count <= afterBackup, "the backup holds more messages than were sent")
        #expect(try await restored.stop() == 0)
        restored.removeFiles()
        broker.removeFiles()
    }

    @Test func aBackupWithoutADatabaseFailsClearly() async throws {
        let work = NSTemporaryDirectory() + "monolog-backup-" + UUID().uuidString.prefix(8).lowercased()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let result = try await runProcess(
            Broker.binDirectory + "/monolog-supervisor", ["backup", work + "/copy.db", "--data-dir", work + "/data"], timeout: 30)
        #expect(result.status == 1)
        #expect(result.standardError.contains("no database"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: work + "/copy.db"))
    }
}
