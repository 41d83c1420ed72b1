import Logging
import MonologConfig
import MonologKafkaProtocol
import MonologProcess
import MonologSecurity
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// Accepts Kafka clients on the configured address; each connection gets its own pipeline: TLS first
/// on an SSL or SASL_SSL listener, then framing, then the connection handler (which enforces SASL).
struct KafkaListenerService: Service {
    let address: ListenAddress
    let maxFrameBytes: Int
    let gateway: KafkaGatewayContext
    let logger: Logger

    func run() async throws {
        let gateway = self.gateway
        let maxFrameBytes = self.maxFrameBytes
        let security = gateway.settings.security
        let tls = security.kafkaProtocol.usesTLS ? try TLSContexts.server(security) : nil
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Self.addHandlers(to: channel, tls: tls, maxFrameBytes: maxFrameBytes, gateway: gateway)
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

    /// One connection's pipeline: TLS (when given), framing, then the connection handler. The
    /// gateway's tests build theirs with it too.
    static func addHandlers(to channel: any Channel, tls: NIOSSLContext?, maxFrameBytes: Int, gateway: KafkaGatewayContext) throws {
        if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: maxFrameBytes)))
        try channel.pipeline.syncOperations.addHandler(KafkaConnectionHandler(gateway: gateway))
    }
}
