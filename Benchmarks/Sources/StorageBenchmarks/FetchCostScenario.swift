import Foundation
import MonologProcess
import MonologRecords
import MonologStorage
import MonologStorageEngine
import NIOCore

/// A fetch must cost the same at offset 10 million as at offset 0: the (topic, partition, last_offset)
/// index finds the first batch directly. Builds a partition of `messages` records (1,000 per batch),
/// then times 1 MiB fetches at the start, middle and end.
enum FetchCostScenario {
    static func run(directory: String, messages: Int, fetchesPerPoint: Int) throws -> [(offset: Int64, medianMicroseconds: Double)] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let data = DataDirectory(path: directory)
        let writer = try SQLiteConnection.openForWriting(data)
        let store = LogStore(connection: writer)
        _ = try store.createTopic(name: "deep", partitionCount: 1, configs: [:], ifNotExists: true, nowMs: 1)
        let template = try RecordBatch.split(
            RecordBatchBuilder.build((0..<1000).map { NewRecord(key: nil, value: Array("message \($0)".utf8), timestamp: 1) })
        )[0]
        let batches = messages / 1000
        var appended = 0
        while appended < batches {
            try writer.execute("BEGIN")
            for _ in 0..<min(1000, batches - appended) {
                _ = try store.append(topic: "deep", partition: 0, batches: [template])
                appended += 1
            }
            try writer.execute("COMMIT")
        }
        let reader = try StorageReader(directory: data)
        let topic = try reader.topic(named: "deep")!
        let end = Int64(messages)
        var results: [(Int64, Double)] = []
        // Each point has well over 1 MiB after it, so every fetch returns a full 1 MiB.
        for offset in [Int64(0), end / 2, max(0, end - 200_000)] {
            var timings: [Double] = []
            for _ in 0..<fetchesPerPoint {
                let start = ContinuousClock.now
                let fetched = try reader.batches(topicID: topic.topicID, partition: 0, fromOffset: offset, maxBytes: 1 << 20)
                precondition(fetched.first.map { $0.baseOffset <= offset && $0.lastOffset >= offset } ?? false)
                timings.append((ContinuousClock.now - start).inSeconds * 1e6)
            }
            results.append((offset, median(timings)))
        }
        return results
    }
}
