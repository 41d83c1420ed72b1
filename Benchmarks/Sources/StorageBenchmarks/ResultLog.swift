import Foundation

/// The raw results of a run, one JSON object per line, for `scripts/bench-storage-report.py` to turn
/// into the tables of docs/benchmarks.md: every figure there can be recomputed from these lines.
final class ResultLog {
    private let handle: FileHandle

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    deinit { try? self.handle.close() }

    /// Appends one result line; `fields` must be JSON-serialisable.
    func record(_ mode: String, _ fields: [String: Any]) {
        var line = fields
        line["mode"] = mode
        // Sorted keys keep the file diffable from run to run.
        guard let data = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) else {
            preconditionFailure("result line for \(mode) is not JSON: \(fields)")
        }
        self.handle.write(data + Data("\n".utf8))
    }

    /// Latencies counted in 10 µs buckets, keyed by the bucket's upper bound in µs: small enough to keep
    /// every window's distribution, exact enough to recompute its percentiles to 10 µs.
    static func latencyHistogram(milliseconds: [Double]) -> [String: Int] {
        var buckets: [Int: Int] = [:]
        for latency in milliseconds {
            buckets[Int((latency * 100).rounded(.up)) * 10, default: 0] += 1
        }
        return Dictionary(uniqueKeysWithValues: buckets.map { (String($0.key), $0.value) })
    }
}
