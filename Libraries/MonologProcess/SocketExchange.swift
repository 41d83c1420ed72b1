import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One request and its answer over a fresh connection, on SwiftNIO: how the supervisor's commands talk
/// to its control socket, how readiness probes ask the Kafka gateway and the storage writer whether they
/// answer, and how the metrics of other processes are read. Nothing blocks a thread, and every exchange
/// ends by its deadline: a peer that accepts but never answers counts as not answering.
public enum SocketExchange {
    /// Connects to `address`, writes `request` (if any), and collects what comes back until
    /// `isComplete` says the answer is whole or the peer closes the connection. Returns the bytes
    /// received then; nil when nothing accepts at `address`, the connection fails, the answer grows past
    /// `maxAnswerBytes`, or `timeout` passes first.
    public static func ask(
        _ address: SocketAddress,
        request: ByteBuffer? = nil,
        timeout: TimeAmount,
        maxAnswerBytes: Int = 64 * 1024 * 1024,
        isComplete: @escaping @Sendable (ByteBuffer) -> Bool = { _ in false }
    ) async -> ByteBuffer? {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout)
                .connect(to: address) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            // Closing the channel at the deadline ends the read below; what arrived by then is not an answer.
            let timedOut = NIOLockedValueBox(false)
            let deadline = channel.channel.eventLoop.scheduleTask(in: timeout) {
                timedOut.withLockedValue { $0 = true }
                channel.channel.close(promise: nil)
            }
            defer { deadline.cancel() }
            let answer = try await channel.executeThenClose { inbound, outbound -> ByteBuffer? in
                if let request { try await outbound.write(request) }
                var answer = ByteBuffer()
                for try await chunk in inbound {
                    answer.writeImmutableBuffer(chunk)
                    if answer.readableBytes > maxAnswerBytes { return nil }
                    if isComplete(answer) { return answer }
                }
                return answer
            }
            return timedOut.withLockedValue { $0 } ? nil : answer
        } catch {
            return nil
        }
    }

    /// Whether something accepts a connection at `address` within `timeout`.
    public static func accepts(_ address: SocketAddress, timeout: TimeAmount) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout)
                .connect(to: address)
                .get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }

    /// Whether `answer` holds a whole frame behind a 4-byte big-endian length, as the Kafka protocol
    /// and the writer protocol frame their messages.
    public static func holdsLengthPrefixedFrame(_ answer: ByteBuffer) -> Bool {
        guard let length = answer.getInteger(at: answer.readerIndex, as: UInt32.self) else { return false }
        return answer.readableBytes >= 4 + Int(length)
    }
}
