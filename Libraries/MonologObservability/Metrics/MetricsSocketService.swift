import Foundation
import Logging
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle

/// Serves one process's metrics on a Unix socket (mode 0600): each connection gets the registry's
/// Prometheus text exposition, then the socket closes. The HTTP gateway's `/metrics` reads every
/// process's socket, so each number is reported by the process that holds it.
public struct MetricsSocketService: Service {
    let path: String
    let registry: PrometheusCollectorRegistry
    /// Runs before each exposition, for gauges read on demand (such as the groups a gateway holds).
    let beforeEmit: @Sendable () -> Void
    let logger: Logger

    public init(
        path: String,
        registry: PrometheusCollectorRegistry,
        logger: Logger,
        beforeEmit: @escaping @Sendable () -> Void = {}
    ) {
        self.path = path
        self.registry = registry
        self.logger = logger
        self.beforeEmit = beforeEmit
    }

    public func run() async throws {
        let registry = self.registry
        let beforeEmit = self.beforeEmit
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ExpositionWriter(registry: registry, beforeEmit: beforeEmit))
                    }
                }
                // Each process owns its metrics socket; one left behind by a crash is stale.
                .bind(unixDomainSocketPath: self.path, cleanupExistingSocketFile: true)
                .get()
        } catch {
            // Metrics are not worth stopping the process for: it serves on without them.
            self.logger.error(
                "metrics socket unavailable; this process is missing from /metrics",
                metadata: ["socket": "\(self.path)", LogKey.error: "\(error)"]
            )
            try? await gracefulShutdown()
            return
        }
        chmod(self.path, 0o600)
        self.logger.debug("metrics socket ready", metadata: ["socket": "\(self.path)"])
        // Ends with the process: on graceful shutdown, or when another service fails and the group is cancelled.
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            channel.close(promise: nil)
        }
        unlink(self.path)
    }
}

/// Writes the exposition when a connection opens, then closes it.
private final class ExpositionWriter: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let registry: PrometheusCollectorRegistry
    let beforeEmit: @Sendable () -> Void

    init(registry: PrometheusCollectorRegistry, beforeEmit: @escaping @Sendable () -> Void) {
        self.registry = registry
        self.beforeEmit = beforeEmit
    }

    func channelActive(context: ChannelHandlerContext) {
        self.beforeEmit()
        var bytes: [UInt8] = []
        self.registry.emit(into: &bytes)
        let buffer = context.channel.allocator.buffer(bytes: bytes)
        context.writeAndFlush(Self.wrapOutboundOut(buffer)).whenComplete { [channel = context.channel] _ in
            channel.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
