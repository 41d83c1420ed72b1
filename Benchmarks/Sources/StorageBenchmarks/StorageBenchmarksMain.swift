import Foundation
import Logging
import MonologWriterClient
import MonologWriterProtocol

/// `StorageBenchmarks --writer-binary PATH --results PATH [--windows 12] [--seconds 1] [--clients 10] [--messages 10000000]`
///
/// Writes its results as JSON lines to `--results` (see `ResultLog`); `scripts/bench-storage.sh` keeps
/// them in docs/results/ and `scripts/bench-storage-report.py` makes the tables of docs/benchmarks.md
/// from them: the group commit scenario with three kinds of client, each as a ratio to the rate of one
/// fdatasync per write, then the fetch cost at three depths.
///
/// The disk of a shared machine drifts, and dips for half a second at a time, so the baseline and the
/// scenario are measured in alternating windows (0.5 s of fdatasync, then `--seconds` of the scenario,
/// `--windows` times, against one writer warmed up for a second first), and each is the median of its
/// windows: a dip in either lands in one window and does not move the median.
@main
struct StorageBenchmarksMain {
    static func main() async throws {
        let options = Options(CommandLine.arguments.dropFirst())
        let results = try ResultLog(path: options.resultsPath)
        let work = NSTemporaryDirectory() + "monolog-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let window = Duration.seconds(options.seconds)

        log("SQLite baseline")
        for _ in 0..<4 {
            let rate = Baselines.sqliteCommitsPerSecond(directory: work, duration: .milliseconds(500))
            results.record("sqlite_commits", ["seconds": 0.5, "rate": rate])
        }
        for kind in ClientKind.allCases {
            log("\(options.clients) clients, \(kind.label): \(options.windows) windows of \(options.seconds) s")
            let writer = try WriterUnderTest(binary: options.writerBinary, directory: work + "/writer-\(kind)")
            let admin = WriterClient(socketPath: writer.socketPath, clientName: "bench-admin", logger: Logger(label: "bench"))
            _ = try await admin.send(CreateTopic(name: "bench", partitionCount: options.partitions, ifNotExists: false))
            admin.shutdown()
            _ = try await kind.run(socketPath: writer.socketPath, clients: options.clients, partitions: options.partitions, duration: .seconds(1))
            for index in 0..<options.windows {
                let fsync = Baselines.fdatasyncPerWrite(directory: work, duration: .milliseconds(500))
                results.record("fdatasync_window", ["kind": kind.description, "window": index, "seconds": 0.5, "rate": fsync])
                let result = try await kind.run(socketPath: writer.socketPath, clients: options.clients, partitions: options.partitions, duration: window)
                results.record(
                    "group_commit",
                    [
                        "kind": kind.description, "label": kind.label, "window": index, "seconds": Double(options.seconds),
                        "clients": options.clients, "partitions": Int(options.partitions), "message_bytes": 512,
                        "messages": result.latenciesMs.count, "rate": result.messagesPerSecond,
                        "latency_us_histogram": ResultLog.latencyHistogram(milliseconds: result.latenciesMs),
                    ]
                )
            }
            writer.stop()
        }

        if options.messages > 0 {
            log("building a partition of \(options.messages) messages")
            let costs = try FetchCostScenario.run(directory: work + "/deep", messages: options.messages, fetchesPerPoint: 500)
            for cost in costs {
                results.record(
                    "fetch_cost",
                    ["messages": options.messages, "offset": cost.offset, "fetches": 500, "fetch_bytes": 1 << 20, "median_us": cost.medianMicroseconds]
                )
            }
        }
    }

    static func log(_ message: String) {
        FileHandle.standardError.write(Data("[bench] \(message)\n".utf8))
    }

}

struct ScenarioResult {
    var messagesPerSecond: Double
    var latenciesMs: [Double]
}

/// How the clients reach the writer. The writer's real clients are the gateways, each with one
/// connection that carries every producer's appends, so one shared connection is the production shape.
enum ClientKind: CaseIterable, Hashable, CustomStringConvertible {
    /// The lean load generator, every client on one connection (as producers behind a gateway).
    case sharedConnection
    /// The lean load generator, a connection per client.
    case connectionEach
    /// The gateways' own `WriterClient` library on NIO, a connection per client.
    case writerClientLibrary

    var label: String {
        switch self {
        case .sharedConnection: "one shared connection (as behind a gateway)"
        case .connectionEach: "a connection each"
        case .writerClientLibrary: "a connection each, through the WriterClient library on NIO"
        }
    }

    var description: String {
        switch self {
        case .sharedConnection: "shared"
        case .connectionEach: "each"
        case .writerClientLibrary: "library"
        }
    }

    /// Runs the scenario against a writer where the topic `bench` exists.
    func run(socketPath: String, clients: Int, partitions: Int32, duration: Duration) async throws -> ScenarioResult {
        switch self {
        case .sharedConnection, .connectionEach:
            let connections = self == .sharedConnection ? 1 : clients
            return try PollingAppendClients.run(
                socketPath: socketPath,
                clients: clients,
                connections: connections,
                partitions: partitions,
                duration: duration
            )
        case .writerClientLibrary:
            return try await GroupCommitScenario.run(socketPath: socketPath, clients: clients, partitions: partitions, duration: duration)
        }
    }
}

struct Options {
    var writerBinary = ""
    var resultsPath = ""
    var windows = 12
    var seconds: Int64 = 1
    var clients = 10
    var partitions: Int32 = 1
    var messages = 10_000_000

    init(_ arguments: ArraySlice<String>) {
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--writer-binary": self.writerBinary = value
            case "--results": self.resultsPath = value
            case "--windows": self.windows = Int(value) ?? self.windows
            case "--seconds": self.seconds = Int64(value) ?? self.seconds
            case "--clients": self.clients = Int(value) ?? self.clients
            case "--partitions": self.partitions = Int32(value) ?? self.partitions
            case "--messages": self.messages = Int(value) ?? self.messages
            default:
                FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8))
                exit(2)
            }
        }
        guard !self.writerBinary.isEmpty, !self.resultsPath.isEmpty else {
            FileHandle.standardError.write(
                Data(
                    "usage: StorageBenchmarks --writer-binary PATH --results PATH [--windows N] [--seconds S] [--clients N] [--partitions N] [--messages N]\n"
                        .utf8))
            exit(2)
        }
    }
}

/// A storage writer process on a fresh data directory.
final class WriterUnderTest {
    let process = Process()
    let socketPath: String

    init(binary: String, directory: String) throws {
        self.socketPath = directory + "/writer.sock"
        self.process.executableURL = URL(fileURLWithPath: binary)
        self.process.arguments = ["--data-dir", directory, "--log-level", "info"]
        try self.process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: self.socketPath) && ContinuousClock.now < deadline {
            usleep(10_000)
        }
        usleep(50_000)
    }

    func stop() {
        self.process.terminate()
        self.process.waitUntilExit()
    }
}
