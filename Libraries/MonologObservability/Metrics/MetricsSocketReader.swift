import MonologProcess
import NIOCore

/// Reads another process's metrics exposition from its metrics socket (see `MetricsSocketService`).
public enum MetricsSocketReader {
    /// The exposition text, or nil when nothing answers at `path` within `timeout` (the process is down,
    /// restarting or stuck). The process writes the exposition and closes the connection; a process
    /// that accepts but never finishes counts as not answering, not as a partial exposition.
    public static func read(path: String, timeout: TimeAmount = .seconds(1)) async -> String? {
        guard let address = try? SocketAddress(unixDomainSocketPath: path),
            let text = await SocketExchange.ask(address, timeout: timeout)
        else { return nil }
        return String(buffer: text)
    }
}
