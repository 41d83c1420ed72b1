import ArgumentParser
import Foundation
import Logging
import MonologConfig
import MonologObservability
import MonologStorage

/// `monolog-supervisor`: runs and supervises the Monolog process tree.
@main
struct SupervisorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monolog-supervisor",
        abstract: "Runs Monolog: the storage writer, Kafka and HTTP gateways and retention worker.",
        discussion: """
            `start` runs everything in the foreground. While it runs, `status`, `restart <service>`, `stop` and `users` \
            talk to it through <data-dir>/supervisor.sock; give them the same --data-dir (or config) as `start`.
            """,
        subcommands: [
            StartCommand.self, StatusCommand.self, RestartCommand.self, StopCommand.self, UsersCommand.self, BackupCommand.self, RestoreCommand.self,
            MigrateCommand.self,
        ]
    )
}

struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start every Monolog service in the foreground and keep them running.",
        discussion: """
            Starts monolog-storage-writer and waits until its socket accepts, then monolog-kafka-gateway, \
            monolog-http-gateway and monolog-retention-worker. A service that exits is restarted (after 100 ms, \
            or 1 s if it died within a second of starting); more than --max-restarts restarts of one service \
            within --restart-window stops everything with exit status 1. SIGTERM or SIGINT stops the \
            gateways and retention worker first, the writer last, each with a grace period before SIGKILL, \
            and exits 0. Each service's output is prefixed with its name.
            """
    )

    @OptionGroup var options: CommonOptions

    @Option(help: "Restarts of one service allowed within --restart-window before giving up.")
    var maxRestarts: Int = 5

    @Option(help: "The window for --max-restarts, such as 60s or 5m.")
    var restartWindow: String = "60s"

    func run() async throws {
        var config = try resolveOrExit(self.options)
        guard let window = DurationParser.parse(self.restartWindow), window > .zero else {
            throw ValidationError("--restart-window '\(self.restartWindow)' is not a duration such as 60s or 5m")
        }
        guard self.maxRestarts >= 0 else { throw ValidationError("--max-restarts must be 0 or more") }
        MonologLogging.bootstrap(level: config.logLevel)
        let logger = MonologLogging.logger(service: "supervisor", level: config.logLevel)
        // Everything the tree creates in the data directory (database, sockets, lock) is the owner's
        // alone; the children inherit this mask.
        umask(0o077)
        // Children get an absolute path, so their view cannot differ from ours whatever their cwd.
        config.dataDirectory = URL(fileURLWithPath: config.dataDirectory).standardizedFileURL.path
        if let file = config.configFile { config.configFile = URL(fileURLWithPath: file).standardizedFileURL.path }

        let lock: SupervisorLock
        switch try SupervisorLock.acquire(dataDirectory: config.dataDirectory) {
        case .success(let acquired):
            lock = acquired
        case .failure(let holder):
            logger.critical(
                "another monolog-supervisor is running on this data directory; stop it first (monolog-supervisor stop)",
                metadata: ["data_dir": "\(config.dataDirectory)", "pid": "\(holder.pid)"]
            )
            throw ExitCode(1)
        }
        defer { withExtendedLifetime(lock) {} }

        var replication: ChildSpec?
        if config.replication.isEnabled {
            do {
                replication = try await Self.prepareReplication(&config, logger: logger)
            } catch {
                logger.critical("replication cannot start", metadata: ["error": "\(error)"])
                throw ExitCode(1)
            }
            logger.info(
                "replicating with litestream",
                metadata: [
                    "replica": "\(config.replication.replica ?? "")", "sync_interval": "\(config.replication.syncInterval)",
                    "litestream": "\(replication?.executable ?? "")",
                ])
        }
        let maxRestarts = self.maxRestarts
        let tree = SupervisorTree(
            config: config,
            specs: ChildSpec.standardTree(arguments: config.commandLineArguments) + (replication.map { [$0] } ?? []),
            makePolicy: { RestartPolicy(maxRestarts: maxRestarts, window: window) },
            binDirectory: BinaryLocation.directory(),
            logger: logger
        )
        logger.info("starting monolog", metadata: ["data_dir": "\(config.dataDirectory)", "pid": "\(getpid())"])
        let exitCode = await tree.run()
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    /// Finds Litestream, settles the port of its metrics (which the HTTP gateway reads, so it goes into
    /// every child's arguments) and writes its configuration into the data directory.
    private static func prepareReplication(_ config: inout MonologConfiguration, logger: Logger) async throws -> ChildSpec {
        let litestream = try LitestreamSetup.executable(config.replication)
        _ = await LitestreamSetup.stopLeftover(DataDirectory(path: config.dataDirectory), logger: logger)
        if config.replication.metricsAddress == nil {
            config.replication.metricsAddress = ListenAddress(host: "127.0.0.1", port: try await LitestreamSetup.freeLoopbackPort())
        }
        let directory = DataDirectory(path: config.dataDirectory)
        let configFile = LitestreamSetup.configPath(directory)
        let text = LitestreamSetup.configuration(
            database: directory.databasePath, settings: config.replication, metricsAddress: config.replication.metricsAddress!)
        try LitestreamSetup.write(text, to: configFile)
        return ChildSpec.replication(litestream: litestream, configFile: configFile, pidFile: LitestreamSetup.pidPath(directory))
    }
}
