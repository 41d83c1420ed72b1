import MonologWriterProtocol
import NIOCore

/// A request on its way to the writer, with the promise its response completes.
struct OutboundWriterRequest {
    var message: WriterRequest
    var promise: EventLoopPromise<WriterResponse>
}

/// Gives each outgoing request an id, pairs each response with its request, and fails whatever is still
/// in flight when the connection drops.
final class WriterClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = OutboundWriterRequest
    typealias OutboundOut = ByteBuffer

    private var nextRequestID: UInt64 = 1
    private var inFlight: [UInt64: EventLoopPromise<WriterResponse>] = [:]
    private let onWatermarks: (@Sendable ([PartitionWatermark]) -> Void)?

    init(onWatermarks: (@Sendable ([PartitionWatermark]) -> Void)?) {
        self.onWatermarks = onWatermarks
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = self.unwrapOutboundIn(data)
        let requestID = self.nextRequestID
        self.nextRequestID &+= 1
        self.inFlight[requestID] = request.promise
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
            self.inFlight.removeValue(forKey: response.requestID)?.succeed(response.message)
        } catch {
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let lost = self.inFlight
        self.inFlight = [:]
        for promise in lost.values {
            promise.fail(WriterClientError(.connectionLost, "connection to the storage writer lost mid-request"))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension WriterClientHandler: Sendable {}
