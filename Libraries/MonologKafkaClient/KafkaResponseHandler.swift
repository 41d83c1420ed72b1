import MonologKafkaProtocol
import NIOCore
import NIOSSL
import Synchronization

/// One request on its way to the handler: the whole frame (size prefix included), its correlation id,
/// the response header version its API and version call for, and where the response body goes (nil
/// for a request the broker does not answer: Produce with acks=0).
struct KafkaOutboundRequest: Sendable {
    var frame: ByteBuffer
    var correlationID: Int32
    var responseHeaderVersion: Int16
    var response: EventLoopPromise<ByteBuffer>?
}

/// Set once a connection can no longer be used. Shared by the handler, which learns of failures on
/// the event loop, and `KafkaBrokerConnection.isClosed`, which any thread may read: `Channel.isActive`
/// would lag behind, since a TLS channel stays active while its close_notify exchange runs.
/// It also keeps why the connection failed, so that a request made after the failure (a TLS handshake
/// can fail before the first request is even sent) reports that cause, not just "closed".
final class KafkaConnectionClosedFlag: Sendable {
    private let closed = Atomic<Bool>(false)
    private let cause = Mutex<KafkaClientError?>(nil)

    var isClosed: Bool { self.closed.load(ordering: .acquiring) }

    /// The first failure that closed the connection, if one did.
    var failure: KafkaClientError? { self.cause.withLock { $0 } }

    func close(because failure: KafkaClientError? = nil) {
        if let failure { self.cause.withLock { if $0 == nil { $0 = failure } } }
        self.closed.store(true, ordering: .releasing)
    }
}

/// Matches response frames to the requests that asked for them, by correlation id, so that several
/// tasks can pipeline requests on one connection. Kafka answers a connection's requests in order, but
/// matching by id also catches a broker that does not (an unknown id is a protocol error).
///
/// Each request gets a timer. When one fires, or the connection fails or closes, every pending request
/// fails with the same error and the connection closes: after a lost answer the byte stream can no
/// longer be trusted to line up, and Kafka's own clients give such a connection up the same way.
final class KafkaResponseHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = KafkaOutboundRequest
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var responseHeaderVersion: Int16
        var promise: EventLoopPromise<ByteBuffer>
        var timer: Scheduled<Void>
    }

    private let address: KafkaBrokerAddress
    private let requestTimeout: TimeAmount
    private let closedFlag: KafkaConnectionClosedFlag
    private var pending: [Int32: Pending] = [:]
    /// Set on the first failure; every later request fails with it at once.
    private var failure: KafkaClientError?

    init(address: KafkaBrokerAddress, requestTimeout: TimeAmount, closedFlag: KafkaConnectionClosedFlag) {
        self.address = address
        self.requestTimeout = requestTimeout
        self.closedFlag = closedFlag
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = self.unwrapOutboundIn(data)
        if let failure = self.failure {
            request.response?.fail(failure)
            promise?.fail(failure)
            return
        }
        if let response = request.response {
            let correlationID = request.correlationID
            let timer = context.eventLoop.assumeIsolated().scheduleTask(in: self.requestTimeout) {
                let seconds = Double(self.requestTimeout.nanoseconds) / 1e9
                self.fail(context: context, KafkaClientError(.timeout, "no answer from \(self.address) within \(seconds) s (correlation id \(correlationID))"))
            }
            self.pending[correlationID] = Pending(responseHeaderVersion: request.responseHeaderVersion, promise: response, timer: timer)
        }
        context.writeAndFlush(self.wrapOutboundOut(request.frame), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = self.unwrapInboundIn(data)
        guard let correlationID = frame.getInteger(at: frame.readerIndex, as: Int32.self) else {
            return self.fail(context: context, KafkaClientError(.protocolError, "\(self.address) sent a response frame without a header"))
        }
        guard let entry = self.pending.removeValue(forKey: correlationID) else {
            return self.fail(context: context, KafkaClientError(.protocolError, "\(self.address) answered unknown correlation id \(correlationID)"))
        }
        entry.timer.cancel()
        do {
            _ = try ResponseHeader(from: &frame, version: entry.responseHeaderVersion)
        } catch {
            let failure = KafkaClientError(.protocolError, "\(self.address) sent an undecodable response header: \(error)")
            entry.promise.fail(failure)
            return self.fail(context: context, failure)
        }
        entry.promise.succeed(frame)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.fail(context: context, .closed(self.address))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.fail(context: context, Self.clientError(error, address: self.address))
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.fail(context: context, .closed(self.address))
    }

    /// Fails every pending request with `error` and closes the channel (once; later calls do nothing).
    private func fail(context: ChannelHandlerContext, _ error: KafkaClientError) {
        guard self.failure == nil else { return }
        self.failure = error
        self.closedFlag.close(because: error)
        let pending = self.pending
        self.pending = [:]
        for entry in pending.values {
            entry.timer.cancel()
            entry.promise.fail(error)
        }
        context.close(promise: nil)
    }

    /// What a failure in the pipeline (TLS, framing, the socket) means to the client.
    static func clientError(_ error: any Error, address: KafkaBrokerAddress) -> KafkaClientError {
        if let error = error as? KafkaClientError { return error }
        let text = String(describing: error)
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return KafkaClientError(.tls, "TLS with \(address) failed: \(text)")
        }
        if error is KafkaFramingError {
            return KafkaClientError(.protocolError, "\(address) sent a bad response frame: \(text)")
        }
        return KafkaClientError(.closed, "connection to \(address) failed: \(text)")
    }
}

@available(*, unavailable)
extension KafkaResponseHandler: Sendable {}
