import Foundation
import Logging
import MonologConfig
import MonologProcess
import MonologStorage
import NIOCore
import NIOPosix

/// What the supervisor needs to run Litestream: its executable, and the configuration it is given.
enum LitestreamSetup {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Where Litestream keeps its configuration for this data directory (0600: a replica URL may carry
    /// credentials).
    static func configPath(_ directory: DataDirectory) -> String { directory.path + "/litestream.yml" }

    /// Where the running Litestream's pid is kept.
    static func pidPath(_ directory: DataDirectory) -> String { directory.path + "/litestream.pid" }

    /// Stops a Litestream that an earlier supervisor of this data directory left running (one killed
    /// with -9 cannot stop it, and Litestream does not watch its parent): two replicating one database
    /// to one replica would overwrite each other's files. It is known by its pid file and by the
    /// configuration file on its command line. Returns whether one was stopped.
    static func stopLeftover(_ directory: DataDirectory, logger: Logger) async -> Bool {
        guard let text = try? String(contentsOfFile: self.pidPath(directory), encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0,
            let commandLine = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")),
            String(decoding: commandLine, as: UTF8.self).contains(self.configPath(directory))
        else { return false }
        logger.warning("stopping the litestream an earlier supervisor left running", metadata: ["pid": "\(pid)"])
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(35)
        while kill(pid, 0) == 0, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        return true
    }

    /// The `litestream` executable: the configured one, else the first on PATH.
    static func executable(_ settings: ReplicationSettings, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let configured = settings.litestreamBinary {
            let path = configured.hasPrefix("/") ? configured : FileManager.default.currentDirectoryPath + "/" + configured
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw Failure(description: "--litestream-bin \(configured) is not an executable file")
            }
            return URL(fileURLWithPath: path).standardizedFileURL.path
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/litestream"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Failure(
            description: "replication is configured but no litestream executable was found on PATH; "
                + "run scripts/install-deps.sh --replication, or give --litestream-bin")
    }

    /// Litestream 0.5's configuration: one database, one replica, metrics on `metricsAddress`.
    /// Litestream's checkpoints keep their defaults (PASSIVE every 1,000 pages and every minute, a
    /// TRUNCATE once the WAL passes about 500 MB), since the writer makes none of its own meanwhile.
    static func configuration(database: String, settings: ReplicationSettings, metricsAddress: ListenAddress) -> String {
        let interval = "\(settings.syncInterval.wholeMilliseconds)ms"
        return """
            # Written by monolog-supervisor at each start, from its replication settings; edits are lost.
            addr: \(self.quoted(metricsAddress.description))
            dbs:
              - path: \(self.quoted(database))
                replica:
                  url: \(self.quoted(settings.replica ?? ""))
                  sync-interval: \(interval)

            """
    }

    /// Writes the configuration with mode 0600, replacing the one from an earlier start.
    static func write(_ text: String, to path: String) throws {
        let temporary = path + ".new"
        unlink(temporary)
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Failure(description: "cannot write \(temporary)")
        }
        guard rename(temporary, path) == 0 else { throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    /// A YAML double-quoted scalar.
    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// A loopback port nothing listens on now, for Litestream's metrics.
    static func freeLoopbackPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { channel.close(promise: nil) }
        guard let port = channel.localAddress?.port else { throw Failure(description: "no free loopback port") }
        return port
    }
}
