#if canImport(Glibc)
    import Glibc
#endif

/// The Unix-domain sockets between Monolog's processes (the writer's, the supervisor's control socket):
/// the address for a path, and a connected descriptor.
public enum UnixSocket {
    public struct PathTooLong: Error {
        public var path: String
    }

    /// A `sockaddr_un` for `path`, or PathTooLong when the path does not fit in one.
    public static func address(_ path: String) throws(PathTooLong) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw PathTooLong(path: path) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    /// A descriptor connected to `path`, with `receiveTimeoutSeconds` on reads; nil if nothing accepts
    /// there. The caller closes it.
    public static func connect(_ path: String, receiveTimeoutSeconds: Int = 0) -> Int32? {
        guard var address = try? Self.address(path) else { return nil }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        if receiveTimeoutSeconds > 0 {
            var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        return fd
    }
}
