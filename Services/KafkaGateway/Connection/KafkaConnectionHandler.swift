import Logging
import Metrics
import MonologConfig
import MonologKafkaProtocol
import MonologObservability
import MonologSecurity
import NIOCore

/// One client connection on the event loop. `KafkaConnectionMachine` decides which requests are served,
/// the order answers go out in (request order, as Kafka clients require) and the SASL state; this
/// handler does the I/O it asks for and keeps the connection's share of the broker-wide budget. Each
/// request goes to its API's `serve`, looked up by key in `SupportedAPIs`. Requests this broker does
/// not serve close the connection, as Kafka does; ApiVersions at an unknown version is answered in v0
/// form so the client can downgrade.
///
/// Bounded work: a connection serves at most `maxRequestsInFlight` requests ahead of the answers it
/// has written, and takes a place in the broker-wide `RequestBudget` for each; past either bound, or
/// while the client does not read its answers (the channel is not writable), it holds the socket's
/// `read()` and keeps the few frames one read already brought until it may serve them. A frame over
/// `unreservedFrameBytes` reserves its announced size in the budget before its body is read (see
/// `RequestBudget`), so slow senders of large frames cannot make the gateway buffer without bound.
final class KafkaConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Never
    typealias OutboundOut = ByteBuffer

    /// Requests served at once on one connection. Kafka serves one at a time per connection (it mutes
    /// the socket until the answer is sent); clients pipeline a few (librdkafka and the Java client send
    /// up to 5 in flight by default, `max.in.flight.requests.per.connection`), so 8 never slows a real
    /// client while a hostile one pipelining hundreds of long-poll fetches holds at most 8 parked.
    static let maxRequestsInFlight = 8

    /// Frames up to this size are read without a reservation: one socket read (NIO reads at most 64 KiB
    /// at a time) may bring a whole one. Larger ones wait, unread, until the budget can hold them.
    static let unreservedFrameBytes = 64 * 1024

    private let gateway: KafkaGatewayContext
    private let budget: RequestBudget
    /// The frame decoder's limit: `sasl.server.max.receive.size` until SASL authentication, then `maxFrameBytes`.
    private let frameLimit: KafkaFrameSizeLimit
    /// The size of the frame the decoder has begun but not finished reading.
    private let frameProgress: KafkaFrameProgress
    /// Bytes reserved in the budget for that frame, until it is whole (0: none).
    private var reservedFrameBytes = 0
    private let maxFrameBytes: Int
    private var logger: Logger
    /// Which requests are served, the order of their answers, and the SASL state.
    private var machine: KafkaConnectionMachine
    /// Frames read while the connection may not serve more; served in order before anything else.
    /// `reserved`: the frame's bytes are reserved in the budget.
    private var waiting = CircularBuffer<(frame: ByteBuffer, reserved: Bool)>()
    /// The pipeline asked to read while the connection was full; it reads once there is room.
    private var readHeld = false
    /// The frame bytes of each request holding a place in the broker-wide budget, by sequence number,
    /// and whether the frame was a reserved large one.
    private var budgetPlaces: [Int: (bytes: Int, large: Bool)] = [:]
    private var active = true
    /// Set while `resume` serves waiting frames: an answer written meanwhile (served at once) must not
    /// start another round inside this one.
    private var resuming = false
    /// The peer's address as Kafka shows it in DescribeGroups ("/127.0.0.1").
    private(set) var clientHost = ""
    /// Where the connection stands with SASL (always `notRequired` on a PLAINTEXT or SSL listener).
    var sasl: SaslAuthentication { self.machine.sasl }
    /// Produce requests hand their batches to the storage writer in the order they arrived.
    private let appendOrder = AppendOrder()

    init(gateway: KafkaGatewayContext, budget: RequestBudget, frameLimit: KafkaFrameSizeLimit, frameProgress: KafkaFrameProgress, maxFrameBytes: Int) {
        self.gateway = gateway
        self.budget = budget
        self.frameLimit = frameLimit
        self.frameProgress = frameProgress
        self.maxFrameBytes = maxFrameBytes
        self.logger = gateway.logger
        let usesSASL = gateway.settings.security.kafkaProtocol.usesSASL
        self.machine = KafkaConnectionMachine(requiresSASL: usesSASL, maxUnanswered: Self.maxRequestsInFlight)
        // Before authentication a client has no business sending more than a SASL token (Kafka's
        // sasl.server.max.receive.size): a larger frame size closes the connection before its body is read.
        frameLimit.maxBytes = usesSASL ? min(gateway.settings.kafka.saslServerMaxReceiveSize, maxFrameBytes) : maxFrameBytes
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
        // Answers still on their way are dropped; the places their requests held are free now.
        self.active = false
        KafkaMetrics.requestsInFlight.decrement(by: Double(self.machine.closed()))
        self.budget.release(
            requests: self.budgetPlaces.count, bytes: self.budgetPlaces.values.reduce(0) { $0 + $1.bytes },
            largeBytes: self.budgetPlaces.values.reduce(0) { $0 + ($1.large ? $1.bytes : 0) })
        self.budgetPlaces.removeAll()
        self.budget.forget(owner: ObjectIdentifier(self))
        let reservedWaiting = self.waiting.reduce(0) { $0 + ($1.reserved ? $1.frame.readableBytes : 0) }
        self.budget.cancelReservation(bytes: self.reservedFrameBytes + reservedWaiting)
        self.reservedFrameBytes = 0
        self.waiting.removeAll()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = self.unwrapInboundIn(data)
        // The frame a reservation was made for is the next one the decoder delivers.
        let reserved = self.reservedFrameBytes > 0 && frame.readableBytes == self.reservedFrameBytes
        if !reserved { self.budget.cancelReservation(bytes: self.reservedFrameBytes) }
        self.reservedFrameBytes = 0
        if self.waiting.isEmpty, self.takePlace(for: frame, reserved: reserved, context: context) {
            self.serve(frame, reserved: reserved, context: context)
        } else {
            self.waiting.append((frame, reserved))
        }
    }

    /// Holds the pipeline's request to read while the connection may not serve more, or while the
    /// large frame it is receiving has no reservation in the budget.
    func read(context: ChannelHandlerContext) {
        if self.waiting.isEmpty, self.mayServe(context: context),
            self.budget.hasRoom(owner: ObjectIdentifier(self), waiter: self.budgetWaiter(context: context)),
            self.reserveIncompleteFrame(context: context)
        {
            context.read()
        } else {
            self.readHeld = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { self.resume(context: context) }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case IdleStateHandler.IdleStateEvent.all = event else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // connections.max.idle.ms passed without traffic. A connection waiting for its own answer (a
        // parked long-poll fetch) is not idle; the idle timer starts again with the answer.
        guard self.machine.isIdle, self.waiting.isEmpty else { return }
        KafkaMetrics.idleConnectionsClosed.increment()
        self.close(context, "idle for connections.max.idle.ms", error: nil)
    }

    /// Below this connection's own bound, with a client that reads its answers.
    private func mayServe(context: ChannelHandlerContext) -> Bool {
        self.machine.hasRoom && context.channel.isWritable
    }

    /// Whether `frame` may be served now; if so it holds a place in the broker-wide budget.
    private func takePlace(for frame: ByteBuffer, reserved: Bool, context: ChannelHandlerContext) -> Bool {
        self.mayServe(context: context)
            && self.budget.acquire(
                bytes: frame.readableBytes, reserved: reserved, owner: ObjectIdentifier(self), waiter: self.budgetWaiter(context: context))
    }

    /// Whether the body of the frame being received may be read: a small one always; a large one once
    /// its announced size is reserved in the budget. Before SASL authentication frames are bounded by
    /// `sasl.server.max.receive.size` per connection instead, so that unauthenticated connections
    /// cannot take the reservations of authenticated ones.
    private func reserveIncompleteFrame(context: ChannelHandlerContext) -> Bool {
        let incomplete = self.frameProgress.incompleteFrameBytes
        guard incomplete > Self.unreservedFrameBytes, self.reservedFrameBytes == 0, self.sasl.mayReserveFrames else { return true }
        guard self.budget.reserve(bytes: incomplete, owner: ObjectIdentifier(self), waiter: self.budgetWaiter(context: context)) else {
            return false
        }
        self.reservedFrameBytes = incomplete
        return true
    }

    private func budgetWaiter(context: ChannelHandlerContext) -> RequestBudget.Waiter {
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        return { eventLoop.execute { bound.value.handler.resume(context: bound.value.context) } }
    }

    /// Serves the frames that waited, as far as the bounds allow, then reads again if the pipeline asked to.
    private func resume(context: ChannelHandlerContext) {
        guard self.active, !self.resuming else { return }
        self.resuming = true
        defer { self.resuming = false }
        while let next = self.waiting.first, self.takePlace(for: next.frame, reserved: next.reserved, context: context) {
            self.waiting.removeFirst()
            self.serve(next.frame, reserved: next.reserved, context: context)
            guard self.active else { return }
        }
        if self.readHeld, self.waiting.isEmpty, self.mayServe(context: context),
            self.budget.hasRoom(owner: ObjectIdentifier(self), waiter: self.budgetWaiter(context: context)),
            self.reserveIncompleteFrame(context: context)
        {
            self.readHeld = false
            context.read()
        }
    }

    /// Serves one frame that holds a place in the budget; gives the place back if it did not become a
    /// request with a place in line (a bare SASL token, or one that closed the connection).
    private func serve(_ bytes: ByteBuffer, reserved: Bool, context: ChannelHandlerContext) {
        if !self.handle(bytes, reserved: reserved, context: context) {
            self.budget.release(requests: 1, bytes: bytes.readableBytes, largeBytes: reserved ? bytes.readableBytes : 0)
        }
    }

    /// Reads the request's header, asks the machine for its place in line and hands it to its API.
    /// Returns false when the frame took no place (a bare SASL token, or the connection closed).
    private func handle(_ bytes: ByteBuffer, reserved: Bool, context: ChannelHandlerContext) -> Bool {
        if self.sasl.expectsBareToken {
            self.authenticateBareToken(bytes, context: context)
            return false
        }
        let frame: KafkaRequestFrame
        do {
            frame = try KafkaRequestFrame(bytes)
        } catch {
            self.close(context, "request header unreadable", error: error)
            return false
        }
        let api = SupportedAPIs.entry(forKey: frame.apiKey)
        let admission = self.machine.admit(api, version: frame.apiVersion)
        // The machine admits only APIs this broker serves, so `api` is there whenever it says serve.
        guard case .serve(let sequence) = admission, let api else {
            // As Kafka does: a request before SASL authentication, or one it does not serve, ends the connection.
            if case .close(let reason) = admission { self.close(context, reason, error: nil, frame: frame) }
            return false
        }
        self.budgetPlaces[sequence] = (bytes.readableBytes, reserved)
        self.logger.trace(
            "request",
            metadata: [
                LogKey.kafkaAPI: "\(frame.apiKey)", LogKey.kafkaAPIVersion: "\(frame.apiVersion)",
                LogKey.kafkaCorrelationID: "\(frame.correlationID)", LogKey.kafkaClientID: "\(frame.header.clientId ?? "")",
            ]
        )
        KafkaMetrics.requestsInFlight.increment()
        let request = KafkaRequest(frame: frame, gateway: self.gateway, connection: self, channelContext: context, sequence: sequence, arrived: .now())
        do {
            try api.serve(request)
        } catch {
            self.close(context, "malformed request", error: error, frame: frame)
        }
        return true
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
        future.whenComplete { result in
            handler.value.answer(result, frame: frame, arrived: arrived, sequence: sequence, context: boundContext.value)
        }
    }

    /// Encodes an answer that is ready and queues it in request order; a failure closes the connection.
    func answer<Response: KafkaResponseMessage>(
        _ result: Result<Response, any Error>,
        frame: KafkaRequestFrame,
        arrived: NIODeadline,
        sequence: Int,
        context: ChannelHandlerContext
    ) {
        do {
            var buffer = context.channel.allocator.buffer(capacity: 256)
            try KafkaResponseFrame.encode(try result.get(), version: frame.apiVersion, correlationID: frame.correlationID, into: &buffer)
            self.logger.trace(
                "response ready",
                metadata: [LogKey.kafkaAPI: "\(frame.apiKey)", LogKey.kafkaCorrelationID: "\(frame.correlationID)"]
            )
            self.finish(sequence, buffer, context: context)
            KafkaMetrics.recordRequest(apiKey: frame.apiKey, since: arrived)
        } catch {
            self.close(context, "request failed", error: error, frame: frame)
        }
    }

    /// Queues the answer to the request in place `sequence` and writes every answer now next in line
    /// (see `KafkaConnectionMachine`). An empty `response` is an empty slot (acks=0).
    func finish(_ sequence: Int, _ response: ByteBuffer, context: ChannelHandlerContext) {
        guard self.active else { return }
        let writes = self.machine.answered(sequence, with: response.readableBytes > 0 ? response : nil)
        for answer in writes.answers { context.write(self.wrapOutboundOut(answer), promise: nil) }
        for place in writes.answered { self.giveBackPlace(place) }
        KafkaMetrics.requestsInFlight.decrement(by: Double(writes.answered.count))
        if writes.thenClose {
            // The client reads why (a failed authentication), then the connection ends.
            context.writeAndFlush(self.wrapOutboundOut(ByteBuffer())).whenComplete { [channel = context.channel] _ in
                channel.close(promise: nil)
            }
            return
        }
        if !writes.answers.isEmpty { context.flush() }
        self.resume(context: context)
    }

    /// A request no longer holds its place in the broker-wide budget: it was answered, or it is a fetch
    /// parked until data arrives (see `RequestBudget`).
    func giveBackPlace(_ sequence: Int) {
        guard let place = self.budgetPlaces.removeValue(forKey: sequence) else { return }
        self.budget.release(requests: 1, bytes: place.bytes, largeBytes: place.large ? place.bytes : 0)
    }

    /// SaslHandshake accepted a mechanism; the client's tokens follow (bare after a v0 handshake).
    func startExchange(_ exchange: SaslServerExchange, bareTokens: Bool) {
        self.machine.handshakeChose(exchange, bareTokens: bareTokens)
    }

    /// The exchange a SaslAuthenticate token goes through, or nil (the connection is then failed)
    /// when none expects one.
    func takeToken() -> SaslServerExchange? {
        self.machine.takeToken(bare: false)
    }

    /// After a SASL step: wait for the next token (in the same form), let the connection in, or mark
    /// it failed (the caller closes it).
    func advance(to step: SaslServerExchange.Step, exchange: SaslServerExchange, bareTokens: Bool) {
        if self.machine.tokenChecked(step, exchange: exchange, bareTokens: bareTokens), case .authenticated(let user, _) = step {
            self.frameLimit.maxBytes = self.maxFrameBytes
            self.logger[metadataKey: "sasl.user"] = "\(user)"
            self.logger.debug("authenticated", metadata: ["sasl.mechanism": "\(exchange.mechanism.name)"])
        } else if case .failed(let message) = step {
            self.logger.info("SASL authentication failed", metadata: ["sasl.mechanism": "\(exchange.mechanism.name)", "reason": "\(message)"])
        }
    }

    /// A token sent bare after a v0 SaslHandshake (a length and the bytes, no request header), answered
    /// the same way; a failure closes the connection without an answer, as Kafka does.
    private func authenticateBareToken(_ token: ByteBuffer, context: ChannelHandlerContext) {
        guard let exchange = self.machine.takeToken(bare: true) else { return }
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

    /// A Produce request's turn to hand its batches to the storage writer (see `AppendOrder`).
    func takeAppendTurn(on eventLoop: any EventLoop) -> AppendOrder.Turn {
        self.appendOrder.takeTurn(on: eventLoop)
    }

    /// True when no earlier Produce request on this connection waits for its turn (see `AppendOrder`).
    var appendsAreIdle: Bool { self.appendOrder.isIdle }

    func skip(_ sequence: Int, context: ChannelHandlerContext) {
        self.finish(sequence, ByteBuffer(), context: context)
    }

    /// Closes the connection once the answer to `sequence` is written (a failed authentication).
    func closeAfterAnswer(to sequence: Int) {
        self.machine.closeAfterAnswer(to: sequence)
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
