import Foundation
import MonologStorage

/// A `monolog-storage-writer` started directly (no supervisor), so a test can kill and restart it at
/// will. Its output goes to `<work>/writer.log`.
public final class WriterProcess: @unchecked Sendable {
    public let workDirectory: String
    public let dataDirectory: String
    public let extraArguments: [String]
    /// Added to this process's environment for the writer (`MONOLOG_SUPERVISOR_PID`, to make it stop
    /// when the test process is gone).
    public let environment: [String: String]
    private var process: Process?
    /// The running writer's pid, for signals a test sends itself (SIGSTOP).
    public var pid: pid_t? { self.process?.processIdentifier }

    public var socketPath: String { self.dataDirectory + "/writer.sock" }
    public var databasePath: String { self.dataDirectory + "/monolog.db" }
    public var log: String { (try? String(contentsOfFile: self.workDirectory + "/writer.log", encoding: .utf8)) ?? "" }

    public init(extraArguments: [String] = [], environment: [String: String] = [:]) throws {
        self.workDirectory = NSTemporaryDirectory() + "monolog-writer-" + UUID().uuidString.prefix(8).lowercased()
        self.dataDirectory = self.workDirectory + "/data"
        self.extraArguments = extraArguments
        self.environment = environment
        try FileManager.default.createDirectory(atPath: self.workDirectory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: self.workDirectory + "/writer.log", contents: nil)
    }

    deinit {
        if let process = self.process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Starts the writer and waits until its socket accepts connections.
    public func start() async throws {
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: self.workDirectory + "/writer.log"))
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Broker.binDirectory + "/monolog-storage-writer")
        process.arguments = ["--data-dir", self.dataDirectory, "--log-level", "warning"] + self.extraArguments
        process.environment = ProcessInfo.processInfo.environment.merging(self.environment) { $1 }
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        let socket = self.socketPath
        guard try await eventually(timeout: .seconds(30), every: .milliseconds(10), { unixSocketAccepts(socket) }) else {
            throw BrokerError(message: "writer did not start; log:\n\(self.log)")
        }
    }

    /// `kill -9`, and waits for the process to be gone.
    public func kill9() async throws {
        guard let process = self.process else { return }
        kill(process.processIdentifier, SIGKILL)
        try await blocking { process.waitUntilExit() }
        self.process = nil
    }

    public func stop() async throws {
        guard let process = self.process else { return }
        kill(process.processIdentifier, SIGTERM)
        try await blocking { process.waitUntilExit() }
        self.process = nil
    }

    public func removeFiles() {
        try? FileManager.default.removeItem(atPath: self.workDirectory)
    }

    /// `PRAGMA integrity_check` on the database file: "ok" when SQLite finds nothing wrong.
    public func integrityCheck() -> String {
        databaseIntegrity(path: self.databasePath)
    }
}

/// `PRAGMA integrity_check` on a database file, opened read-only: "ok" when SQLite finds nothing wrong.
public func databaseIntegrity(path: String) -> String {
    do {
        return try SQLiteConnection(readOnlyPath: path).integrityCheck()
    } catch {
        return "cannot check: \(error)"
    }
}

/// True when a Unix socket at `path` accepts a connection.
public func unixSocketAccepts(_ path: String) -> Bool {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    } == 0
}
