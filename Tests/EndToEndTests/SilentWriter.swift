import Foundation
import MonologWriterProtocol
import NIOCore

/// A stand-in for a storage writer that dies mid-request, deterministically: it answers the hello
/// handshake, then reads requests without answering them, and closes the connection once it holds
/// `requests` of them (as a writer killed before answering would).
final class SilentWriter: @unchecked Sendable {
    private let listener: Int32
    private let received = DispatchSemaphore(value: 0)

    init(socketPath: String, requests: Int) throws {
        unlink(socketPath)
        var address = Self.address(socketPath)
        self.listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(self.listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(self.listener, 4) == 0 else { throw CocoaError(.fileWriteUnknown) }
        let listener = self.listener
        let received = self.received
        Thread {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var taken = 0
            while taken < requests + 1, let frame = Self.readFrame(connection) {  // the hello, then the requests
                if taken == 0 {
                    var hello = ByteBuffer(bytes: frame)
                    let requestID = (try? WriterFrame.readHeader(&hello))?.requestID ?? 1
                    var answer = ByteBuffer()
                    WriterFrame.write(Hello.Reply(version: WriterProtocol.version), kind: Hello.replyKind, requestID: requestID, into: &answer)
                    let bytes = Array(answer.readableBytesView)
                    _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                }
                taken += 1
            }
            close(connection)
            received.signal()
        }.start()
    }

    /// Waits until the requests arrived and the connection was closed on them.
    func waitUntilDead() async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                self.received.wait()
                continuation.resume()
            }
        }
        close(self.listener)
    }

    private static func readFrame(_ fd: Int32) -> [UInt8]? {
        guard let header = self.read(fd, count: 4) else { return nil }
        let length = Int(UInt32(header[0]) << 24 | UInt32(header[1]) << 16 | UInt32(header[2]) << 8 | UInt32(header[3]))
        return self.read(fd, count: length)
    }

    private static func read(_ fd: Int32, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, count - filled, 0) }
            guard got > 0 else { return nil }
            filled += got
        }
        return bytes
    }

    private static func address(_ path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }
}
