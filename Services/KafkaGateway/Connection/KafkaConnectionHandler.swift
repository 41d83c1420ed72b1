import Logging
import Metrics
import MonologKafkaProtocol
import MonologConfig
import MonologObservability
import MonologSecurity
import NIOCore

/// One client connection. Requests are answered in the order they arrived, as Kafka clients require,
/// even when a later one (ApiVersions) is ready before an earlier one (Metadata, waiting on storage):
/// each request takes a sequence number and its response waits until every earlier one is written.
/// Requests this broker does not serve close the connection, as Kafka does; ApiVersions at an unknown
/// version is answered in v0 form so the client can downgrade.
final class KafkaConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let gateway: KafkaGatewayContext
    private var logger: Logger
    private var nextSequence = 0
    private var nextToWrite = 0
    private var finished: [Int: ByteBuffer] = [:]
    /// The peer's address as Kafka shows it in DescribeGroups ("/127.0.0.1").
    private var clientHost = ""
    /// Where the connection stands with SASL (always `notRequired` on a PLAINTEXT or SSL listener).
    private var sasl: SaslAuthentication
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
        guard self.sasl.allows(apiKey: frame.apiKey) else {
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
        let gateway = self.gateway
        let loop = context.eventLoop
        // The body of the request, as the API's generated type at the version the client used.
        func decode<Request: KafkaMessage>(_: Request.Type) throws -> Request {
            var body = frame.body
            return try Request(from: &body, version: frame.apiVersion)
        }
        // Queues the answer in this request's place in line.
        func reply<Response: KafkaResponseMessage>(_ response: EventLoopFuture<Response>) {
            self.answer(response, frame: frame, arrived: arrived, sequence: sequence, context: context)
        }
        do {
            switch frame.apiKey {
            case ApiVersionsRequest.apiKey:
                self.finish(sequence, try ApiVersionsAPI.respond(to: frame, allocator: context.channel.allocator), context: context)
                KafkaMetrics.recordRequest(apiKey: frame.apiKey, since: arrived)
            case ProduceRequest.apiKey where ProduceAPI.range.contains(frame.apiVersion):
                let request = try decode(ProduceRequest.self)
                let response = ProduceAPI.respond(to: request, version: frame.apiVersion, context: gateway, on: loop)
                // acks=0: the client expects no response; the write still happens.
                if request.acks == 0 { self.skip(sequence, context: context) } else { reply(response) }
            case FetchRequest.apiKey where FetchAPI.range.contains(frame.apiVersion):
                reply(FetchAPI.respond(to: try decode(FetchRequest.self), context: gateway, board: gateway.board, on: loop))
            case ListOffsetsRequest.apiKey where ListOffsetsAPI.range.contains(frame.apiVersion):
                reply(ListOffsetsAPI.respond(to: try decode(ListOffsetsRequest.self), version: frame.apiVersion, context: gateway, on: loop))
            case MetadataRequest.apiKey where MetadataAPI.range.contains(frame.apiVersion):
                reply(MetadataAPI.respond(to: try decode(MetadataRequest.self), version: frame.apiVersion, context: gateway, on: loop))
            case CreateTopicsRequest.apiKey where CreateTopicsAPI.range.contains(frame.apiVersion):
                reply(CreateTopicsAPI.respond(to: try decode(CreateTopicsRequest.self), context: gateway, on: loop))
            case DeleteTopicsRequest.apiKey where DeleteTopicsAPI.range.contains(frame.apiVersion):
                reply(DeleteTopicsAPI.respond(to: try decode(DeleteTopicsRequest.self), context: gateway, on: loop))
            case DeleteRecordsRequest.apiKey where DeleteRecordsAPI.range.contains(frame.apiVersion):
                reply(DeleteRecordsAPI.respond(to: try decode(DeleteRecordsRequest.self), context: gateway, on: loop))
            case InitProducerIdRequest.apiKey where InitProducerIdAPI.range.contains(frame.apiVersion):
                reply(InitProducerIdAPI.respond(to: try decode(InitProducerIdRequest.self), context: gateway, on: loop))
            case OffsetForLeaderEpochRequest.apiKey where OffsetForLeaderEpochAPI.range.contains(frame.apiVersion):
                reply(OffsetForLeaderEpochAPI.respond(to: try decode(OffsetForLeaderEpochRequest.self), context: gateway, on: loop))
            case CreatePartitionsRequest.apiKey where CreatePartitionsAPI.range.contains(frame.apiVersion):
                reply(CreatePartitionsAPI.respond(to: try decode(CreatePartitionsRequest.self), context: gateway, on: loop))
            case DescribeConfigsRequest.apiKey where DescribeConfigsAPI.range.contains(frame.apiVersion):
                reply(DescribeConfigsAPI.respond(to: try decode(DescribeConfigsRequest.self), version: frame.apiVersion, context: gateway, on: loop))
            case AlterConfigsRequest.apiKey where AlterConfigsAPI.range.contains(frame.apiVersion):
                reply(AlterConfigsAPI.respond(to: try decode(AlterConfigsRequest.self), context: gateway, on: loop))
            case IncrementalAlterConfigsRequest.apiKey where IncrementalAlterConfigsAPI.range.contains(frame.apiVersion):
                reply(IncrementalAlterConfigsAPI.respond(to: try decode(IncrementalAlterConfigsRequest.self), context: gateway, on: loop))
            case DescribeClusterRequest.apiKey where DescribeClusterAPI.range.contains(frame.apiVersion):
                reply(loop.makeSucceededFuture(DescribeClusterAPI.respond(to: try decode(DescribeClusterRequest.self), version: frame.apiVersion, context: gateway)))
            case DescribeLogDirsRequest.apiKey where DescribeLogDirsAPI.range.contains(frame.apiVersion):
                reply(DescribeLogDirsAPI.respond(to: try decode(DescribeLogDirsRequest.self), version: frame.apiVersion, context: gateway, on: loop))
            case DescribeProducersRequest.apiKey where DescribeProducersAPI.range.contains(frame.apiVersion):
                reply(DescribeProducersAPI.respond(to: try decode(DescribeProducersRequest.self), context: gateway, on: loop))
            case FindCoordinatorRequest.apiKey where FindCoordinatorAPI.range.contains(frame.apiVersion):
                reply(loop.makeSucceededFuture(FindCoordinatorAPI.respond(to: try decode(FindCoordinatorRequest.self), version: frame.apiVersion, context: gateway)))
            case JoinGroupRequest.apiKey where JoinGroupAPI.range.contains(frame.apiVersion):
                let client = KafkaClientIdentity(clientID: frame.header.clientId ?? "", host: self.clientHost)
                reply(JoinGroupAPI.respond(to: try decode(JoinGroupRequest.self), version: frame.apiVersion, client: client, context: gateway, on: loop))
            case SyncGroupRequest.apiKey where SyncGroupAPI.range.contains(frame.apiVersion):
                reply(SyncGroupAPI.respond(to: try decode(SyncGroupRequest.self), version: frame.apiVersion, context: gateway, on: loop))
            case HeartbeatRequest.apiKey where HeartbeatAPI.range.contains(frame.apiVersion):
                reply(loop.makeSucceededFuture(HeartbeatAPI.respond(to: try decode(HeartbeatRequest.self), version: frame.apiVersion, context: gateway)))
            case LeaveGroupRequest.apiKey where LeaveGroupAPI.range.contains(frame.apiVersion):
                reply(loop.makeSucceededFuture(LeaveGroupAPI.respond(to: try decode(LeaveGroupRequest.self), version: frame.apiVersion, context: gateway)))
            case OffsetCommitRequest.apiKey where OffsetCommitAPI.range.contains(frame.apiVersion):
                reply(OffsetCommitAPI.respond(to: try decode(OffsetCommitRequest.self), version: frame.apiVersion, context: gateway, on: loop))
            case OffsetFetchRequest.apiKey where OffsetFetchAPI.range.contains(frame.apiVersion):
                reply(OffsetFetchAPI.respond(to: try decode(OffsetFetchRequest.self), version: frame.apiVersion, context: gateway, on: loop))
            case OffsetDeleteRequest.apiKey where OffsetDeleteAPI.range.contains(frame.apiVersion):
                reply(OffsetDeleteAPI.respond(to: try decode(OffsetDeleteRequest.self), context: gateway, on: loop))
            case DescribeGroupsRequest.apiKey where DescribeGroupsAPI.range.contains(frame.apiVersion):
                reply(DescribeGroupsAPI.respond(to: try decode(DescribeGroupsRequest.self), version: frame.apiVersion, context: gateway, on: loop))
            case ListGroupsRequest.apiKey where ListGroupsAPI.range.contains(frame.apiVersion):
                reply(ListGroupsAPI.respond(to: try decode(ListGroupsRequest.self), version: frame.apiVersion, context: gateway, on: loop))
            case DeleteGroupsRequest.apiKey where DeleteGroupsAPI.range.contains(frame.apiVersion):
                reply(DeleteGroupsAPI.respond(to: try decode(DeleteGroupsRequest.self), context: gateway, on: loop))
            case SaslHandshakeRequest.apiKey where SaslHandshakeAPI.range.contains(frame.apiVersion):
                let answer = SaslHandshakeAPI.respond(to: try decode(SaslHandshakeRequest.self), state: self.sasl, context: gateway)
                if let exchange = answer.exchange { self.sasl = .exchanging(exchange, bareTokens: frame.apiVersion == 0) }
                reply(loop.makeSucceededFuture(answer.response))
            case SaslAuthenticateRequest.apiKey where SaslAuthenticateAPI.range.contains(frame.apiVersion):
                let request = try decode(SaslAuthenticateRequest.self)
                guard case .exchanging(let exchange, bareTokens: false) = self.sasl else {
                    self.sasl = .failed
                    self.closeAfterSequence = sequence
                    reply(loop.makeSucceededFuture(SaslAuthenticateAPI.illegalState()))
                    return
                }
                self.sasl = .checking
                let handler = NIOLoopBound(self, eventLoop: loop)
                let step = SaslAuthenticateAPI.step(exchange, token: Array(request.authBytes.readableBytesView), context: gateway, on: loop)
                reply(step.map { result in
                    handler.value.advance(to: result.step, exchange: result.exchange, bareTokens: false)
                    if case .failed = result.step { handler.value.closeAfterSequence = sequence }
                    return SaslAuthenticateAPI.response(for: result.step)
                })
            case DescribeUserScramCredentialsRequest.apiKey where DescribeUserScramCredentialsAPI.range.contains(frame.apiVersion):
                reply(DescribeUserScramCredentialsAPI.respond(to: try decode(DescribeUserScramCredentialsRequest.self), context: gateway, on: loop))
            case AlterUserScramCredentialsRequest.apiKey where AlterUserScramCredentialsAPI.range.contains(frame.apiVersion):
                reply(AlterUserScramCredentialsAPI.respond(to: try decode(AlterUserScramCredentialsRequest.self), context: gateway, on: loop))
            default:
                self.close(context, "API or version not supported", error: nil, frame: frame)
            }
        } catch {
            self.close(context, "malformed request", error: error, frame: frame)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.close(context, "connection error", error: error)
    }

    /// Encodes an asynchronous answer when it arrives and queues it in request order.
    private func answer<Response: KafkaResponseMessage>(
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
    private func finish(_ sequence: Int, _ response: ByteBuffer, context: ChannelHandlerContext) {
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
    private func advance(to step: SaslServerExchange.Step, exchange: SaslServerExchange, bareTokens: Bool) {
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

    private func skip(_ sequence: Int, context: ChannelHandlerContext) {
        self.finish(sequence, ByteBuffer(), context: context)
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

extension SupportedAPIs.Entry {
    func contains(_ version: Int16) -> Bool { version >= self.minVersion && version <= self.maxVersion }
}
