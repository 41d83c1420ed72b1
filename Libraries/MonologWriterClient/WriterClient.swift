import Logging
import MonologWriterProtocol
import NIOCore
import NIOPosix
import Synchronization

/// A connection to the storage writer, shared by every request of a process.
///
/// It connects on first use and again after the writer restarts: a request that finds no writer keeps
/// trying until `connectTimeout` has passed, so a gateway rides out a writer restart instead of failing
/// at once. Requests already in flight when the connection drops fail with `.connectionLost`, never
/// silently retried, because their writes may have committed.
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
    }

    /// Sends one request and waits for the writer's answer. Error answers are thrown as `.rejected`.
    public func send(_ request: WriterRequest) async throws(WriterClientError) -> WriterResponse {
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

    /// Connects and completes the hello handshake before the channel is handed out.
    private func connect() -> EventLoopFuture<any Channel> {
        let clientName = self.clientName
        let logger = self.logger
        return ClientBootstrap(group: self.group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(WriterFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(WriterClientHandler())
                }
            }
            .connect(unixDomainSocketPath: self.socketPath)
            .flatMap { channel in
                let promise = channel.eventLoop.makePromise(of: WriterResponse.self)
                let hello = WriterRequest.hello(version: WriterProtocol.version, clientName: clientName)
                channel.writeAndFlush(OutboundWriterRequest(message: hello, promise: promise), promise: nil)
                return promise.futureResult.flatMapThrowing { response -> any Channel in
                    guard case .hello(let version) = response, version == WriterProtocol.version else {
                        channel.close(promise: nil)
                        throw WriterClientError(.unexpectedResponse, "writer refused the handshake: \(response)")
                    }
                    logger.debug("connected to the storage writer")
                    return channel
                }
            }
            .map { channel in
                channel.closeFuture.whenComplete { _ in self.forget(channel) }
                return channel
            }
    }
}

extension WriterClient {
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
    ) async throws(WriterClientError) -> (baseOffset: Int64, lastOffset: Int64) {
        let response = try await self.send(.append(topic: topic, partition: partition, batches: batches))
        guard case .appended(let baseOffset, let lastOffset) = response else {
            throw WriterClientError(.unexpectedResponse, "unexpected answer to append: \(response)")
        }
        return (baseOffset, lastOffset)
    }

    public func deleteRecords(olderThan timestampMs: Int64) async throws(WriterClientError) -> Int64 {
        let response = try await self.send(.deleteRecordsBefore(timestampMs: timestampMs))
        guard case .recordsDeleted(let batches) = response else {
            throw WriterClientError(.unexpectedResponse, "unexpected answer to delete records: \(response)")
        }
        return batches
    }
}
