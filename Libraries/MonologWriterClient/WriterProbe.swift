import MonologProcess
import MonologWriterProtocol
import NIOCore

/// Whether the storage writer answers on its socket: the HTTP gateway's `/readyz`, and the commands that
/// need a running writer, ask before they rely on it.
public enum WriterProbe {
    /// Sends the protocol's hello and waits up to `timeout` for a whole answer frame.
    public static func answersHandshake(socketPath: String, clientName: String, timeout: TimeAmount = .seconds(1)) async -> Bool {
        guard let address = try? SocketAddress(unixDomainSocketPath: socketPath) else { return false }
        var hello = ByteBuffer()
        WriterFrame.write(Hello(clientName: clientName), kind: Hello.kind, requestID: 1, into: &hello)
        guard
            let answer = await SocketExchange.ask(address, request: hello, timeout: timeout, isComplete: SocketExchange.holdsLengthPrefixedFrame)
        else { return false }
        return SocketExchange.holdsLengthPrefixedFrame(answer)
    }
}
