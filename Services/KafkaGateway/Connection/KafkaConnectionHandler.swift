import Logging
import MonologKafkaProtocol
import MonologObservability
import NIOCore

/// One client connection: reads request frames, answers each in order. Requests this broker does not
/// implement close the connection, as Kafka does; ApiVersions at an unknown version is answered in v0
/// form so the client can downgrade.
final class KafkaConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        self.logger[metadataKey: LogKey.connectionPeer] = "\(context.remoteAddress.map { "\($0)" } ?? "unknown")"
        self.logger.debug("client connected")
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame: KafkaRequestFrame
        do {
            frame = try KafkaRequestFrame(self.unwrapInboundIn(data))
        } catch {
            self.logger.debug("closing connection: request header unreadable", metadata: [LogKey.error: "\(error)"])
            context.close(promise: nil)
            return
        }
        guard frame.apiKey == ApiVersionsRequest.apiKey else {
            self.logger.debug(
                "closing connection: API not supported",
                metadata: [LogKey.kafkaAPI: "\(frame.apiKey)", LogKey.kafkaAPIVersion: "\(frame.apiVersion)"]
            )
            context.close(promise: nil)
            return
        }
        self.logger.trace(
            "request",
            metadata: [
                LogKey.kafkaAPI: "ApiVersions", LogKey.kafkaAPIVersion: "\(frame.apiVersion)",
                LogKey.kafkaCorrelationID: "\(frame.correlationID)", LogKey.kafkaClientID: "\(frame.header.clientId ?? "")",
            ]
        )
        do {
            let response = try ApiVersionsAPI.respond(to: frame, allocator: context.channel.allocator)
            context.writeAndFlush(self.wrapOutboundOut(response), promise: nil)
        } catch {
            self.logger.debug("closing connection: malformed request", metadata: [LogKey.error: "\(error)"])
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.debug("closing connection after an error", metadata: [LogKey.error: "\(error)"])
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension KafkaConnectionHandler: Sendable {}
