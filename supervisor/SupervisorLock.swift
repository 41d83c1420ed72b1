import Foundation

/// One supervisor per data directory: an exclusive `flock` on `<data-dir>/supervisor.lock`, held for
/// the supervisor's life and released by the kernel however it ends (a `kill -9` included), so a stale
/// lock file never blocks a new start. The file holds the owner's pid, for the error message.
final class SupervisorLock {
    private let fd: Int32

    /// The lock, or nil with the pid of the supervisor holding it (0 if unknown).
    static func acquire(dataDirectory: String) throws -> Result<SupervisorLock, HeldBy> {
        try FileManager.default.createDirectory(
            atPath: dataDirectory,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        let path = dataDirectory + "/supervisor.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let owner = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            close(fd)
            return .failure(HeldBy(pid: owner ?? 0))
        }
        ftruncate(fd, 0)
        let text = Array("\(getpid())\n".utf8)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return .success(SupervisorLock(fd: fd))
    }

    struct HeldBy: Error {
        var pid: Int32
    }

    private init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        close(self.fd)
    }
}
