import MonologRecords
import MonologWriterProtocol
import NIOCore

/// A command on its way to the writer, with the promise its answer completes and its place in the
/// client's submission order (`WriterConnectionMachine`; the handshake's own requests have none).
struct OutboundWriterRequest: Sendable {
    var command: any WriterCommand
    var promise: EventLoopPromise<WriterReplyFrame>
    var sequence: UInt64 = .max
    var deadline: NIODeadline = .distantFuture

    /// Whether a copy of it, sent again after a lost connection, cannot store anything twice.
    var isSafeToResend: Bool { (self.command as? AppendRecords)?.isSafeToResend ?? false }
}

/// An answer as it came off the wire: its type and body, decoded by the caller that knows which
/// command it answers (`reply(to:)`).
struct WriterReplyFrame: Sendable {
    var kind: UInt8
    var body: ByteBuffer

    /// The command's reply; an error answer is thrown as `.rejected`, anything else as `.unexpectedResponse`.
    func reply<Command: WriterCommand>(to command: Command.Type) throws(WriterClientError) -> Command.Reply {
        var body = self.body
        do {
            switch self.kind {
            case Command.replyKind:
                return try WriterFrame.readBody(Command.Reply.self, from: &body)
            case WriterError.kind:
                let error = try WriterFrame.readBody(WriterError.self, from: &body)
                throw WriterClientError(.rejected(error.code), error.message, recordErrors: error.recordErrors)
            default:
                throw WriterClientError(.unexpectedResponse, "answer of type \(self.kind) to \(Command.self)")
            }
        } catch let error as WriterClientError {
            throw error
        } catch {
            throw WriterClientError(.unexpectedResponse, "undecodable answer to \(Command.self): \(error)")
        }
    }
}

/// Gives each outgoing request an id, pairs each answer with its request, and, when the connection
/// drops, hands the requests still waiting for an answer to `onLost`, in the order they were sent (the
/// client decides which may be sent again). A request whose write fails never left: it is not in
/// flight, and the write's own promise tells its sender.
final class WriterClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = OutboundWriterRequest
    typealias OutboundOut = ByteBuffer

    private var nextRequestID: UInt64 = 1
    private var inFlight: [UInt64: OutboundWriterRequest] = [:]
    private let onNotification: (@Sendable (WriterNotification) -> Void)?
    private let onLost: @Sendable ([OutboundWriterRequest]) -> Void
    /// The connection this handler serves, as the writer client knows it.
    let connection: WriterConnection

    init(
        connection: WriterConnection, onNotification: (@Sendable (WriterNotification) -> Void)?,
        onLost: @escaping @Sendable ([OutboundWriterRequest]) -> Void
    ) {
        self.connection = connection
        self.onNotification = onNotification
        self.onLost = onLost
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = self.unwrapOutboundIn(data)
        let requestID = self.nextRequestID
        self.nextRequestID &+= 1
        self.inFlight[requestID] = request
        var buffer = context.channel.allocator.buffer(capacity: 64)
        Self.encode(request.command, requestID: requestID, into: &buffer)
        let written = promise ?? context.eventLoop.makePromise()
        // Failed writes are failed before the channel goes inactive, so a request is either lost in
        // flight or not sent, never both.
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        written.futureResult.whenFailure { _ in handler.value.inFlight.removeValue(forKey: requestID) }
        context.write(self.wrapOutboundOut(buffer), promise: written)
    }

    private static func encode<Command: WriterCommand>(_ command: Command, requestID: UInt64, into buffer: inout ByteBuffer) {
        WriterFrame.write(command, kind: Command.kind, requestID: requestID, into: &buffer)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = self.unwrapInboundIn(data)
        do {
            let (requestID, kind) = try WriterFrame.readHeader(&frame)
            if requestID == WriterProtocol.notificationRequestID {
                switch kind {
                case Watermarks.kind: self.onNotification?(.watermarks(try WriterFrame.readBody(Watermarks.self, from: &frame).partitions))
                case UserCredentialsChanged.kind: self.onNotification?(.usersChanged)
                default: throw WriterProtocolError("unknown notification kind \(kind)")
                }
                return
            }
            self.inFlight.removeValue(forKey: requestID)?.promise.succeed(WriterReplyFrame(kind: kind, body: frame))
        } catch {
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let lost = self.inFlight.sorted { $0.key < $1.key }.map(\.value)
        self.inFlight = [:]
        self.onLost(lost)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension WriterClientHandler: Sendable {}

extension AppendRecords {
    /// Whether a copy of this append, sent again after a lost connection, cannot store anything twice:
    /// every batch carries a producer id, which the writer recognises as already stored (answering with
    /// its first offsets) if the first copy committed.
    var isSafeToResend: Bool {
        guard self.batches.readableBytes > 0 else { return false }
        var index = self.batches.readerIndex
        while index < self.batches.writerIndex {
            guard let header = try? RecordBatchHeader(from: self.batches, at: index), header.producerID >= 0 else { return false }
            index += header.totalSize
        }
        return index == self.batches.writerIndex
    }
}
