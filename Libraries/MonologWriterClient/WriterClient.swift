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
    private let watermarkHandler = Mutex<(@Sendable ([PartitionWatermark]) -> Void)?>(nil)
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
        var request: WriterRequest
        var promise: EventLoopPromise<WriterResponse>
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

    /// Sends one request and waits for the writer's answer. Error answers are thrown as `.rejected`.
    public func send(_ request: WriterRequest) async throws(WriterClientError) -> WriterResponse {
        if let tooLarge = Self.sizeProblem(request) { throw tooLarge }
        let deadline = ContinuousClock.now + self.connectTimeout
        while true {
            let channel = try await self.connectedChannel(deadline: deadline)
            let promise = channel.eventLoop.makePromise(of: WriterResponse.self)
            do {
                try await channel.writeAndFlush(OutboundWriterRequest(message: request, promise: promise))
            } catch {
                // Never sent (the channel closed under us): safe to try again on a new connection.
                promise.fail(WriterClientError(.unavailable, "not sent"))
                self.forget(channel)
                continue
            }
            let response: WriterResponse
            do {
                response = try await promise.futureResult.get()
            } catch let error as WriterClientError {
                throw error
            } catch {
                throw WriterClientError(.connectionLost, "\(error)")
            }
            if case .error(let code, let message) = response {
                throw WriterClientError(.rejected(code), message)
            }
            return response
        }
    }

    /// Sends one request without leaving the event loops: the form for NIO handlers (the Kafka gateway),
    /// where an `await` would add a task hop to every message. On a live connection the request is
    /// written at once; otherwise it goes the `send` way (connect, with retries) and completes the future.
    /// Error answers fail the future with `WriterClientError.rejected`.
    public func submit(_ request: WriterRequest, on eventLoop: any EventLoop) -> EventLoopFuture<WriterResponse> {
        if let tooLarge = Self.sizeProblem(request) { return eventLoop.makeFailedFuture(tooLarge) }
        let promise = eventLoop.makePromise(of: WriterResponse.self)
        // The direct path only when connected and nothing submitted earlier is still waiting.
        let channel = self.state.withLock { state -> (any Channel)? in
            if case .connected(let channel) = state, self.laneDepth.withLock({ $0 == 0 }) { return channel }
            self.laneDepth.withLock { $0 += 1 }
            return nil
        }
        if let channel {
            channel.writeAndFlush(OutboundWriterRequest(message: request, promise: promise)).whenFailure { error in
                // Never sent: the connection closed under us. Its answer cannot come; the client retries.
                self.forget(channel)
                promise.fail(WriterClientError(.unavailable, "not sent: \(error)"))
            }
        } else {
            self.laneInput.yield(QueuedRequest(request: request, promise: promise))
        }
        return promise.futureResult.flatMapThrowing { response in
            if case .error(let code, let message) = response { throw WriterClientError(.rejected(code), message) }
            return response
        }
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
            channel.writeAndFlush(OutboundWriterRequest(message: queued.request, promise: queued.promise), promise: written)
        } catch {
            queued.promise.fail(error)
        }
        self.laneDepth.withLock { $0 -= 1 }
    }

    /// Refuses, before anything is sent, an append larger than the writer's frame limit (the writer
    /// would close the connection on it, failing every other request in flight).
    static func sizeProblem(_ request: WriterRequest) -> WriterClientError? {
        guard case .append(_, _, let batches) = request, batches.readableBytes > Self.maxRequestBytes else { return nil }
        return WriterClientError(
            .rejected(.requestTooLarge),
            "append of \(batches.readableBytes) bytes exceeds the writer's limit of \(Self.maxRequestBytes)"
        )
    }

    /// Calls `handler` with the partitions whose watermarks moved, after every commit, from now on and
    /// across writer restarts. The first call, and the one after each reconnection, has an empty list.
    public func subscribeToWatermarks(_ handler: @escaping @Sendable ([PartitionWatermark]) -> Void) async throws(WriterClientError) {
        self.watermarkHandler.withLock { $0 = handler }
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
        let waiting = self.watermarkHandler.withLock({ $0 }) != nil || !self.resendQueue.withLock({ $0.isEmpty })
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
        let handler = self.watermarkHandler.withLock { $0 }
        return ClientBootstrap(group: self.group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FlushCoalescingHandler())
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(WriterFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(
                        WriterClientHandler(onWatermarks: handler, onLost: { [self] lost in self.queueForResend(lost) })
                    )
                }
            }
            .connect(unixDomainSocketPath: self.socketPath)
            .flatMap { channel in
                let hello = WriterRequest.hello(version: WriterProtocol.version, clientName: clientName)
                // A writer that accepts but never answers must not stall every request behind it.
                return Self.request(hello, on: channel, timeout: .seconds(5)).flatMapThrowing { response -> any Channel in
                    guard case .hello(let version) = response, version == WriterProtocol.version else {
                        channel.close(promise: nil)
                        throw WriterClientError(.unexpectedResponse, "writer refused the handshake: \(response)")
                    }
                    logger.debug("connected to the storage writer")
                    return channel
                }
            }
            .flatMap { channel -> EventLoopFuture<any Channel> in
                guard let handler else { return channel.eventLoop.makeSucceededFuture(channel) }
                return Self.request(.subscribe, on: channel, timeout: .seconds(5)).map { _ in
                    handler([])  // (re)subscribed: whatever happened meanwhile must be re-read
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
    static func request(_ message: WriterRequest, on channel: any Channel, timeout: TimeAmount) -> EventLoopFuture<WriterResponse> {
        let promise = channel.eventLoop.makePromise(of: WriterResponse.self)
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { error in promise.fail(WriterClientError(.unavailable, "not sent: \(error)")) }
        channel.writeAndFlush(OutboundWriterRequest(message: message, promise: promise), promise: written)
        let deadline = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(WriterClientError(.unavailable, "no answer from the storage writer within \(timeout)"))
            channel.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        return promise.futureResult
    }

    public func createTopic(
        _ name: String,
        partitionCount: Int32,
        configs: [String: String] = [:],
        ifNotExists: Bool
    ) async throws(WriterClientError) -> (topicID: Int64, partitionCount: Int32, created: Bool) {
        let response = try await self.send(
            .createTopic(name: name, partitionCount: partitionCount, configs: configs, ifNotExists: ifNotExists)
        )
        guard case .topicCreated(let topicID, let count, let created) = response else {
            throw WriterClientError(.unexpectedResponse, "unexpected answer to create topic: \(response)")
        }
        return (topicID, count, created)
    }

    public func deleteTopic(_ name: String) async throws(WriterClientError) {
        let response = try await self.send(.deleteTopic(name: name))
        guard case .topicDeleted = response else {
            throw WriterClientError(.unexpectedResponse, "unexpected answer to delete topic: \(response)")
        }
    }

    /// Appends concatenated RecordBatch v2 bytes; returns the offsets given, once committed to disk.
    public func append(
        topic: String,
        partition: Int32,
        batches: ByteBuffer
    ) async throws(WriterClientError) -> (baseOffset: Int64, lastOffset: Int64, logStartOffset: Int64, logAppendTimeMs: Int64) {
        let response = try await self.send(.append(topic: topic, partition: partition, batches: batches))
        guard case .appended(let baseOffset, let lastOffset, let logStartOffset, let logAppendTimeMs) = response else {
            throw WriterClientError(.unexpectedResponse, "unexpected answer to append: \(response)")
        }
        return (baseOffset, lastOffset, logStartOffset, logAppendTimeMs)
    }

    public func alterTopicConfigs(_ name: String, set: [String: String], delete: [String] = []) async throws(WriterClientError) {
        let response = try await self.send(.alterTopicConfigs(name: name, set: set, delete: delete))
        guard case .configsAltered = response else {
            throw WriterClientError(.unexpectedResponse, "unexpected answer to alter configs: \(response)")
        }
    }

    public func initProducerID(
        transactionalID: String? = nil,
        producerID: Int64 = -1,
        producerEpoch: Int16 = -1
    ) async throws(WriterClientError) -> (id: Int64, epoch: Int16) {
        let response = try await self.send(.initProducerID(transactionalID: transactionalID, producerID: producerID, producerEpoch: producerEpoch))
        guard case .producerID(let id, let epoch) = response else {
            throw WriterClientError(.unexpectedResponse, "unexpected answer to init producer id: \(response)")
        }
        return (id, epoch)
    }

    /// Moves a partition's log start to `offset` (-1: the high watermark); returns the new log start.
    public func deleteRecords(topic: String, partition: Int32, before offset: Int64) async throws(WriterClientError) -> Int64 {
        let response = try await self.send(.deleteRecords(topic: topic, partition: partition, beforeOffset: offset))
        guard case .recordsDeleted(let logStart) = response else {
            throw WriterClientError(.unexpectedResponse, "unexpected answer to delete records: \(response)")
        }
        return logStart
    }

    public func applyRetention(
        nowMs: Int64,
        defaultRetentionMs: Int64,
        defaultRetentionBytes: Int64 = -1
    ) async throws(WriterClientError) -> (batchesDeleted: Int64, batchesRewritten: Int64) {
        let response = try await self.send(
            .applyRetention(nowMs: nowMs, defaultRetentionMs: defaultRetentionMs, defaultRetentionBytes: defaultRetentionBytes)
        )
        guard case .retentionApplied(let deleted, let rewritten) = response else {
            throw WriterClientError(.unexpectedResponse, "unexpected answer to retention: \(response)")
        }
        return (deleted, rewritten)
    }

    /// Commits a group's offsets; returns one code per offset (`.none` when stored).
    public func commitOffsets(group: String, _ offsets: [GroupOffsetCommit]) async throws(WriterClientError) -> [WriterErrorCode] {
        let response = try await self.send(.commitOffsets(group: group, offsets: offsets))
        guard case .offsetsCommitted(let codes) = response, codes.count == offsets.count else {
            throw WriterClientError(.unexpectedResponse, "unexpected answer to commit offsets: \(response)")
        }
        return codes
    }

    public func deleteGroupOffsets(group: String, partitions: [TopicPartition] = []) async throws(WriterClientError) -> Int64 {
        let response = try await self.send(.deleteGroupOffsets(group: group, partitions: partitions))
        guard case .groupOffsetsDeleted(let count) = response else {
            throw WriterClientError(.unexpectedResponse, "unexpected answer to delete group offsets: \(response)")
        }
        return count
    }

    /// Applies a change to users (a credential, a token, a deletion); false when a deletion found nothing.
    @discardableResult
    public func changeUsers(_ request: WriterRequest) async throws(WriterClientError) -> Bool {
        let response = try await self.send(request)
        guard case .usersChanged(let changed) = response else {
            throw WriterClientError(.unexpectedResponse, "unexpected answer to a user change: \(response)")
        }
        return changed
    }
}
