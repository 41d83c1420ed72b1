import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import MonologConfig
import MonologProcess
import MonologSecurity
import MonologStorage
import MonologWriterClient
import NIOPosix
import Prometheus

/// Builds the HTTP application from the configuration: routes, error handling, storage access, and the
/// connection limit and idle timeout (Hummingbird closes a connection idle for `--http-idle-timeout-ms`
/// only when no request is in progress on it, so a long-poll consume keeps its connection).
func buildApplication(
    config: MonologConfiguration,
    writer: WriterClient,
    board: WatermarkBoard,
    credentials: StoredCredentials,
    metrics: PrometheusCollectorRegistry,
    logger: Logger
) throws -> some ApplicationProtocol {
    let security = config.security
    let http1: HTTPServerBuilder = .http1(configuration: .init(idleTimeout: .milliseconds(config.http.idleTimeoutMs)))
    return Application(
        router: try buildRouter(config: config, writer: writer, board: board, credentials: credentials, metrics: metrics, logger: logger),
        server: security.httpTLS ? try .tls(http1, tlsConfiguration: TLSContexts.serverConfiguration(security)) : http1,
        configuration: .init(
            address: .hostname(config.httpAddress.bindHost, port: config.httpAddress.port),
            serverName: "monolog",
            availableConnectionsDelegate: HTTPConnectionLimit(maxConnections: config.http.maxConnections, logger: logger)
        ),
        onServerRunning: { _ in ReadinessNotice.announce() },
        logger: logger
    )
}

/// Every route the gateway serves. Building it connects to nothing, so `--list-routes` can show it.
func buildRouter(
    config: MonologConfiguration,
    writer: WriterClient,
    board: WatermarkBoard,
    credentials: StoredCredentials,
    metrics: PrometheusCollectorRegistry,
    logger: Logger
) throws -> Router<BasicRequestContext> {
    let directory = DataDirectory(path: config.dataDirectory)
    let reads = StorageReads(pool: StorageReaderPool(directory: directory), threads: NIOThreadPool.singleton)
    let router = Router()
    router.add(middleware: ErrorMiddleware(logger: logger))
    if config.security.httpAuthentication {
        router.add(middleware: AuthenticationMiddleware(credentials: credentials, threads: NIOThreadPool.singleton))
    }
    TopicRoutes(reads: reads, writer: writer, defaultPartitions: config.kafka.defaultPartitions).register(on: router)
    GroupRoutes(reads: reads).register(on: router)
    OpenAPIRoutes().register(on: router)
    MetricsRoutes(registry: metrics, directory: directory, reads: reads, replication: config.replication).register(on: router)
    HealthRoutes(reads: reads, writerSocketPath: directory.writerSocketPath).register(on: router)
    MessageRoutes(
        reads: reads,
        writer: writer,
        partitions: PartitionChooser(),
        autoCreateTopics: config.kafka.autoCreateTopics,
        autoCreatePartitions: config.kafka.defaultPartitions,
        board: board
    ).register(on: router)
    try ConsoleRoutes().register(on: router)
    return router
}
