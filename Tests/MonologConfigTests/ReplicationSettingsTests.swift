import ArgumentParser
import Foundation
import MonologConfig
import Testing

/// The replication settings from flags, environment and YAML, and what they refuse.
@Suite struct ReplicationSettingsTests {
    func resolve(_ arguments: [String], environment: [String: String] = [:]) throws -> MonologConfiguration {
        try CommonOptions.parse(arguments).resolve(environment: environment)
    }

    @Test func replicationIsOffUntilAReplicaIsNamed() throws {
        let config = try self.resolve([])
        #expect(!config.replication.isEnabled)
        #expect(!config.commandLineArguments.contains("--replica"))
    }

    @Test func anAbsolutePathIsAFileReplica() throws {
        let config = try self.resolve(["--replica", "/srv/backups/monolog", "--replication-sync-interval", "500ms"])
        #expect(config.replication.replica == "file:///srv/backups/monolog")
        #expect(config.replication.replicaDirectory == "/srv/backups/monolog")
        #expect(config.replication.syncInterval == .milliseconds(500))
    }

    @Test func theYAMLSectionAndTheEnvironmentSetTheSameThings() throws {
        let path = NSTemporaryDirectory() + "monolog-replication-\(UUID().uuidString).yaml"
        try """
        replication:
          replica: s3://bucket/monolog
          sync_interval: 10s
          litestream_bin: /opt/litestream
        """.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try self.resolve(["--config", path])
        #expect(fromFile.replication.replica == "s3://bucket/monolog")
        #expect(fromFile.replication.syncInterval == .seconds(10))
        #expect(fromFile.replication.litestreamBinary == "/opt/litestream")
        #expect(fromFile.replication.replicaDirectory == nil)

        let fromEnvironment = try self.resolve(["--config", path], environment: ["MONOLOG_REPLICA": "/mnt/replica"])
        #expect(fromEnvironment.replication.replica == "file:///mnt/replica")
    }

    @Test func childrenGetTheSameSettings() throws {
        let config = try self.resolve(["--replica", "/r", "--replication-metrics-addr", "127.0.0.1:9555"])
        let child = try CommonOptions.parse(config.commandLineArguments).resolve(environment: [:])
        #expect(child.replication == config.replication)
    }

    @Test func badValuesAreRefusedByName() {
        #expect(throws: ConfigurationError.self) { try self.resolve(["--replica", "relative/dir"]) }
        #expect(throws: ConfigurationError.self) { try self.resolve(["--replica", "ftp://host/dir"]) }
        #expect(throws: ConfigurationError.self) { try self.resolve(["--replica", "/r", "--replication-sync-interval", "10ms"]) }
        #expect(throws: ConfigurationError.self) { try self.resolve(["--replication-metrics-addr", ":9555"]) }
    }
}
