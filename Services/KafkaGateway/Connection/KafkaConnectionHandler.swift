import Logging
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
        var frame = self.unwrapInboundIn(data)
        guard let header = KafkaRequestHeader.read(from: &frame) else {
            self.logger.debug("closing connection: request header truncated")
            context.close(promise: nil)
            return
        }
        guard header.apiKey == ApiVersionsAPI.apiKey else {
            self.logger.debug(
                "closing connection: API not supported",
                metadata: [LogKey.kafkaAPI: "\(header.apiKey)", LogKey.kafkaAPIVersion: "\(header.apiVersion)"]
            )
            context.close(promise: nil)
            return
        }
        self.logger.trace(
            "request",
            metadata: [
                LogKey.kafkaAPI: "ApiVersions", LogKey.kafkaAPIVersion: "\(header.apiVersion)",
                LogKey.kafkaCorrelationID: "\(header.correlationID)", LogKey.kafkaClientID: "\(header.clientID ?? "")",
            ]
        )
        var body = ApiVersionsAPI.responseBody(version: header.apiVersion, allocator: context.channel.allocator)
        var response = context.channel.allocator.buffer(capacity: 8 + body.readableBytes)
        response.writeInteger(Int32(4 + body.readableBytes))  // size
        response.writeInteger(header.correlationID)  // response header v0
        response.writeBuffer(&body)
        context.writeAndFlush(self.wrapOutboundOut(response), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.debug("closing connection after an error", metadata: [LogKey.error: "\(error)"])
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension KafkaConnectionHandler: Sendable {}
