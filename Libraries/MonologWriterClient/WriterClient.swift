import Logging
import MonologWriterProtocol
import NIOCore
import NIOPosix
import Synchronization

/// A connection to the storage writer, shared by every request of a process.
///
/// It connects on first use and again after the writer restarts. The rules for what waits, what is
/// sent again and in which order are `WriterConnectionMachine`'s: requests keep their submission order
/// across reconnections; idempotent appends in flight when a connection drops are sent again, first,
/// on the next one (the writer answers a copy of a committed batch with its first offsets), other
/// requests in flight then fail with `.connectionLost` because they may have committed; and a request
/// waits at most `connectTimeout` for a connection. This class holds the machine under one lock and
/// does the I/O its actions ask for.
public final class WriterClient: Sendable {
    private typealias Machine = WriterConnectionMachine<WriterConnection, OutboundWriterRequest>

    private let socketPath: String
    private let clientName: String
    private let group: any EventLoopGroup
    private let connectTimeout: Duration
    private let logger: Logger
    private let machine: Mutex<Machine>
    private let notificationHandler = Mutex<(@Sendable (WriterNotification) -> Void)?>(nil)
    /// Connections made so far that carry the subscription, so that `subscribe` can wait for one.
    private let subscribedConnections = Mutex(0)
    private let resent = Mutex(0)

    /// How many requests lost with a connection have been sent again on a new one (for logs and tests).
    public var resentRequests: Int { self.resent.withLock { $0 } }

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
        self.machine = Mutex(Machine(connectTimeout: TimeAmount(connectTimeout)))
    }

    /// Sends one command and waits for the writer's answer. Error answers are thrown as `.rejected`.
    public func send<Command: WriterCommand>(_ command: Command) async throws(WriterClientError) -> Command.Reply {
        do {
            return try await self.submit(command, on: self.group.any()).get()
        } catch let error as WriterClientError {
            throw error
        } catch {
            throw WriterClientError(.connectionLost, "\(error)")
        }
    }

    /// Sends one command without leaving the event loops: the form for NIO handlers (the Kafka gateway),
    /// where an `await` would add a task hop to every message. Error answers fail the future with
    /// `WriterClientError.rejected`.
    public func submit<Command: WriterCommand>(_ command: Command, on eventLoop: any EventLoop) -> EventLoopFuture<Command.Reply> {
        if let tooLarge = Self.sizeProblem(command) { return eventLoop.makeFailedFuture(tooLarge) }
        let promise = eventLoop.makePromise(of: WriterReplyFrame.self)
        let request = OutboundWriterRequest(command: command, promise: promise)
        self.handle { $0.submit(request, now: .now()) }
        return promise.futureResult.flatMapThrowing { frame in try frame.reply(to: Command.self) }
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
    /// Returns once a connection carries the subscription; throws `.unavailable` after `connectTimeout`.
    public func subscribe(_ handler: @escaping @Sendable (WriterNotification) -> Void) async throws(WriterClientError) {
        self.notificationHandler.withLock { $0 = handler }
        let before = self.subscribedConnections.withLock { $0 }
        self.handle { $0.subscribe() }
        let deadline = ContinuousClock.now + self.connectTimeout
        while ContinuousClock.now < deadline {
            if self.subscribedConnections.withLock({ $0 }) > before { return }
            try? await Task.sleep(for: .milliseconds(10))
        }
        throw WriterClientError(.unavailable, "storage writer unreachable at \(self.socketPath) within \(self.connectTimeout)")
    }

    /// Stops: what waits for a connection fails, the connection closes, nothing reconnects.
    public func shutdown() {
        self.handle { $0.shutdown() }
    }

    // MARK: Carrying out the machine's actions

    /// Runs an event through the machine and carries out its actions. Writes are queued on the
    /// connection's event loop while the lock is held, so that their order is the machine's, whichever
    /// threads the events came from; the rest runs after the lock is released.
    private func handle(_ event: (inout Machine) -> [Machine.Action]) {
        let later = self.machine.withLock { machine -> [Machine.Action] in
            var later: [Machine.Action] = []
            for action in event(&machine) {
                if case .write(let entries, let connection) = action {
                    self.write(entries, on: connection)
                } else {
                    later.append(action)
                }
            }
            return later
        }
        for action in later { self.perform(action) }
    }

    private func perform(_ action: Machine.Action) {
        switch action {
        case .connect:
            self.connect()
        case .connectAfterDraining(let lost):
            lost.channel.eventLoop.execute { self.connect() }
        case .connectAfter(let delay):
            self.group.any().scheduleTask(in: delay) { self.connect() }
        case .write(let entries, let connection):
            self.write(entries, on: connection)
        case .fail(let requests, let error):
            for request in requests { request.promise.fail(error) }
        case .close(let connection):
            connection.channel.close(promise: nil)
        }
    }

    /// Queues the writes on the connection's event loop (never inline: an inline write that fails
    /// would call back into the machine while its lock is held). A write that fails never left, and
    /// is sent again on the next connection.
    private func write(_ entries: [Machine.Entry], on connection: WriterConnection) {
        let channel = connection.channel
        let resent = entries.filter(\.wasInFlight).count
        if resent > 0 {
            self.resent.withLock { $0 += resent }
            self.logger.debug("sending again the idempotent appends lost with the last connection", metadata: ["requests": "\(resent)"])
        }
        channel.eventLoop.execute {
            for entry in entries {
                var request = entry.request
                request.sequence = entry.sequence
                request.deadline = entry.deadline
                let written = channel.eventLoop.makePromise(of: Void.self)
                written.futureResult.whenFailure { _ in
                    self.handle { $0.notSent([entry], on: connection, now: .now()) }
                }
                channel.write(request, promise: written)
            }
            channel.flush()
        }
    }

    /// Connects, completes the handshake (and the subscription, if there is one), then reports the
    /// outcome to the machine.
    private func connect() {
        let clientName = self.clientName
        let logger = self.logger
        let handler = self.notificationHandler.withLock { $0 }
        ClientBootstrap(group: self.group)
            .channelInitializer { channel in
                let connection = WriterConnection(channel: channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FlushCoalescingHandler())
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(WriterFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(
                        WriterClientHandler(
                            connection: connection, onNotification: handler, onLost: { [self] lost in self.lost(lost, with: connection) })
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
            .whenComplete { result in
                switch result {
                case .success(let channel) where handler == nil && self.notificationHandler.withLock({ $0 }) != nil:
                    // Begun before `subscribe`: the subscription needs a connection of its own.
                    channel.close(promise: nil)
                    self.handle { $0.connectFailed(now: .now(), reason: "made before the subscription") }
                case .success(let channel):
                    guard let connection = try? channel.pipeline.syncOperations.handler(type: WriterClientHandler.self).connection else {
                        channel.close(promise: nil)
                        self.handle { $0.connectFailed(now: .now(), reason: "no writer handler in the pipeline") }
                        return
                    }
                    connection.isHandedOut.store(true, ordering: .sequentiallyConsistent)
                    if handler != nil { self.subscribedConnections.withLock { $0 += 1 } }
                    self.handle { $0.connected(connection) }
                case .failure(let error):
                    self.handle { $0.connectFailed(now: .now(), reason: "\(error)") }
                }
            }
    }

    /// A connection went inactive with `inFlight` unanswered. Only a connection the machine was given
    /// is its business: one that failed its handshake was reported as a failed attempt.
    private func lost(_ inFlight: [OutboundWriterRequest], with connection: WriterConnection) {
        guard connection.isHandedOut.load(ordering: .sequentiallyConsistent) else {
            for request in inFlight { request.promise.fail(WriterClientError(.connectionLost, "connection lost during the handshake")) }
            return
        }
        let entries = inFlight.map { Machine.Entry(sequence: $0.sequence, request: $0, deadline: $0.deadline, wasInFlight: true) }
        if !entries.isEmpty {
            self.logger.debug("storage writer connection lost with requests in flight", metadata: ["requests": "\(entries.count)"])
        }
        self.handle { $0.connectionLost(connection, inFlight: entries, isSafeToResend: \.isSafeToResend, now: .now()) }
    }
}

/// One connection as the machine knows it: the same object from its handshake to its loss.
final class WriterConnection: Sendable {
    let channel: any Channel
    /// Its handshake succeeded and the machine has it; before that, its loss is a failed attempt.
    let isHandedOut = Atomic(false)

    init(channel: any Channel) {
        self.channel = channel
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
