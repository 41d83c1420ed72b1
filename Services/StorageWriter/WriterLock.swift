import Foundation

/// An exclusive lock on the data directory's writer lock file (flock), held for the life of the process.
/// The kernel releases it when the process dies, even by `kill -9`, so a crash never leaves it stuck.
struct WriterLock: ~Copyable {
    private let descriptor: Int32

    /// nil when another process holds the lock.
    init?(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        self.descriptor = fd
    }

    deinit { close(self.descriptor) }
}
