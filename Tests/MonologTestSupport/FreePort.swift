import Foundation
import Synchronization

/// Ports already handed out in this test run. Tests start brokers in parallel, and a port that was free
/// when one test asked may be given to the next test before the first binds it; never handing out the
/// same port twice rules that out.
private let handedOut = Mutex<Set<Int>>([])

/// A TCP port that was free a moment ago (bound to port 0, read back, released), and that no other test
/// in this run has been given.
public func freeTCPPort() -> Int {
    while true {
        let port = osAssignedPort()
        let isNew = handedOut.withLock { $0.insert(port).inserted }
        if isNew { return port }
    }
}

private func osAssignedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    precondition(fd >= 0, "socket() failed")
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    precondition(bound, "bind to port 0 failed")
    return Int(UInt16(bigEndian: address.sin_port))
}
