import Foundation
import Testing

@testable import Supervisor

/// The source-to-target offset map of `migrate`: how a consumer group's position translates, across
/// the gaps that markers, aborted records and compaction leave in the source, and how the map survives
/// a restart in its state file.
@Suite struct OffsetMapTests {
    /// Source records 10...12, a marker at 13, records 14 and 16 (15 compacted away), copied to 0...4.
    static func sample() -> OffsetMap {
        var map = OffsetMap()
        map.append(OffsetMap.runs(sourceOffsets: [10, 11, 12], targetFirst: 0), sourceNext: 14)
        map.append(OffsetMap.runs(sourceOffsets: [14, 16], targetFirst: 3), sourceNext: 17)
        return map
    }

    @Test func consecutiveOffsetsMakeOneRunAndGapsStartAnother() {
        #expect(
            OffsetMap.runs(sourceOffsets: [5, 6, 7, 9], targetFirst: 100) == [
                .init(sourceFirst: 5, targetFirst: 100, count: 3), .init(sourceFirst: 9, targetFirst: 103, count: 1),
            ])
        #expect(Self.sample().runs.count == 3)  // 10-12 and 14 join across batches only when both sides are consecutive
    }

    @Test func aPositionTranslatesToTheFirstCopiedRecordAtOrAfterIt() {
        let map = Self.sample()
        #expect(map.translate(0) == 0)  // below the log start: from the first record
        #expect(map.translate(10) == 0)
        #expect(map.translate(12) == 2)
        #expect(map.translate(13) == 3)  // on the marker: the next record, 14
        #expect(map.translate(15) == 4)  // a compacted offset: the next record, 16
        #expect(map.translate(16) == 4)
        #expect(map.translate(17) == 5)  // everything read: the target's end
        #expect(map.translate(18) == nil)  // the copy has not got there yet
    }

    @Test func theStateFileGivesBackTheMapsAndIgnoresATornLastLine() throws {
        let path = NSTemporaryDirectory() + "offset-map-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let key = MigrationState.PartitionKey(topic: "orders", partition: 2)
        do {
            let state = try MigrationState(path: path)
            #expect(!state.knows(key))
            try state.record(key, runs: [], sourceNext: 0)
            try state.record(key, runs: OffsetMap.runs(sourceOffsets: [10, 11, 12], targetFirst: 0), sourceNext: 14)
            try state.record(key, runs: OffsetMap.runs(sourceOffsets: [14, 16], targetFirst: 3), sourceNext: 17)
        }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"topic":"orders","partition":2,"runs":[[17,5,"#.utf8))
        try handle.close()
        do {
            let reopened = try MigrationState(path: path)
            #expect(reopened.knows(key))
            #expect(reopened.map(key) == Self.sample())
            // The torn line is cut off, so what is recorded next survives the next restart.
            try reopened.record(key, runs: OffsetMap.runs(sourceOffsets: [17], targetFirst: 5), sourceNext: 18)
        }
        #expect(try MigrationState(path: path).map(key).translate(18) == 6)
    }

    @Test func aStateFileServesOneRunAtATimeAndADamagedLineStopsIt() throws {
        let path = NSTemporaryDirectory() + "offset-map-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let key = MigrationState.PartitionKey(topic: "orders", partition: 0)
        do {
            let first = try MigrationState(path: path)
            try first.record(key, runs: OffsetMap.runs(sourceOffsets: [0, 1], targetFirst: 0), sourceNext: 2)
            #expect(throws: MigrationError.self) { try MigrationState(path: path) }
            try first.record(key, runs: OffsetMap.runs(sourceOffsets: [2], targetFirst: 2), sourceNext: 3)
        }
        #expect(try MigrationState(path: path).map(key).targetNext == 3)  // free again once the first is gone
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[0] = "{damaged"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        #expect(throws: MigrationError.self) { try MigrationState(path: path) }
    }
}
