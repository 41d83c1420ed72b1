import ArgumentParser
import Hummingbird
import Logging
import MonologConfig
import MonologObservability
import MonologProcess
import MonologStorage
import MonologWriterClient
import ServiceLifecycle
import UnixSignals

/// `monolog-http-gateway`: the REST API.
@main
struct HTTPGatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monolog-http-gateway",
        abstract: "Serves Monolog's JSON API on --http-addr (default :8080).",
        discussion: """
            Topics: GET/POST /api/topics, GET/DELETE /api/topics/{topic}. Messages: \
            POST /api/topics/{topic}/messages with {"key":"k","value":"v"}, and \
            GET /api/topics/{topic}/messages?partition=0&offset=0&limit=10. Reads the database directly and \
            sends every write to the storage writer. Normally started by monolog-supervisor.
            """
    )

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let config = try resolveOrExit(self.options)
        MonologLogging.bootstrap(level: config.logLevel)
        ParentWatch.start()
        let logger = MonologLogging.logger(service: "http-gateway", level: config.logLevel)
        let writer = WriterClient(
            socketPath: DataDirectory(path: config.dataDirectory).writerSocketPath,
            clientName: "http-gateway",
            logger: logger
        )
        let board = WatermarkBoard()
        try await writer.subscribeToWatermarks { board.update($0) }
        let app = buildApplication(config: config, writer: writer, board: board, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: app)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        writer.close()
    }
}
