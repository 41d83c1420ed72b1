import Foundation
import Logging
import MonologConfig
import MonologGroups
import MonologProcess
import MonologSecurity
import MonologStorage
import MonologTestSupport
import MonologWriterClient
import NIOCore
import NIOPosix
import Synchronization

@testable import KafkaGateway

/// What the gateway's tests run against: a real `monolog-storage-writer` process on a temporary data
/// directory, shared by the whole suite (tests use names of their own), and a gateway context over
/// it, built as `monolog-kafka-gateway` builds its own. The writer watches this process as its
/// supervisor, so it stops by itself when the tests are over.
struct TestGateway: Sendable {
    let writer: WriterProcess
    let context: KafkaGatewayContext

    /// The suite's gateway, started on first use.
    static func shared() async throws -> TestGateway { try await self.started.value }

    private static let started = Task { try await TestGateway.start() }

    private static func start() async throws -> TestGateway {
        let writer = try WriterProcess(environment: [ParentWatch.environmentKey: "\(getpid())"])
        try await writer.start()
        Self.workDirectory.withLock { $0 = writer.workDirectory }
        atexit { TestGateway.workDirectory.withLock { path in path.map { try? FileManager.default.removeItem(atPath: $0) } } }
        let directory = DataDirectory(path: writer.dataDirectory)
        var logger = Logger(label: "kafka-gateway-tests")
        logger.logLevel = .warning
        let client = WriterClient(socketPath: directory.writerSocketPath, clientName: "kafka-gateway-tests", logger: logger)
        let board = WatermarkBoard()
        try await client.subscribe { board.hear($0) }
        var settings = MonologConfiguration.defaults
        settings.dataDirectory = writer.dataDirectory
        settings.kafkaAddress = ListenAddress(host: "127.0.0.1", port: 9092)
        let readers = StorageReaderPool(directory: directory)
        let context = KafkaGatewayContext(
            readers: readers,
            threads: NIOThreadPool.singleton,
            writer: client,
            settings: settings,
            clusterID: try StorageReader(directory: directory).clusterID() ?? "monolog",
            groups: GroupCoordinator(settings: GroupSettings(), timerLoop: MultiThreadedEventLoopGroup.singleton.any(), logger: logger),
            transactions: TransactionCoordinator(maxTimeoutMs: settings.kafka.transactionMaxTimeoutMs),
            board: board,
            credentials: StoredCredentials(readers: readers),
            logger: logger
        )
        return TestGateway(writer: writer, context: context)
    }

    private static let workDirectory = Mutex<String?>(nil)

    /// The same gateway behind a SASL_PLAINTEXT listener offering `mechanisms`.
    func withSASL(mechanisms: [String] = SecuritySettings.supportedMechanisms) -> KafkaGatewayContext {
        var settings = self.context.settings
        settings.security.kafkaProtocol = .saslPlaintext
        settings.security.saslMechanisms = mechanisms
        let context = self.context
        return KafkaGatewayContext(
            readers: context.readers,
            threads: context.threads,
            writer: context.writer,
            settings: settings,
            clusterID: context.clusterID,
            groups: context.groups,
            transactions: context.transactions,
            board: context.board,
            credentials: context.credentials,
            logger: context.logger
        )
    }

    /// A new client connection to this gateway.
    func connect() async throws -> TestConnection { try await TestConnection(self.context) }
}

/// A name no other test uses.
func uniqueName(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())" }
