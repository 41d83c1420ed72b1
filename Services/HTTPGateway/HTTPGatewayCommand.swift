import ArgumentParser
import Hummingbird
import Logging
import MonologConfig
import MonologObservability
import MonologProcess
import MonologSecurity
import MonologStorage
import MonologWriterClient
import Prometheus
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
            POST /api/topics/{topic}/messages with {"key":"k","value":"v"} (or an array of them), and \
            GET /api/topics/{topic}/messages?partition=0&offset=0&limit=10&wait_ms=0. Groups: GET /api/groups, \
            GET /api/groups/{group}. The full description: GET /api/openapi.json. Also /healthz, /readyz, \
            /metrics (Prometheus, for every process) and a console page at /. Reads the database directly and \
            sends every write to the storage writer. Normally started by monolog-supervisor.
            """
    )

    @OptionGroup var options: CommonOptions

    @Flag(help: "Print every route served (method and path), then exit. The OpenAPI test checks them against the document.")
    var listRoutes = false

    func run() async throws {
        let config = try resolveOrExit(self.options)
        if self.listRoutes {
            let router = try buildRouter(
                config: config,
                writer: WriterClient(socketPath: "", clientName: "list-routes", logger: Logger(label: "list-routes")),
                board: WatermarkBoard(),
                credentials: StoredCredentials(readers: StorageReaderPool(directory: DataDirectory(path: config.dataDirectory))),
                metrics: PrometheusCollectorRegistry(),
                logger: Logger(label: "list-routes")
            )
            for route in router.routes { print("\(route.method) \(route.path)") }
            return
        }
        MonologLogging.bootstrap(level: config.logLevel)
        let metrics = PrometheusCollectorRegistry()
        MonologMetrics.bootstrap(metrics)
        ParentWatch.start()
        let logger = MonologLogging.logger(service: "http-gateway", level: config.logLevel)
        let writer = WriterClient(
            socketPath: DataDirectory(path: config.dataDirectory).writerSocketPath,
            clientName: "http-gateway",
            logger: logger
        )
        let board = WatermarkBoard()
        let credentials = StoredCredentials(readers: StorageReaderPool(directory: DataDirectory(path: config.dataDirectory)))
        try await writer.subscribe { notification in
            board.hear(notification)
            credentials.hear(notification)
        }
        let app = try buildApplication(config: config, writer: writer, board: board, credentials: credentials, metrics: metrics, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: app)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        writer.shutdown()
    }
}
