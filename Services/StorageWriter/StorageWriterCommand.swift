import ArgumentParser
import Foundation
import Logging
import MonologConfig
import MonologObservability
import MonologProcess
import MonologStorage
import MonologStorageEngine
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `monolog-storage-writer`: the only process that writes the database.
@main
struct StorageWriterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monolog-storage-writer",
        abstract: "The only process that writes Monolog's database.",
        discussion: """
            Opens <data-dir>/monolog.db (SQLite, WAL, synchronous=FULL), applies schema migrations, and serves \
            write requests from the gateways and the retention worker on the Unix socket <data-dir>/writer.sock. \
            Writes that arrive together share one transaction and one fsync; each is acknowledged only after \
            its commit is on disk. One event loop reads, applies, commits and answers; groups of 256 KiB or more \
            commit on a helper thread while it reads on. Normally started by monolog-supervisor.
            """
    )

    @OptionGroup var options: CommonOptions

    @Option(
        help:
            "Commit a group of writes once it holds this many bytes; also how many bytes may wait for a large group's commit before the writer stops reading (backpressure)."
    )
    var maxGroupBytes: Int = 64 * 1024 * 1024

    @Option(help: "Refuse writes that would grow the database past this many bytes (0: no limit), as a full disk would.")
    var maxDatabaseBytes: Int64 = 0

    func run() async throws {
        let config = try resolveOrExit(self.options)
        MonologLogging.bootstrap(level: config.logLevel)
        let metrics = PrometheusCollectorRegistry()
        MonologMetrics.bootstrap(metrics)
        ParentWatch.start()
        let logger = MonologLogging.logger(service: "storage-writer", level: config.logLevel)
        let directory = DataDirectory(path: config.dataDirectory)

        // The database, its WAL and the sockets are the owner's alone: files this process creates get
        // mode 0600, and the data directory is closed to others even if it was made before.
        umask(0o077)
        try FileManager.default.createDirectory(
            atPath: directory.path,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
        guard let lock = try WriterLock(path: directory.writerLockPath) else {
            logger.critical("another storage writer holds the data directory", metadata: ["data-dir": "\(directory.path)"])
            throw ExitCode(1)
        }
        let started = ContinuousClock.now
        // While Litestream replicates, it alone checkpoints the WAL (Litestream's rule; see docs/OPERATIONS.md).
        let writerCheckpoints = !config.replication.isEnabled
        let connection = try SQLiteConnection.openForWriting(directory, automaticCheckpoints: writerCheckpoints)
        logger.info(
            "database open",
            metadata: [
                "path": "\(directory.databasePath)", "schema_version": "\(StorageSchema.latestVersion)",
                "open_ms": "\((ContinuousClock.now - started).wholeMilliseconds)",
                "checkpoints": "\(writerCheckpoints ? "writer" : "litestream")",
            ]
        )
        if self.maxDatabaseBytes > 0 {
            let pageSize = Int64(try connection.pragma("page_size") ?? "4096") ?? 4096
            _ = try connection.pragma("max_page_count = \(max(1, self.maxDatabaseBytes / pageSize))")
        }
        let subscribers = WatermarkSubscribers()
        // One thread reads, commits and answers (see GroupCommitter); metrics are served elsewhere.
        let commitLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let committer = GroupCommitter(
            connection: connection,
            databasePath: directory.databasePath,
            maxGroupBytes: self.maxGroupBytes,
            checkpoints: writerCheckpoints,
            eventLoop: commitLoop.next(),
            logger: logger,
            onWatermarks: { subscribers.broadcast($0) },
            onUsersChanged: { subscribers.broadcastUsersChanged() }
        )
        let server = WriterServerService(directory: directory, committer: committer, subscribers: subscribers, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: server),
                    .init(service: MetricsSocketService(path: directory.metricsSocketPath(for: "writer"), registry: metrics, logger: logger)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        try await commitLoop.shutdownGracefully()
        _ = consume lock
    }
}
