import ArgumentParser
import Foundation
import MonologConfig
import MonologStorage

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the database to DEST, while the broker runs or not.",
        discussion: """
            The copy holds every message, offset and transaction committed before the backup began. \
            It is one SQLite file, fsynced and checked (integrity, schema version) before this command \
            says it is done. To serve it, stop the broker and put it in an empty data directory as \
            monolog.db. For a backup that is always current, configure replication (see README).
            """
    )

    @Argument(help: "The file to write; it must not exist.")
    var destination: String

    @OptionGroup var options: CommonOptions

    func run() throws {
        let config = try resolveOrExit(self.options)
        let directory = DataDirectory(path: config.dataDirectory)
        print("backing up \(directory.databasePath) to \(self.destination)")
        do {
            let summary = try DatabaseBackup.copy(directory, to: self.destination)
            let megabytes = String(format: "%.1f", Double(summary.bytes) / 1_048_576)
            let seconds = String(format: "%.1f", summary.seconds)
            print("backup written: \(self.destination) (\(megabytes) MiB, schema version \(summary.schemaVersion), integrity ok) in \(seconds) s")
        } catch {
            FileHandle.standardError.write(Data("backup failed: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
