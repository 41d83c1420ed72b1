import Logging
import MonologConfig
import MonologKafkaProtocol
import MonologProcess
import MonologSecurity
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// Accepts Kafka clients on the configured address, within `max.connections` and
/// `max.connections.per.ip` (`ConnectionLimiter`); each connection gets its own pipeline: TLS first on
/// an SSL or SASL_SSL listener, the idle timer, framing, then the connection handler (which enforces
/// SASL and bounds the requests it serves at once, also against the broker-wide `RequestBudget`).
struct KafkaListenerService: Service {
    let address: ListenAddress
    let maxFrameBytes: Int
    let gateway: KafkaGatewayContext
    let logger: Logger

    func run() async throws {
        let gateway = self.gateway
        let maxFrameBytes = self.maxFrameBytes
        let security = gateway.settings.security
        let limits = gateway.settings.kafka
        let logger = self.logger
        let tls = security.kafkaProtocol.usesTLS ? try TLSContexts.server(security) : nil
        let budget = RequestBudget(limits)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // One connection per accept round, so ConnectionLimiter decides before the next is taken
            // (NIO takes up to 4 per round by default, which would pass max.connections by up to 3).
            .serverChannelOption(.maxMessagesPerRead, value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionLimiter(maxConnections: limits.maxConnections, maxPerAddress: limits.maxConnectionsPerIP, logger: logger)
                    )
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Self.addHandlers(to: channel, tls: tls, maxFrameBytes: maxFrameBytes, gateway: gateway, budget: budget)
                }
            }
            .bind(host: self.address.bindHost, port: self.address.port)
            .get()
        self.logger.info(
            "kafka gateway listening",
            metadata: [
                "address": "\(channel.localAddress.map { "\($0)" } ?? "")", "security_protocol": "\(security.kafkaProtocol.rawValue)",
                "client_certificates": "\(security.kafkaProtocol.usesTLS && security.tlsClientCAFile != nil ? "required" : "not required")",
            ]
        )
        ReadinessNotice.announce()
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }

    /// One connection's pipeline: TLS (when given), the idle timer (`connections.max.idle.ms`: no
    /// read or write for that long), framing, then the connection handler. The gateway's tests build
    /// theirs with it too.
    static func addHandlers(to channel: any Channel, tls: NIOSSLContext?, maxFrameBytes: Int, gateway: KafkaGatewayContext, budget: RequestBudget) throws {
        let pipeline = channel.pipeline.syncOperations
        if let tls { try pipeline.addHandler(NIOSSLServerHandler(context: tls)) }
        try pipeline.addHandler(IdleStateHandler(allTimeout: .milliseconds(gateway.settings.kafka.connectionsMaxIdleMs)))
        let frameLimit = KafkaFrameSizeLimit(maxBytes: maxFrameBytes)
        let frameProgress = KafkaFrameProgress()
        try pipeline.addHandler(ByteToMessageHandler(KafkaFrameDecoder(limit: frameLimit, progress: frameProgress)))
        try pipeline.addHandler(
            KafkaConnectionHandler(gateway: gateway, budget: budget, frameLimit: frameLimit, frameProgress: frameProgress, maxFrameBytes: maxFrameBytes))
    }
}
