import Logging
import Metrics
import MonologConfig
import MonologKafkaProtocol
import MonologObservability
import MonologSecurity
import NIOCore

/// One client connection. Requests are answered in the order they arrived, as Kafka clients require,
/// even when a later one (ApiVersions) is ready before an earlier one (Metadata, waiting on storage):
/// each request takes a sequence number and its response waits until every earlier one is written.
/// Each request goes to its API's `serve`, looked up by key in `SupportedAPIs`. Requests this broker
/// does not serve close the connection, as Kafka does; ApiVersions at an unknown version is answered in
/// v0 form so the client can downgrade.
final class KafkaConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let gateway: KafkaGatewayContext
    private var logger: Logger
    private var nextSequence = 0
    private var nextToWrite = 0
    private var finished: [Int: ByteBuffer] = [:]
    /// The peer's address as Kafka shows it in DescribeGroups ("/127.0.0.1").
    private(set) var clientHost = ""
    /// Where the connection stands with SASL (always `notRequired` on a PLAINTEXT or SSL listener);
    /// the SASL APIs move it on.
    var sasl: SaslAuthentication
    /// A response after which the connection closes (a failed authentication), by its sequence number.
    private var closeAfterSequence: Int?

    init(gateway: KafkaGatewayContext) {
        self.gateway = gateway
        self.logger = gateway.logger
        self.sasl = gateway.settings.security.kafkaProtocol.usesSASL ? .awaitingHandshake : .notRequired
    }

    func channelActive(context: ChannelHandlerContext) {
        self.logger[metadataKey: LogKey.connectionPeer] = "\(context.remoteAddress.map { "\($0)" } ?? "unknown")"
        self.clientHost = "/\(context.remoteAddress?.ipAddress ?? "unknown")"
        self.logger.debug("client connected")
        KafkaMetrics.connections.increment()
        KafkaMetrics.connectionsOpened.increment()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        KafkaMetrics.connections.decrement()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if self.sasl.expectsBareToken {
            self.authenticateBareToken(self.unwrapInboundIn(data), context: context)
            return
        }
        let frame: KafkaRequestFrame
        do {
            frame = try KafkaRequestFrame(self.unwrapInboundIn(data))
        } catch {
            self.close(context, "request header unreadable", error: error)
            return
        }
        let api = SupportedAPIs.entry(forKey: frame.apiKey)
        guard self.sasl.allows(api) else {
            // As Kafka does: anything but ApiVersions and SASL before authentication ends the connection.
            self.close(context, "request before SASL authentication", error: nil, frame: frame)
            return
        }
        self.logger.trace(
            "request",
            metadata: [
                LogKey.kafkaAPI: "\(frame.apiKey)", LogKey.kafkaAPIVersion: "\(frame.apiVersion)",
                LogKey.kafkaCorrelationID: "\(frame.correlationID)", LogKey.kafkaClientID: "\(frame.header.clientId ?? "")",
            ]
        )
        let arrived = NIODeadline.now()
        let sequence = self.nextSequence
        self.nextSequence += 1
        guard let api, api.serves(version: frame.apiVersion) else {
            self.close(context, "API or version not supported", error: nil, frame: frame)
            return
        }
        do {
            try api.serve(KafkaRequest(frame: frame, gateway: self.gateway, connection: self, channelContext: context, sequence: sequence, arrived: arrived))
        } catch {
            self.close(context, "malformed request", error: error, frame: frame)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.close(context, "connection error", error: error)
    }

    /// Encodes an asynchronous answer when it arrives and queues it in request order.
    func answer<Response: KafkaResponseMessage>(
        _ future: EventLoopFuture<Response>,
        frame: KafkaRequestFrame,
        arrived: NIODeadline,
        sequence: Int,
        context: ChannelHandlerContext
    ) {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let version = frame.apiVersion
        let correlationID = frame.correlationID
        future.whenComplete { result in
            let context = boundContext.value
            do {
                var buffer = context.channel.allocator.buffer(capacity: 256)
                try KafkaResponseFrame.encode(try result.get(), version: version, correlationID: correlationID, into: &buffer)
                handler.value.logger.trace(
                    "response ready",
                    metadata: [LogKey.kafkaAPI: "\(frame.apiKey)", LogKey.kafkaCorrelationID: "\(correlationID)"]
                )
                handler.value.finish(sequence, buffer, context: context)
                KafkaMetrics.recordRequest(apiKey: frame.apiKey, since: arrived)
            } catch {
                handler.value.close(context, "request failed", error: error, frame: frame)
            }
        }
    }

    /// Writes every response that is next in line. A request without a response (acks=0) holds an
    /// empty slot, so it keeps its place without writing anything.
    func finish(_ sequence: Int, _ response: ByteBuffer, context: ChannelHandlerContext) {
        self.finished[sequence] = response
        var wrote = false
        while let next = self.finished.removeValue(forKey: self.nextToWrite) {
            if next.readableBytes > 0 {
                context.write(self.wrapOutboundOut(next), promise: nil)
                wrote = true
            }
            if self.nextToWrite == self.closeAfterSequence {
                // The client reads why (a failed authentication), then the connection ends.
                context.writeAndFlush(self.wrapOutboundOut(ByteBuffer())).whenComplete { [channel = context.channel] _ in
                    channel.close(promise: nil)
                }
                return
            }
            self.nextToWrite += 1
        }
        if wrote { context.flush() }
    }

    /// After a SASL step: wait for the next token (in the same form), let the connection in, or mark
    /// it failed (the caller closes it).
    func advance(to step: SaslServerExchange.Step, exchange: SaslServerExchange, bareTokens: Bool) {
        switch step {
        case .challenge:
            self.sasl = .exchanging(exchange, bareTokens: bareTokens)
        case .authenticated(let user, _):
            self.sasl = .authenticated(user: user)
            self.logger[metadataKey: "sasl.user"] = "\(user)"
            self.logger.debug("authenticated", metadata: ["sasl.mechanism": "\(exchange.mechanism.name)"])
        case .failed(let message):
            self.sasl = .failed
            self.logger.info("SASL authentication failed", metadata: ["sasl.mechanism": "\(exchange.mechanism.name)", "reason": "\(message)"])
        }
    }

    /// A token sent bare after a v0 SaslHandshake (a length and the bytes, no request header), answered
    /// the same way; a failure closes the connection without an answer, as Kafka does.
    private func authenticateBareToken(_ token: ByteBuffer, context: ChannelHandlerContext) {
        guard case .exchanging(let exchange, bareTokens: true) = self.sasl else { return }
        self.sasl = .checking
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        SaslAuthenticateAPI.step(exchange, token: Array(token.readableBytesView), context: self.gateway, on: context.eventLoop).whenComplete { result in
            let context = boundContext.value
            guard case .success(let (step, exchange)) = result else {
                handler.value.close(context, "SASL check failed", error: nil)
                return
            }
            handler.value.advance(to: step, exchange: exchange, bareTokens: true)
            switch step {
            case .challenge(let reply), .authenticated(_, let reply):
                var frame = context.channel.allocator.buffer(capacity: 4 + reply.count)
                frame.writeInteger(Int32(reply.count))
                frame.writeBytes(reply)
                context.writeAndFlush(handler.value.wrapOutboundOut(frame), promise: nil)
            case .failed:
                context.close(promise: nil)
            }
        }
    }

    func skip(_ sequence: Int, context: ChannelHandlerContext) {
        self.finish(sequence, ByteBuffer(), context: context)
    }

    /// Closes the connection once the answer to `sequence` is written (a failed authentication).
    func closeAfterAnswer(to sequence: Int) {
        self.closeAfterSequence = sequence
    }

    private func close(_ context: ChannelHandlerContext, _ reason: String, error: (any Error)?, frame: KafkaRequestFrame? = nil) {
        var metadata: Logger.Metadata = [:]
        if let frame {
            metadata[LogKey.kafkaAPI] = "\(frame.apiKey)"
            metadata[LogKey.kafkaAPIVersion] = "\(frame.apiVersion)"
        }
        if let error { metadata[LogKey.error] = "\(error)" }
        self.logger.debug("closing connection: \(reason)", metadata: metadata)
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension KafkaConnectionHandler: Sendable {}
