import Hummingbird
import Logging
import MonologConfig
import MonologProcess
import MonologStorage
import MonologWriterClient
import NIOPosix

/// Builds the HTTP application from the configuration: routes, error handling, storage access.
func buildApplication(
    config: MonologConfiguration,
    writer: WriterClient,
    board: WatermarkBoard,
    logger: Logger
) -> some ApplicationProtocol {
    let reads = StorageReads(
        pool: StorageReaderPool(directory: DataDirectory(path: config.dataDirectory)),
        threads: NIOThreadPool.singleton
    )
    let router = Router()
    router.add(middleware: ErrorMiddleware(logger: logger))
    TopicRoutes(reads: reads, writer: writer, defaultPartitions: config.kafka.defaultPartitions).register(on: router)
    GroupRoutes(reads: reads).register(on: router)
    OpenAPIRoutes().register(on: router)
    HealthRoutes(reads: reads, writerSocketPath: DataDirectory(path: config.dataDirectory).writerSocketPath).register(on: router)
    MessageRoutes(
        reads: reads,
        writer: writer,
        partitions: PartitionChooser(),
        autoCreateTopics: config.kafka.autoCreateTopics,
        autoCreatePartitions: config.kafka.defaultPartitions,
        board: board
    ).register(on: router)
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(config.httpAddress.bindHost, port: config.httpAddress.port),
            serverName: "monolog"
        ),
        onServerRunning: { _ in ReadinessNotice.announce() },
        logger: logger
    )
}
