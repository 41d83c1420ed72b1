import Foundation
import MonologProcess
import NIOCore
import NIOPosix
import Synchronization

/// The supervisor's control socket, `<data-dir>/supervisor.sock` (mode 0600): one request line per
/// connection (`status`, `restart <service>`, `stop`), one JSON line in answer. `monolog-supervisor
/// status|restart|stop` are its clients. Served on SwiftNIO's event loops; each request runs the
/// supervisor's async handler and the answer is written when it is done.
final class ControlSocketServer: Sendable {
    typealias Handler = @Sendable (String) async -> String

    let path: String
    private let handler: Handler
    private let channel = Mutex<(any Channel)?>(nil)

    init(path: String, handler: @escaping Handler) {
        self.path = path
        self.handler = handler
    }

    /// Binds the socket (replacing a stale one: the caller holds the data-dir lock) and starts serving.
    func start() async throws {
        let handler = self.handler
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 8)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ControlRequestHandler(handler: handler))
                }
            }
            .bind(unixDomainSocketPath: self.path, cleanupExistingSocketFile: true)
            .get()
        chmod(self.path, 0o600)
        self.channel.withLock { $0 = channel }
    }

    func stop() {
        self.channel.withLock { channel in
            channel?.close(promise: nil)
            channel = nil
        }
        unlink(self.path)
    }
}

/// One control connection: reads a line (at most `ControlLine.maxBytes`, within `readTimeout`), answers
/// it with one line, closes.
private final class ControlRequestHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// A client that connects and says nothing is dropped after this long.
    static let readTimeout = TimeAmount.seconds(5)

    private let handler: ControlSocketServer.Handler
    private var received = ByteBuffer()
    private var answering = false
    private var timeout: Scheduled<Void>?

    init(handler: @escaping ControlSocketServer.Handler) {
        self.handler = handler
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        self.timeout = context.eventLoop.scheduleTask(in: Self.readTimeout) { channel.close(promise: nil) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.answering else { return }
        self.received.writeImmutableBuffer(self.unwrapInboundIn(data))
        guard ControlLine.isWhole(self.received) else {
            if self.received.readableBytes > ControlLine.maxBytes { context.close(promise: nil) }
            return
        }
        self.answer(ControlLine.text(self.received), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.timeout?.cancel()
        context.fireChannelInactive()
    }

    private func answer(_ request: String, context: ChannelHandlerContext) {
        self.answering = true
        self.timeout?.cancel()
        let handler = self.handler
        let answered = context.eventLoop.makePromise(of: String.self)
        answered.completeWithTask { await handler(request) }
        let channel = context.channel
        answered.futureResult.whenSuccess { answer in
            channel.writeAndFlush(ControlLine.encode(answer, allocator: channel.allocator)).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }
}

@available(*, unavailable)
extension ControlRequestHandler: Sendable {}

/// The client side, for `monolog-supervisor status|restart|stop`.
enum ControlSocketClient {
    enum Failure: Error {
        case notRunning(String)
    }

    /// Sends one request line and returns the answer line; `notRunning` when nothing answers at `path`
    /// within 30 s (a restart waits for the service to stop and start again).
    static func send(_ request: String, path: String) async throws -> String {
        guard let address = try? SocketAddress(unixDomainSocketPath: path),
            let answer = await SocketExchange.ask(
                address, request: ControlLine.encode(request, allocator: ByteBufferAllocator()), timeout: .seconds(30),
                maxAnswerBytes: ControlLine.maxBytes, isComplete: ControlLine.isWhole)
        else { throw Failure.notRunning(path) }
        return ControlLine.text(answer)
    }
}

/// One newline-terminated line of at most 64 KiB each way.
enum ControlLine {
    static let maxBytes = 64 * 1024

    static func isWhole(_ bytes: ByteBuffer) -> Bool {
        bytes.readableBytesView.last == UInt8(ascii: "\n")
    }

    static func text(_ bytes: ByteBuffer) -> String {
        String(buffer: bytes).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func encode(_ line: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: line.utf8.count + 1)
        buffer.writeString(line)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer
    }
}
