import Foundation

/// A real Monolog process tree for one test: `monolog-supervisor start` on free ports with a private,
/// temporary data directory, its output captured in `<data-dir>/../broker.log`.
public final class Broker: @unchecked Sendable {
    public let workDirectory: String
    public let dataDirectory: String
    public let httpPort: Int
    public let kafkaPort: Int
    private var process: Process
    private let arguments: [String]
    private let environment: [String: String]

    /// HTTPS (checked against this CA file) when the broker runs with --http-tls.
    public let caFile: String?
    /// Sent as `Authorization:` with every request of `get`, `post` and `delete` (for --http-auth).
    public var authorization: String?
    public var baseURL: String { "\(self.caFile == nil ? "http" : "https")://127.0.0.1:\(self.httpPort)" }
    public var logPath: String { self.workDirectory + "/broker.log" }
    public var log: String { (try? String(contentsOfFile: self.logPath, encoding: .utf8)) ?? "" }

    /// Where the built executables are: next to this test binary, unless MONOLOG_BIN_DIR says otherwise.
    public static var binDirectory: String {
        if let override = ProcessInfo.processInfo.environment["MONOLOG_BIN_DIR"] { return override }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = (exe as NSString).deletingLastPathComponent
        // XCTest bundles on Linux are plain executables; step out of a bundle folder if there is one.
        while directory.hasSuffix(".xctest") { directory = (directory as NSString).deletingLastPathComponent }
        return directory
    }

    /// Starts a broker and waits until the HTTP API answers. Its data directory is `data` in a new work
    /// directory, unless `dataDirectory` names another (on a small file system, say).
    public static func start(
        configYAML: String? = nil,
        extraArguments: [String] = [],
        environment: [String: String] = [:],
        caFile: String? = nil,
        dataDirectory: String? = nil
    ) async throws -> Broker {
        let work = NSTemporaryDirectory() + "monolog-test-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        var arguments = [
            "start", "--data-dir", dataDirectory ?? work + "/data", "--http-addr", "127.0.0.1:\(freeTCPPort())",
            "--kafka-addr", "127.0.0.1:\(freeTCPPort())",
            "--log-level", ProcessInfo.processInfo.environment["MONOLOG_TEST_LOG_LEVEL"] ?? "info",
        ]
        if let configYAML {
            try configYAML.write(toFile: work + "/monolog.yaml", atomically: true, encoding: .utf8)
            arguments += ["--config", work + "/monolog.yaml"]
        }
        let broker = try Broker(workDirectory: work, arguments: arguments + extraArguments, environment: environment, caFile: caFile)
        guard try await broker.waitUntilServing() else {
            await broker.forceCleanup()
            throw BrokerError(message: "broker did not start serving within 60 s; log:\n\(broker.log)")
        }
        return broker
    }

    private init(workDirectory: String, arguments: [String], environment: [String: String], caFile: String?) throws {
        self.workDirectory = workDirectory
        self.caFile = caFile
        self.dataDirectory = arguments[arguments.firstIndex(of: "--data-dir")! + 1]
        self.httpPort = Int(arguments[arguments.firstIndex(of: "--http-addr")! + 1].split(separator: ":").last!)!
        self.kafkaPort = Int(arguments[arguments.firstIndex(of: "--kafka-addr")! + 1].split(separator: ":").last!)!
        self.arguments = arguments
        self.environment = environment
        _ = FileManager.default.createFile(atPath: workDirectory + "/broker.log", contents: nil)
        self.process = try Self.launch(arguments: arguments, environment: environment, logPath: workDirectory + "/broker.log")
    }

    private static func launch(arguments: [String], environment: [String: String], logPath: String) throws -> Process {
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        logHandle.seekToEndOfFile()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binDirectory + "/monolog-supervisor")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        return process
    }

    /// `kill -9` of the supervisor itself: its services notice and stop. Once they are gone, a new
    /// supervisor starts on the same data directory and ports, as an operator would do.
    public func killSupervisorAndStartAgain() async throws {
        kill(self.process.processIdentifier, SIGKILL)
        let executables = ["monolog-storage-writer", "monolog-kafka-gateway", "monolog-http-gateway", "monolog-retention-worker"]
        let orphansGone = try await eventually(timeout: .seconds(15)) {
            executables.allSatisfy { self.pids(of: $0).isEmpty }
        }
        guard orphansGone else { throw BrokerError(message: "services outlived their supervisor by 15 s") }
        self.process = try Self.launch(arguments: self.arguments, environment: self.environment, logPath: self.logPath)
        guard try await self.waitUntilServing() else {
            throw BrokerError(message: "the new supervisor did not start serving within 60 s; log:\n\(self.log)")
        }
    }

    /// Runs `monolog-supervisor <command> --data-dir <this broker's>` and returns its exit status.
    public func control(_ command: [String]) async throws -> ProcessOutput {
        try await runProcess(Self.binDirectory + "/monolog-supervisor", command + ["--data-dir", self.dataDirectory], timeout: 60)
    }

    /// `PRAGMA integrity_check` on this broker's database.
    public func integrityCheck() -> String {
        databaseIntegrity(path: self.dataDirectory + "/monolog.db")
    }

    /// A test that fails midway never calls `stop()`: whatever is left of its tree is killed here.
    deinit {
        if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
        for executable in ["monolog-storage-writer", "monolog-kafka-gateway", "monolog-http-gateway", "monolog-retention-worker", "litestream"] {
            for pid in ProcessTable.pids(executable: executable, argumentContaining: self.dataDirectory) { kill(pid, SIGKILL) }
        }
    }

    /// True once this broker's own gateways have bound their ports (their log lines say so: a port that
    /// merely accepts could belong to someone else) and `GET /api/topics` answers 200.
    public func waitUntilServing(timeout: Duration = .seconds(60)) async throws -> Bool {
        // With authentication on, the open probe stands in for the topic list.
        let url = self.baseURL + (self.arguments.contains("--http-auth") ? "/readyz" : "/api/topics")
        let caFile = self.caFile
        let kafkaPort = self.kafkaPort
        let logPath = self.logPath
        return try await eventually(timeout: timeout) {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            return Self.bindCount(in: log) >= 1
                && (try? Curl.request("GET", url, caFile: caFile, timeoutSeconds: 2))?.status == 200
                && (try? RawKafkaConnection(port: kafkaPort)) != nil
        }
    }

    /// How many times both gateways have logged a successful bind (a restarted gateway logs it again).
    private static func bindCount(in log: String) -> Int {
        let kafka = log.components(separatedBy: "kafka gateway listening").count - 1
        let http = log.components(separatedBy: "Server started and listening").count - 1
        return min(kafka, http)
    }

    public func get(_ path: String) async throws -> HTTPResult {
        let (url, headers, caFile) = (self.baseURL + path, self.headers, self.caFile)
        return try await blocking { try Curl.request("GET", url, headers: headers, caFile: caFile) }
    }

    public func post(_ path: String, _ body: String) async throws -> HTTPResult {
        let (url, headers, caFile) = (self.baseURL + path, self.headers, self.caFile)
        return try await blocking { try Curl.request("POST", url, body: body, headers: headers, caFile: caFile) }
    }

    public func delete(_ path: String) async throws -> HTTPResult {
        let (url, headers, caFile) = (self.baseURL + path, self.headers, self.caFile)
        return try await blocking { try Curl.request("DELETE", url, headers: headers, caFile: caFile) }
    }

    private var headers: [String] { self.authorization.map { ["Authorization: \($0)"] } ?? [] }

    /// Live pids of one service of this broker (by executable name, e.g. "monolog-http-gateway").
    public func pids(of executable: String) -> [pid_t] {
        ProcessTable.pids(executable: executable, argumentContaining: self.dataDirectory)
    }

    public var supervisorPID: pid_t { self.process.processIdentifier }
    public var isRunning: Bool { self.process.isRunning }

    /// `kill -9` of one service; returns the pid that was killed.
    @discardableResult
    public func kill9(_ executable: String) throws -> pid_t {
        guard let pid = self.pids(of: executable).first else {
            throw BrokerError(message: "no running \(executable)")
        }
        kill(pid, SIGKILL)
        return pid
    }

    /// SIGTERM to the supervisor; waits for it to exit and returns its exit status.
    public func stop(timeout: Duration = .seconds(30)) async throws -> Int32 {
        kill(self.process.processIdentifier, SIGTERM)
        let process = self.process
        let exited = try await eventually(timeout: timeout) { !process.isRunning }
        if !exited { await self.forceCleanup() }
        return try await blocking {
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// Kills whatever is left of this broker (used when a test fails midway).
    public func forceCleanup() async {
        if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
        for executable in ["monolog-storage-writer", "monolog-kafka-gateway", "monolog-http-gateway", "monolog-retention-worker", "litestream"] {
            for pid in self.pids(of: executable) { kill(pid, SIGKILL) }
        }
    }

    /// Removes the temporary directory (call after a passing test; a failing one keeps its log).
    /// Removes the broker's data and log, unless MONOLOG_KEEP_TEST_FILES is set (to read them after a failure).
    public func removeFiles() {
        guard ProcessInfo.processInfo.environment["MONOLOG_KEEP_TEST_FILES"] == nil else { return }
        try? FileManager.default.removeItem(atPath: self.workDirectory)
    }
}

public struct BrokerError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { self.message }
}
