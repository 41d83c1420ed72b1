import ArgumentParser
import Logging
import MonologConfig
import MonologGroups
import MonologObservability
import MonologProcess
import MonologSecurity
import MonologStorage
import MonologWriterClient
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `monolog-kafka-gateway`: the Kafka wire protocol listener.
@main
struct KafkaGatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monolog-kafka-gateway",
        abstract: "Serves the Kafka wire protocol on --kafka-addr (default :9092).",
        discussion: """
            Answers the APIs listed in docs/COMPATIBILITY.md; ApiVersions tells each client exactly which. \
            Reads the database directly and sends every write to the storage writer. Its memory is bounded \
            by the limits in docs/COMPATIBILITY.md (Limits). Normally started by monolog-supervisor.
            """
    )

    @OptionGroup var options: CommonOptions

    @Option(
        help: "Close a connection that sends a request frame larger than this many bytes (before SASL authentication: --sasl-server-max-receive-size)."
    )
    var maxFrameBytes: Int = 100 * 1024 * 1024

    func run() async throws {
        let config = try resolveOrExit(self.options)
        MonologLogging.bootstrap(level: config.logLevel)
        let metrics = PrometheusCollectorRegistry()
        MonologMetrics.bootstrap(metrics)
        ParentWatch.start()
        let logger = MonologLogging.logger(service: "kafka-gateway", level: config.logLevel)
        let directory = DataDirectory(path: config.dataDirectory)
        let writer = WriterClient(socketPath: directory.writerSocketPath, clientName: "kafka-gateway", logger: logger)
        let clusterID = try StorageReader(directory: directory).clusterID() ?? "monolog"
        let board = WatermarkBoard()
        let credentials = StoredCredentials(readers: StorageReaderPool(directory: directory))
        try await writer.subscribe { notification in
            board.hear(notification)
            credentials.hear(notification)
        }
        let groups = GroupCoordinator(
            settings: GroupSettings(initialRebalanceDelay: .milliseconds(config.kafka.groupInitialRebalanceDelayMs)),
            timerLoop: MultiThreadedEventLoopGroup.singleton.any(),
            logger: logger,
            persist: GroupStateStorage.persist(through: writer, on: MultiThreadedEventLoopGroup.singleton.any(), logger: logger)
        )
        // Stable groups carry on where the previous gateway left them (before any client connects).
        groups.restore(try GroupStateStorage.stored(in: StorageReader(directory: directory), logger: logger))
        let gateway = KafkaGatewayContext(
            readers: StorageReaderPool(directory: directory),
            threads: NIOThreadPool.singleton,
            writer: writer,
            settings: config,
            clusterID: clusterID,
            groups: groups,
            transactions: TransactionCoordinator(maxTimeoutMs: config.kafka.transactionMaxTimeoutMs),
            board: board,
            credentials: credentials,
            logger: logger
        )
        let listener = KafkaListenerService(address: config.kafkaAddress, maxFrameBytes: self.maxFrameBytes, gateway: gateway, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: listener),
                    .init(
                        service: TransactionTimeoutService(
                            writer: writer,
                            interval: .milliseconds(config.kafka.transactionCheckIntervalMs),
                            expirationMs: config.kafka.transactionalIDExpirationMs,
                            logger: logger
                        )
                    ),
                    .init(
                        service: MetricsSocketService(
                            path: directory.metricsSocketPath(for: "kafka-gateway"),
                            registry: metrics,
                            logger: logger,
                            beforeEmit: { KafkaMetrics.recordGroups(gateway.groups) }
                        )
                    ),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        writer.shutdown()
    }
}
