import Foundation

/// `StorageBenchmarks --writer-binary PATH [--runs 3] [--seconds 10] [--clients 10] [--messages 10000000]`
///
/// Prints markdown rows for docs/benchmarks.md: the machine's fdatasync and SQLite baselines, the group
/// commit scenario as a ratio to them (medians of `--runs`), and the fetch cost at three depths.
@main
struct StorageBenchmarksMain {
    static func main() async throws {
        let options = Options(CommandLine.arguments.dropFirst())
        let work = NSTemporaryDirectory() + "monolog-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let duration = Duration.seconds(options.seconds)

        var fsyncRates: [Double] = []
        var sqliteRates: [Double] = []
        var groupRates: [Double] = []
        var latencies: [[Double]] = []
        for run in 1...options.runs {
            log("run \(run)/\(options.runs): fdatasync baseline")
            fsyncRates.append(Baselines.fdatasyncPerWrite(directory: work, duration: .seconds(3)))
            log("run \(run)/\(options.runs): SQLite baseline")
            sqliteRates.append(Baselines.sqliteCommitsPerSecond(directory: work, duration: .seconds(3)))
            log("run \(run)/\(options.runs): \(options.clients) clients against the storage writer for \(options.seconds) s")
            let writer = try WriterUnderTest(binary: options.writerBinary, directory: work + "/writer-\(run)")
            let result = try await GroupCommitScenario.run(
                socketPath: writer.socketPath,
                clients: options.clients,
                partitions: options.partitions,
                duration: duration
            )
            writer.stop()
            groupRates.append(result.messagesPerSecond)
            latencies.append(result.latenciesMs)
        }
        let fsync = median(fsyncRates)
        let sqlite = median(sqliteRates)
        let group = median(groupRates)
        let middle = latencies[groupRates.firstIndex(of: group) ?? 0]
        print("| scenario | median | vs fdatasync per write | vs SQLite 1-row commits |")
        print("| --- | ---: | ---: | ---: |")
        print("| 4 KiB append + fdatasync, one thread (baseline) | \(Int(fsync))/s | 1.00× | |")
        print("| SQLite WAL synchronous=FULL, one row per commit (baseline) | \(Int(sqlite))/s | \(String(format: "%.2f", sqlite / fsync))× | 1.00× |")
        print(
            "| \(options.clients) clients × 512 B append to \(options.partitions) partition(s), each waiting for its ack | \(Int(group)) msg/s "
                + "(p50 \(String(format: "%.2f", percentile(middle, 0.5))) ms, p99 \(String(format: "%.2f", percentile(middle, 0.99))) ms) "
                + "| **\(String(format: "%.1f", group / fsync))×** | \(String(format: "%.1f", group / sqlite))× |"
        )

        if options.messages > 0 {
            log("building a partition of \(options.messages) messages")
            let costs = try FetchCostScenario.run(directory: work + "/deep", messages: options.messages, fetchesPerPoint: 500)
            print("")
            print("| fetch of 1 MiB starting at offset | median |")
            print("| ---: | ---: |")
            for cost in costs { print("| \(cost.offset) | \(String(format: "%.0f", cost.medianMicroseconds)) µs |") }
        }
    }

    static func log(_ message: String) {
        FileHandle.standardError.write(Data("[bench] \(message)\n".utf8))
    }
}

struct Options {
    var writerBinary = ""
    var runs = 3
    var seconds: Int64 = 10
    var clients = 10
    var partitions: Int32 = 1
    var messages = 10_000_000

    init(_ arguments: ArraySlice<String>) {
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--writer-binary": self.writerBinary = value
            case "--runs": self.runs = Int(value) ?? self.runs
            case "--seconds": self.seconds = Int64(value) ?? self.seconds
            case "--clients": self.clients = Int(value) ?? self.clients
            case "--partitions": self.partitions = Int32(value) ?? self.partitions
            case "--messages": self.messages = Int(value) ?? self.messages
            default:
                FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8))
                exit(2)
            }
        }
        guard !self.writerBinary.isEmpty else {
            FileHandle.standardError.write(Data("usage: StorageBenchmarks --writer-binary PATH [--runs N] [--seconds S] [--clients N] [--partitions N] [--messages N]\n".utf8))
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
