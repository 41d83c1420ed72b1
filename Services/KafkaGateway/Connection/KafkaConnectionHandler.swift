import Logging
import MonologKafkaProtocol
import MonologObservability
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

    init(gateway: KafkaGatewayContext) {
        self.gateway = gateway
        self.logger = gateway.logger
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
            self.close(context, "request header unreadable", error: error)
            return
        }
        self.logger.trace(
            "request",
            metadata: [
                LogKey.kafkaAPI: "\(frame.apiKey)", LogKey.kafkaAPIVersion: "\(frame.apiVersion)",
                LogKey.kafkaCorrelationID: "\(frame.correlationID)", LogKey.kafkaClientID: "\(frame.header.clientId ?? "")",
            ]
        )
        let sequence = self.nextSequence
        self.nextSequence += 1
        do {
            switch frame.apiKey {
            case ApiVersionsRequest.apiKey:
                self.finish(sequence, try ApiVersionsAPI.respond(to: frame, allocator: context.channel.allocator), context: context)
            case ProduceRequest.apiKey where ProduceAPI.range.contains(frame.apiVersion):
                var body = frame.body
                let request = try ProduceRequest(from: &body, version: frame.apiVersion)
                let future = ProduceAPI.respond(to: request, version: frame.apiVersion, context: self.gateway, on: context.eventLoop)
                if request.acks == 0 {
                    // acks=0: the client expects no response; the write still happens.
                    self.skip(sequence, context: context)
                } else {
                    self.answer(future, frame: frame, sequence: sequence, context: context)
                }
            case FetchRequest.apiKey where FetchAPI.range.contains(frame.apiVersion):
                var body = frame.body
                let request = try FetchRequest(from: &body, version: frame.apiVersion)
                self.answer(
                    FetchAPI.respond(to: request, context: self.gateway, board: self.gateway.board, on: context.eventLoop),
                    frame: frame,
                    sequence: sequence,
                    context: context
                )
            case ListOffsetsRequest.apiKey where ListOffsetsAPI.range.contains(frame.apiVersion):
                var body = frame.body
                let request = try ListOffsetsRequest(from: &body, version: frame.apiVersion)
                self.answer(ListOffsetsAPI.respond(to: request, version: frame.apiVersion, context: self.gateway, on: context.eventLoop), frame: frame, sequence: sequence, context: context)
            case InitProducerIdRequest.apiKey where InitProducerIdAPI.range.contains(frame.apiVersion):
                var body = frame.body
                let request = try InitProducerIdRequest(from: &body, version: frame.apiVersion)
                self.answer(InitProducerIdAPI.respond(to: request, context: self.gateway, on: context.eventLoop), frame: frame, sequence: sequence, context: context)
            case CreateTopicsRequest.apiKey where CreateTopicsAPI.range.contains(frame.apiVersion):
                var body = frame.body
                let request = try CreateTopicsRequest(from: &body, version: frame.apiVersion)
                self.answer(CreateTopicsAPI.respond(to: request, context: self.gateway, on: context.eventLoop), frame: frame, sequence: sequence, context: context)
            case DeleteTopicsRequest.apiKey where DeleteTopicsAPI.range.contains(frame.apiVersion):
                var body = frame.body
                let request = try DeleteTopicsRequest(from: &body, version: frame.apiVersion)
                self.answer(DeleteTopicsAPI.respond(to: request, context: self.gateway, on: context.eventLoop), frame: frame, sequence: sequence, context: context)
            case DeleteRecordsRequest.apiKey where DeleteRecordsAPI.range.contains(frame.apiVersion):
                var body = frame.body
                let request = try DeleteRecordsRequest(from: &body, version: frame.apiVersion)
                self.answer(DeleteRecordsAPI.respond(to: request, context: self.gateway, on: context.eventLoop), frame: frame, sequence: sequence, context: context)
            case MetadataRequest.apiKey where MetadataAPI.range.contains(frame.apiVersion):
                var body = frame.body
                let request = try MetadataRequest(from: &body, version: frame.apiVersion)
                self.answer(
                    MetadataAPI.respond(to: request, version: frame.apiVersion, context: self.gateway, on: context.eventLoop),
                    frame: frame,
                    sequence: sequence,
                    context: context
                )
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
                handler.value.finish(sequence, buffer, context: context)
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
            self.nextToWrite += 1
        }
        if wrote { context.flush() }
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
