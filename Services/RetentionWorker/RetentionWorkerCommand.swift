import ArgumentParser
import Logging
import MonologConfig
import MonologObservability
import MonologProcess
import MonologStorage
import MonologWriterClient
import ServiceLifecycle
import UnixSignals

/// `monolog-retention-worker`: trims old data through the storage writer; never writes the file itself.
@main
struct RetentionWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monolog-retention-worker",
        abstract: "Deletes record batches older than the retention age, through the storage writer.",
        discussion: """
            Every retention.check_interval (default 1m) it asks the storage writer to delete, in each \
            partition, the batches at the start of the log whose newest record is older than \
            retention.max_age (default 24h). Set retention.enabled: false in the --config file to turn it off. \
            Normally started by monolog-supervisor.
            """
    )

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let config = try resolveOrExit(self.options)
        MonologLogging.bootstrap(level: config.logLevel)
        ParentWatch.start()
        let logger = MonologLogging.logger(service: "retention-worker", level: config.logLevel)
        let writer = WriterClient(
            socketPath: DataDirectory(path: config.dataDirectory).writerSocketPath,
            clientName: "retention-worker",
            logger: logger
        )
        let service = RetentionService(settings: config.retention, writer: writer, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        ReadinessNotice.announce()  // it needs nothing of its own to be ready: the writer client reconnects
        try await group.run()
    }
}
