import MonologRecords
import MonologWriterProtocol
import NIOCore

/// A command on its way to the writer, with the promise its answer completes.
struct OutboundWriterRequest: Sendable {
    var command: any WriterCommand
    var promise: EventLoopPromise<WriterReplyFrame>
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
/// drops, hands requests that are safe to send again (`isSafeToResend`) to `onLost` in the order they
/// were sent, failing the rest.
final class WriterClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = OutboundWriterRequest
    typealias OutboundOut = ByteBuffer

    private var nextRequestID: UInt64 = 1
    private var inFlight: [UInt64: OutboundWriterRequest] = [:]
    private let onNotification: (@Sendable (WriterNotification) -> Void)?
    private let onLost: @Sendable ([OutboundWriterRequest]) -> Void

    init(onNotification: (@Sendable (WriterNotification) -> Void)?, onLost: @escaping @Sendable ([OutboundWriterRequest]) -> Void) {
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
        context.write(self.wrapOutboundOut(buffer), promise: promise)
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
        var resend: [OutboundWriterRequest] = []
        for request in lost {
            if let append = request.command as? AppendRecords, append.isSafeToResend {
                resend.append(request)
            } else {
                request.promise.fail(WriterClientError(.connectionLost, "connection to the storage writer lost mid-request"))
            }
        }
        if !resend.isEmpty { self.onLost(resend) }
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
