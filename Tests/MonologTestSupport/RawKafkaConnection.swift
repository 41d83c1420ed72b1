import Foundation

/// A bare TCP connection that sends hand-built Kafka request frames and reads response frames, for
/// checking the gateway's bytes without any client library in between.
public final class RawKafkaConnection {
    private let fd: Int32

    /// `receiveTimeout`: how long a receive waits before it throws.
    public init(port: Int, receiveTimeout: Duration = .seconds(10)) throws {
        // Connected on a local descriptor and stored last: an initializer that throws once every
        // property is set runs deinit, whose close would then hit a number another thread may
        // already have been given again (a Foundation.Process exit socket, say, hanging its wait).
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw BrokerError(message: "connect to 127.0.0.1:\(port) failed")
        }
        self.fd = fd
        self.setReceiveTimeout(receiveTimeout)
    }

    private func setReceiveTimeout(_ duration: Duration) {
        let microseconds = max(duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000, 1000)
        var timeout = timeval(tv_sec: Int(microseconds / 1_000_000), tv_usec: Int(microseconds % 1_000_000))
        setsockopt(self.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Whether something (an answer, or the end of the stream) arrives within `timeout`; reads nothing.
    public func waitUntilReadable(within timeout: Duration) -> Bool {
        var descriptor = pollfd(fd: self.fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        return poll(&descriptor, 1, milliseconds) > 0
    }

    /// Whether the broker closes the connection within `timeout`: reads (and drops) whatever it sends
    /// meanwhile, and answers false when the time passes with the connection still open.
    public func isClosedByPeer(within timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        defer { self.setReceiveTimeout(.seconds(10)) }
        var scratch = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            self.setReceiveTimeout(deadline - ContinuousClock.now)
            let read = scratch.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, $0.count, 0) }
            if read == 0 || (read < 0 && errno == ECONNRESET) { return true }
            if read < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { return true }
        }
        return false
    }

    deinit { close(self.fd) }

    /// A request header v1 (client id "raw") plus `body`, framed with its size.
    public static func request(apiKey: Int16, version: Int16, correlationID: Int32, flexibleHeader: Bool = false, body: [UInt8] = []) -> [UInt8] {
        var payload: [UInt8] = []
        payload += bigEndian(apiKey) + bigEndian(version) + bigEndian(correlationID)
        payload += bigEndian(Int16(3)) + Array("raw".utf8)
        if flexibleHeader { payload.append(0) }  // no tagged fields
        payload += body
        return bigEndian(Int32(payload.count)) + payload
    }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.send(self.fd, $0.baseAddress, $0.count, 0) }
            guard written > 0 else { throw BrokerError(message: "send failed") }
            offset += written
        }
    }

    /// The next response frame without its size prefix, or nil when the broker closed the connection.
    public func receiveFrame() throws -> [UInt8]? {
        guard let sizeBytes = try self.receive(4) else { return nil }
        let size = Int(Int32(bigEndian: sizeBytes.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }))
        return try self.receive(size)
    }

    private func receive(_ count: Int) throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let read = buffer[offset...].withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, $0.count, 0) }
            if read == 0 { return nil }
            guard read > 0 else { throw BrokerError(message: "recv failed (errno \(errno))") }
            offset += read
        }
        return buffer
    }
}

public func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}

/// Reads big-endian integers from a response frame.
public struct FrameReader {
    public var bytes: [UInt8]
    public var index = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public mutating func read<T: FixedWidthInteger>(_: T.Type) -> T {
        var value: T = 0
        for _ in 0..<MemoryLayout<T>.size {
            value = value << 8 | T(self.bytes[self.index])
            self.index += 1
        }
        return value
    }

    public mutating func readUnsignedVarint() -> UInt32 {
        var value: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            let byte = self.bytes[self.index]
            self.index += 1
            value |= UInt32(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    public var remaining: Int { self.bytes.count - self.index }
}
