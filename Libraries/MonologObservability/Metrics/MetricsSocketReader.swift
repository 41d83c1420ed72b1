import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Reads another process's metrics exposition from its metrics socket (see `MetricsSocketService`).
public enum MetricsSocketReader {
    /// The exposition text, or nil when nothing answers at `path` within `timeout` (the process is down,
    /// restarting or stuck).
    public static func read(path: String, timeout: TimeAmount = .seconds(1)) async -> String? {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout)
                .connect(unixDomainSocketPath: path) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, Never>(wrappingChannelSynchronously: channel)
                    }
                }
            // A process that accepts but never finishes must not hang the scrape: close it at the deadline
            // and count the answer as missing, not as a partial exposition.
            let timedOut = NIOLockedValueBox(false)
            let deadline = channel.channel.eventLoop.scheduleTask(in: timeout) {
                timedOut.withLockedValue { $0 = true }
                channel.channel.close(promise: nil)
            }
            defer { deadline.cancel() }
            let text = try await channel.executeThenClose { inbound, _ in
                var text = ""
                for try await buffer in inbound { text += String(buffer: buffer) }
                return text
            }
            return timedOut.withLockedValue { $0 } ? nil : text
        } catch {
            return nil
        }
    }
}
