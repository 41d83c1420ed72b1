import Logging
import MonologWriterProtocol
import NIOCore
import NIOPosix
import Synchronization

/// A connection to the storage writer, shared by every request of a process.
///
/// It connects on first use and again after the writer restarts: a request that finds no writer keeps
/// trying until `connectTimeout` has passed, so a gateway rides out a writer restart instead of failing
/// at once. Requests already in flight when the connection drops fail with `.connectionLost`, because
/// their writes may have committed; except idempotent appends, which are sent again, first, on the next
/// connection: the writer answers a copy of a committed batch with its first offsets. (Failing those
/// would leave a Kafka producer unsure whether they were stored; librdkafka then bumps its epoch and
/// sends them again under it, which would store a committed batch twice.)
///
/// `submit` keeps requests in the order they were submitted, across reconnections too: while there is
/// no connection they wait in one queue, written in order once it is back, and nothing overtakes them.
/// An idempotent producer depends on it: a retried batch that reached the writer after the batch that
/// follows it would be refused as out of order, and librdkafka treats that as fatal.
public final class WriterClient: Sendable {
    private enum State {
        case disconnected
        case connecting(EventLoopFuture<any Channel>)
        case connected(any Channel)
    }

    private let socketPath: String
    private let clientName: String
    private let group: any EventLoopGroup
    private let connectTimeout: Duration
    private let logger: Logger
    private let state = Mutex<State>(.disconnected)
    private let notificationHandler = Mutex<(@Sendable (WriterNotification) -> Void)?>(nil)
    private let closed = Mutex(false)
    /// Submitted requests waiting for a connection, in submission order, and how many there are.
    private let laneInput: AsyncStream<QueuedRequest>.Continuation
    private let laneDepth = Mutex(0)
    /// Idempotent appends that were in flight when a connection dropped, in the order they were sent:
    /// written before anything else on the next connection.
    private let resendQueue = Mutex<[OutboundWriterRequest]>([])
    private let resent = Mutex(0)

    /// How many requests lost with a connection have been sent again on a new one (for logs and tests).
    public var resentRequests: Int { self.resent.withLock { $0 } }

    private struct QueuedRequest: Sendable {
        var command: any WriterCommand
        var promise: EventLoopPromise<WriterReplyFrame>
    }

    /// Largest request sent: the writer's frame limit less room for the framing.
    public static let maxRequestBytes = WriterFrameDecoder.defaultMaxFrameBytes - 1024

    public init(
        socketPath: String,
        clientName: String,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        connectTimeout: Duration = .seconds(5),
        logger: Logger
    ) {
        self.socketPath = socketPath
        self.clientName = clientName
        self.group = group
        self.connectTimeout = connectTimeout
        self.logger = logger
        let (lane, laneInput) = AsyncStream.makeStream(of: QueuedRequest.self)
        self.laneInput = laneInput
        Task { [self] in
            for await queued in lane { await self.writeInOrder(queued) }
        }
    }

    /// Sends one command and waits for the writer's answer. Error answers are thrown as `.rejected`.
    public func send<Command: WriterCommand>(_ command: Command) async throws(WriterClientError) -> Command.Reply {
        if let tooLarge = Self.sizeProblem(command) { throw tooLarge }
        let deadline = ContinuousClock.now + self.connectTimeout
        while true {
            let channel = try await self.connectedChannel(deadline: deadline)
            let promise = channel.eventLoop.makePromise(of: WriterReplyFrame.self)
            do {
                try await channel.writeAndFlush(OutboundWriterRequest(command: command, promise: promise))
            } catch {
                // Never sent (the channel closed under us): safe to try again on a new connection.
                promise.fail(WriterClientError(.unavailable, "not sent"))
                self.forget(channel)
                continue
            }
            let frame: WriterReplyFrame
            do {
                frame = try await promise.futureResult.get()
            } catch let error as WriterClientError {
                throw error
            } catch {
                throw WriterClientError(.connectionLost, "\(error)")
            }
            return try frame.reply(to: Command.self)
        }
    }

    /// Sends one command without leaving the event loops: the form for NIO handlers (the Kafka gateway),
    /// where an `await` would add a task hop to every message. On a live connection the request is
    /// written at once; otherwise it goes the `send` way (connect, with retries) and completes the future.
    /// Error answers fail the future with `WriterClientError.rejected`.
    public func submit<Command: WriterCommand>(_ command: Command, on eventLoop: any EventLoop) -> EventLoopFuture<Command.Reply> {
        if let tooLarge = Self.sizeProblem(command) { return eventLoop.makeFailedFuture(tooLarge) }
        let promise = eventLoop.makePromise(of: WriterReplyFrame.self)
        // The direct path only when connected and nothing submitted earlier is still waiting.
        let channel = self.state.withLock { state -> (any Channel)? in
            if case .connected(let channel) = state, self.laneDepth.withLock({ $0 == 0 }) { return channel }
            self.laneDepth.withLock { $0 += 1 }
            return nil
        }
        if let channel {
            channel.writeAndFlush(OutboundWriterRequest(command: command, promise: promise)).whenFailure { error in
                // Never sent: the connection closed under us. Its answer cannot come; the client retries.
                self.forget(channel)
                promise.fail(WriterClientError(.unavailable, "not sent: \(error)"))
            }
        } else {
            self.laneInput.yield(QueuedRequest(command: command, promise: promise))
        }
        return promise.futureResult.flatMapThrowing { frame in try frame.reply(to: Command.self) }
    }

    /// The queue's one consumer: waits for a connection and writes each request in turn (without
    /// waiting for answers, which come back in the same order).
    private func writeInOrder(_ queued: QueuedRequest) async {
        do {
            let channel = try await self.connectedChannel(deadline: ContinuousClock.now + self.connectTimeout)
            let written = channel.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenFailure { error in
                queued.promise.fail(WriterClientError(.unavailable, "not sent: \(error)"))
            }
            channel.writeAndFlush(OutboundWriterRequest(command: queued.command, promise: queued.promise), promise: written)
        } catch {
            queued.promise.fail(error)
        }
        self.laneDepth.withLock { $0 -= 1 }
    }

    /// Refuses, before anything is sent, an append larger than the writer's frame limit (the writer
    /// would close the connection on it, failing every other request in flight).
    static func sizeProblem(_ command: some WriterCommand) -> WriterClientError? {
        guard let append = command as? AppendRecords, append.batches.readableBytes > Self.maxRequestBytes else { return nil }
        return WriterClientError(
            .rejected(.requestTooLarge),
            "append of \(append.batches.readableBytes) bytes exceeds the writer's limit of \(Self.maxRequestBytes)"
        )
    }

    /// Calls `handler` with what the writer tells subscribers after its commits (the partitions whose
    /// watermarks moved; that users changed), from now on and across writer restarts. The first call,
    /// and the one after each reconnection, is `.resubscribed`: what happened meanwhile was not heard.
    public func subscribe(_ handler: @escaping @Sendable (WriterNotification) -> Void) async throws(WriterClientError) {
        self.notificationHandler.withLock { $0 = handler }
        self.close()  // the next connection carries the subscription
        _ = try await self.connectedChannel(deadline: ContinuousClock.now + self.connectTimeout)
    }

    /// Closes the connection; later requests connect again.
    public func close() {
        let current = self.state.withLock { state -> (any Channel)? in
            defer { state = .disconnected }
            if case .connected(let channel) = state { return channel }
            return nil
        }
        current?.close(promise: nil)
    }

    private func connectedChannel(deadline: ContinuousClock.Instant) async throws(WriterClientError) -> any Channel {
        var lastError = "no attempt made"
        while ContinuousClock.now < deadline {
            let future = self.state.withLock { state -> EventLoopFuture<any Channel> in
                switch state {
                case .connected(let channel):
                    return channel.eventLoop.makeSucceededFuture(channel)
                case .connecting(let future):
                    return future
                case .disconnected:
                    let future = self.connect()
                    state = .connecting(future)
                    return future
                }
            }
            do {
                let channel = try await future.get()
                self.state.withLock { state in
                    if case .connecting(let pending) = state, pending === future { state = .connected(channel) }
                }
                return channel
            } catch {
                lastError = "\(error)"
                self.state.withLock { state in
                    if case .connecting(let pending) = state, pending === future { state = .disconnected }
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        throw WriterClientError(.unavailable, "storage writer unreachable at \(self.socketPath): \(lastError)")
    }

    private func forget(_ channel: any Channel) {
        self.state.withLock { state in
            if case .connected(let current) = state, current === channel { state = .disconnected }
        }
    }

    /// Stops reconnecting for subscriptions and closes the connection.
    public func shutdown() {
        self.closed.withLock { $0 = true }
        self.close()
    }

    /// Keeps requests lost with a connection for the next one, and fails any not resent within
    /// `connectTimeout` (the writer did not come back in time).
    private func queueForResend(_ lost: [OutboundWriterRequest]) {
        guard let first = lost.first else { return }
        self.resendQueue.withLock { $0 += lost }
        self.logger.debug("storage writer connection lost; idempotent appends will be sent again", metadata: ["requests": "\(lost.count)"])
        let keys = Set(lost.map { ObjectIdentifier($0.promise.futureResult) })
        first.promise.futureResult.eventLoop.scheduleTask(in: TimeAmount(self.connectTimeout)) {
            let expired = self.resendQueue.withLock { queue -> [OutboundWriterRequest] in
                let expired = queue.filter { keys.contains(ObjectIdentifier($0.promise.futureResult)) }
                queue.removeAll { keys.contains(ObjectIdentifier($0.promise.futureResult)) }
                return expired
            }
            for request in expired {
                request.promise.fail(WriterClientError(.connectionLost, "storage writer gone mid-request and not back within \(self.connectTimeout)"))
            }
        }
    }

    /// Writes the lost requests on a new connection, in their original order.
    private func resendLost(on channel: any Channel) {
        let lost = self.resendQueue.withLock { queue -> [OutboundWriterRequest] in
            defer { queue = [] }
            return queue
        }
        guard !lost.isEmpty else { return }
        self.resent.withLock { $0 += lost.count }
        for request in lost {
            let written = channel.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenFailure { error in
                request.promise.fail(WriterClientError(.unavailable, "not sent: \(error)"))
            }
            channel.write(request, promise: written)
        }
        channel.flush()
    }

    /// A subscriber must not stay disconnected, nor may lost appends wait for a next request that may
    /// never come: reconnect in the background until the writer is back.
    private func reconnectForSubscription() {
        let waiting = self.notificationHandler.withLock({ $0 }) != nil || !self.resendQueue.withLock({ $0.isEmpty })
        guard waiting, !self.closed.withLock({ $0 }) else { return }
        Task {
            while !self.closed.withLock({ $0 }) {
                if (try? await self.connectedChannel(deadline: ContinuousClock.now + .seconds(1))) != nil { return }
            }
        }
    }

    /// Connects and completes the hello handshake before the channel is handed out.
    private func connect() -> EventLoopFuture<any Channel> {
        let clientName = self.clientName
        let logger = self.logger
        let handler = self.notificationHandler.withLock { $0 }
        return ClientBootstrap(group: self.group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FlushCoalescingHandler())
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(WriterFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(
                        WriterClientHandler(onNotification: handler, onLost: { [self] lost in self.queueForResend(lost) })
                    )
                }
            }
            .connect(unixDomainSocketPath: self.socketPath)
            .flatMap { channel in
                // A writer that accepts but never answers must not stall every request behind it.
                return Self.request(Hello(clientName: clientName), on: channel, timeout: .seconds(5)).flatMapThrowing { reply -> any Channel in
                    guard reply.version == WriterProtocol.version else {
                        channel.close(promise: nil)
                        throw WriterClientError(.unexpectedResponse, "writer answered the handshake with version \(reply.version)")
                    }
                    logger.debug("connected to the storage writer")
                    return channel
                }
            }
            .flatMap { channel -> EventLoopFuture<any Channel> in
                guard let handler else { return channel.eventLoop.makeSucceededFuture(channel) }
                return Self.request(Subscribe(), on: channel, timeout: .seconds(5)).map { _ in
                    handler(.resubscribed)
                    return channel
                }
            }
            .map { channel in
                // Before the channel is handed out (so before anything submitted since): what was lost.
                self.resendLost(on: channel)
                channel.closeFuture.whenComplete { _ in
                    self.forget(channel)
                    self.reconnectForSubscription()
                }
                return channel
            }
    }
}

extension WriterClient {
    /// Writes one request and returns its answer. If the write itself fails (the connection closed before
    /// the request reached the handler), the answer fails too, rather than waiting forever; past
    /// `timeout` the connection is closed, which fails it as well.
    static func request<Command: WriterCommand>(
        _ command: Command,
        on channel: any Channel,
        timeout: TimeAmount
    ) -> EventLoopFuture<Command.Reply> {
        let promise = channel.eventLoop.makePromise(of: WriterReplyFrame.self)
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { error in promise.fail(WriterClientError(.unavailable, "not sent: \(error)")) }
        channel.writeAndFlush(OutboundWriterRequest(command: command, promise: promise), promise: written)
        let deadline = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(WriterClientError(.unavailable, "no answer from the storage writer within \(timeout)"))
            channel.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        return promise.futureResult.flatMapThrowing { frame in try frame.reply(to: Command.self) }
    }
}
