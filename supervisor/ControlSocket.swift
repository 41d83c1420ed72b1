import Foundation
import MonologProcess

/// The supervisor's control socket, `<data-dir>/supervisor.sock` (mode 0600): one request line per
/// connection (`status`, `restart <service>`, `stop`), one JSON line in answer. `monolog-supervisor
/// status|restart|stop` are its clients. A blocking accept loop on its own thread: the traffic is a
/// person typing commands.
final class ControlSocketServer: @unchecked Sendable {  // fd and thread are set once, before use
    typealias Handler = @Sendable (String) async -> String

    let path: String
    private let handler: Handler
    private var fd: Int32 = -1

    init(path: String, handler: @escaping Handler) {
        self.path = path
        self.handler = handler
    }

    /// Binds the socket (replacing a stale one: the caller holds the data-dir lock) and starts serving.
    func start() throws {
        unlink(self.path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = try UnixSocket.address(self.path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        chmod(self.path, 0o600)
        self.fd = fd
        let thread = Thread { [self] in self.acceptLoop() }
        thread.name = "control-socket"
        thread.start()
    }

    func stop() {
        if self.fd >= 0 { shutdown(self.fd, Int32(SHUT_RDWR)) }
        unlink(self.path)
    }

    private func acceptLoop() {
        while true {
            let client = accept(self.fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return  // the socket was shut down
            }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let request = ControlLine.read(from: client)
            let done = DispatchSemaphore(value: 0)
            let handler = self.handler
            nonisolated(unsafe) var answer = ""
            Task {
                answer = await handler(request)
                done.signal()
            }
            done.wait()
            ControlLine.write(answer, to: client)
            close(client)
        }
    }
}

/// The client side, for `monolog-supervisor status|restart|stop`.
enum ControlSocketClient {
    enum Failure: Error {
        case notRunning(String)
    }

    static func send(_ request: String, path: String) throws -> String {
        guard let fd = UnixSocket.connect(path, receiveTimeoutSeconds: 30) else { throw Failure.notRunning(path) }
        defer { close(fd) }
        ControlLine.write(request, to: fd)
        return ControlLine.read(from: fd)
    }
}

/// One newline-terminated line of at most 64 KiB each way.
enum ControlLine {
    static func read(from fd: Int32) -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65536 {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            bytes += chunk[0..<count]
            if bytes.last == UInt8(ascii: "\n") { break }
        }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func write(_ line: String, to fd: Int32) {
        let bytes = Array((line + "\n").utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return }
            sent += count
        }
    }
}
