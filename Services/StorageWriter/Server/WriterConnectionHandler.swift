import Logging
import Metrics
import MonologObservability
import MonologWriterProtocol
import NIOCore

/// One gateway's connection to the writer. Decodes request frames, answers the handshake and
/// subscriptions itself, and hands storage commands to the group committer, which runs on this same
/// event loop. Answers go back as each commit lands, tagged with their request id.
final class WriterConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let committer: GroupCommitter
    private let subscribers: WatermarkSubscribers
    private var logger: Logger
    private var greeted = false
    private static let connections = Meter(label: MetricCatalog.writerConnections)

    init(committer: GroupCommitter, subscribers: WatermarkSubscribers, logger: Logger) {
        self.committer = committer
        self.subscribers = subscribers
        self.logger = logger
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.subscribers.remove(context.channel)
        self.committer.readGate.remove(context.channel)
        Self.connections.decrement()
        context.fireChannelInactive()
    }

    func channelActive(context: ChannelHandlerContext) {
        self.logger.debug("gateway connected")
        Self.connections.increment()
        self.committer.readGate.add(context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = self.unwrapInboundIn(data)
        do {
            let (requestID, kind) = try WriterFrame.readHeader(&frame)
            switch kind {
            case Hello.kind:
                try self.greet(try WriterFrame.readBody(Hello.self, from: &frame), requestID: requestID, context: context)
            case _ where !self.greeted:
                self.logger.debug("closing connection that did not start with hello")
                context.close(promise: nil)
            case Subscribe.kind:
                _ = try WriterFrame.readBody(Subscribe.self, from: &frame)
                self.subscribers.add(context.channel)
                self.write(.reply(kind: Subscribe.replyKind, Done()), requestID: requestID, context: context)
            default:
                self.submit(try StorageCommands.decode(kind: kind, body: &frame), requestID: requestID, context: context)
            }
        } catch {
            self.logger.debug("closing connection after a malformed frame", metadata: [LogKey.error: "\(error)"])
            context.close(promise: nil)
        }
    }

    private func greet(_ hello: Hello, requestID: UInt64, context: ChannelHandlerContext) throws(WriterProtocolError) {
        guard hello.magic == WriterProtocol.magic else { throw WriterProtocolError("bad magic \(hello.magic)") }
        guard hello.version >= WriterProtocol.version else {
            let refusal = WriterError(.unsupportedVersion, "writer speaks protocol version \(WriterProtocol.version)")
            self.write(.refused(refusal), requestID: requestID, context: context)
            context.close(promise: nil)
            return
        }
        self.greeted = true
        self.logger[metadataKey: "writer.client"] = "\(hello.clientName)"
        self.write(.reply(kind: Hello.replyKind, Hello.Reply(version: WriterProtocol.version)), requestID: requestID, context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.debug("closing connection after an error", metadata: [LogKey.error: "\(error)"])
        context.close(promise: nil)
    }

    private func submit(_ command: any StorageCommand, requestID: UInt64, context: ChannelHandlerContext) {
        let channel = context.channel
        let logger = self.logger
        self.committer.submit(command) { answer in
            // Runs on this connection's event loop once the group is committed; the pipeline's
            // FlushCoalescingHandler sends the group's answers to this connection in one write.
            Self.logRefusal(answer, logger: logger)
            var buffer = channel.allocator.buffer(capacity: 64)
            answer.write(requestID: requestID, into: &buffer)
            channel.writeAndFlush(buffer, promise: nil)
        }
    }

    private func write(_ answer: WriterAnswer, requestID: UInt64, context: ChannelHandlerContext) {
        Self.logRefusal(answer, logger: self.logger)
        var buffer = context.channel.allocator.buffer(capacity: 64)
        answer.write(requestID: requestID, into: &buffer)
        context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
    }

    /// A refused request is the client's to handle; at debug level it is there to trace.
    private static func logRefusal(_ answer: WriterAnswer, logger: Logger) {
        guard case .refused(let error) = answer else { return }
        logger.debug("request refused", metadata: ["writer.error": "\(error.code)", "writer.message": "\(error.message)"])
    }
}

@available(*, unavailable)
extension WriterConnectionHandler: Sendable {}
