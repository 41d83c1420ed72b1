import MonologRecords
import MonologWriterProtocol
import NIOCore

/// A request on its way to the writer, with the promise its response completes.
struct OutboundWriterRequest: Sendable {
    var message: WriterRequest
    var promise: EventLoopPromise<WriterResponse>
}

/// Gives each outgoing request an id, pairs each response with its request, and, when the connection
/// drops, hands requests that are safe to send again (`isSafeToResend`) to `onLost` in the order they
/// were sent, failing the rest.
final class WriterClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = OutboundWriterRequest
    typealias OutboundOut = ByteBuffer

    private var nextRequestID: UInt64 = 1
    private var inFlight: [UInt64: OutboundWriterRequest] = [:]
    private let onWatermarks: (@Sendable ([PartitionWatermark]) -> Void)?
    private let onLost: @Sendable ([OutboundWriterRequest]) -> Void

    init(onWatermarks: (@Sendable ([PartitionWatermark]) -> Void)?, onLost: @escaping @Sendable ([OutboundWriterRequest]) -> Void) {
        self.onWatermarks = onWatermarks
        self.onLost = onLost
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = self.unwrapOutboundIn(data)
        let requestID = self.nextRequestID
        self.nextRequestID &+= 1
        self.inFlight[requestID] = request
        var buffer = context.channel.allocator.buffer(capacity: 64)
        WriterEnvelope(requestID: requestID, message: request.message).encode(into: &buffer)
        context.write(self.wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            let response = try WriterEnvelope<WriterResponse>.decode(self.unwrapInboundIn(data))
            if response.requestID == WriterProtocol.notificationRequestID, case .watermarks(let watermarks) = response.message {
                self.onWatermarks?(watermarks)
                return
            }
            self.inFlight.removeValue(forKey: response.requestID)?.promise.succeed(response.message)
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
            if request.message.isSafeToResend {
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

extension WriterRequest {
    /// Whether a copy of this request, sent again after a lost connection, cannot store anything twice:
    /// an append whose every batch carries a producer id, which the writer recognises as already stored
    /// (answering with its first offsets) if the first copy committed.
    var isSafeToResend: Bool {
        guard case .append(_, _, let batches) = self, batches.readableBytes > 0 else { return false }
        var index = batches.readerIndex
        while index < batches.writerIndex {
            guard let header = try? RecordBatchHeader(from: batches, at: index), header.producerID >= 0 else { return false }
            index += header.totalSize
        }
        return index == batches.writerIndex
    }
}
