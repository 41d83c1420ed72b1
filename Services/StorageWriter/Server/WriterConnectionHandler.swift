import Logging
import Metrics
import MonologObservability
import MonologRecords
import MonologWriterProtocol
import NIOCore

/// One gateway's connection to the writer. Decodes request frames, answers the handshake, validates
/// record batches, and hands writes to the group committer, which runs on this same event loop.
/// Responses go back as each commit lands, tagged with their id.
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
        let request: WriterEnvelope<WriterRequest>
        do {
            request = try WriterEnvelope<WriterRequest>.decode(self.unwrapInboundIn(data))
        } catch {
            self.logger.debug("closing connection after a malformed frame", metadata: [LogKey.error: "\(error)"])
            context.close(promise: nil)
            return
        }
        guard case .hello(let version, let clientName) = request.message else {
            guard self.greeted else {
                self.logger.debug("closing connection that did not start with hello")
                context.close(promise: nil)
                return
            }
            self.submit(request, context: context)
            return
        }
        guard version >= WriterProtocol.version else {
            let reply = WriterResponse.error(.unsupportedVersion, message: "writer speaks protocol version \(WriterProtocol.version)")
            self.write(WriterEnvelope(requestID: request.requestID, message: reply), context: context)
            context.close(promise: nil)
            return
        }
        self.greeted = true
        self.logger[metadataKey: "writer.client"] = "\(clientName)"
        self.write(WriterEnvelope(requestID: request.requestID, message: .hello(version: WriterProtocol.version)), context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.debug("closing connection after an error", metadata: [LogKey.error: "\(error)"])
        context.close(promise: nil)
    }

    private func submit(_ request: WriterEnvelope<WriterRequest>, context: ChannelHandlerContext) {
        let command: WriteCommand
        var bytes = 64
        switch request.message {
        case .hello:
            preconditionFailure("hello is handled before submit")
        case .subscribe:
            self.subscribers.add(context.channel)
            self.write(WriterEnvelope(requestID: request.requestID, message: .subscribed), context: context)
            return
        case .createTopic(let name, let partitionCount, let configs, let ifNotExists):
            command = .createTopic(name: name, partitionCount: partitionCount, configs: configs, ifNotExists: ifNotExists)
        case .deleteTopic(let name):
            command = .deleteTopic(name: name)
        case .createPartitions(let name, let count):
            command = .createPartitions(name: name, count: count)
        case .alterTopicConfigs(let name, let set, let delete):
            command = .alterTopicConfigs(name: name, set: set, delete: delete)
        case .initProducerID(let transactionalID, let producerID, let producerEpoch):
            self.logger.debug("producer id requested", metadata: ["producer.id": "\(producerID)", "producer.epoch": "\(producerEpoch)"])
            command = .initProducerID(transactionalID: transactionalID, producerID: producerID, producerEpoch: producerEpoch)
        case .deleteRecords(let topic, let partition, let beforeOffset):
            command = .deleteRecords(topic: topic, partition: partition, beforeOffset: beforeOffset)
        case .applyRetention(let nowMs, let defaultRetentionMs, let defaultRetentionBytes):
            command = .applyRetention(nowMs: nowMs, defaultRetentionMs: defaultRetentionMs, defaultRetentionBytes: defaultRetentionBytes)
        case .commitOffsets(let group, let offsets):
            command = .commitOffsets(group: group, offsets: offsets)
        case .deleteGroupOffsets(let group, let partitions):
            command = .deleteGroupOffsets(group: group, partitions: partitions)
        case .upsertScramCredential(let user, let credential):
            command = .upsertScramCredential(user: user, credential: credential)
        case .deleteScramCredential(let user, let mechanism):
            command = .deleteScramCredential(user: user, mechanism: mechanism)
        case .setUserToken(let user, let tokenSHA256):
            command = .setUserToken(user: user, tokenSHA256: tokenSHA256)
        case .deleteUser(let user):
            command = .deleteUser(user: user)
        case .append(let topic, let partition, let batchBytes):
            do {
                command = .append(topic: topic, partition: partition, batches: try RecordBatch.split(batchBytes))
                bytes += batchBytes.readableBytes
            } catch {
                let reply = WriterResponse.error(.corruptBatch, message: error.detail)
                self.write(WriterEnvelope(requestID: request.requestID, message: reply), context: context)
                return
            }
        }
        let channel = context.channel
        let requestID = request.requestID
        let logger = self.logger
        self.committer.submit(command, bytes: bytes) { response in
            // Runs on this connection's event loop once the group is committed; the pipeline's
            // FlushCoalescingHandler sends the group's answers to this connection in one write.
            if case .error(let code, let message) = response {
                logger.debug("request refused", metadata: ["writer.error": "\(code)", "writer.message": "\(message)"])
            }
            var buffer = channel.allocator.buffer(capacity: 64)
            WriterEnvelope(requestID: requestID, message: response).encode(into: &buffer)
            channel.writeAndFlush(buffer, promise: nil)
        }
    }

    private func write(_ response: WriterEnvelope<WriterResponse>, context: ChannelHandlerContext) {
        if case .error(let code, let message) = response.message {
            // A refused request is the client's to handle; at debug level it is there to trace.
            self.logger.debug("request refused", metadata: ["writer.error": "\(code)", "writer.message": "\(message)"])
        }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        response.encode(into: &buffer)
        context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
    }
}

@available(*, unavailable)
extension WriterConnectionHandler: Sendable {}
