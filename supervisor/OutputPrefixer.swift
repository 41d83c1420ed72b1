import Foundation
import Synchronization

/// Writes a child's output lines to the supervisor's own stdout or stderr, each prefixed with the
/// service name. One lock keeps lines from different children whole.
final class OutputPrefixer: Sendable {
    private let lock = Mutex(())

    func write(_ line: String, from service: String, toStandardError: Bool) {
        var text = "[\(service)] \(line)"
        if !text.hasSuffix("\n") { text += "\n" }
        self.lock.withLock { _ in
            let fd = toStandardError ? STDERR_FILENO : STDOUT_FILENO
            text.utf8CString.withUnsafeBufferPointer { bytes in
                var offset = 0
                let count = bytes.count - 1  // without the NUL
                while offset < count {
                    let written = Foundation.write(fd, bytes.baseAddress! + offset, count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
        }
    }
}
