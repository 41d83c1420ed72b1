import Foundation
import MonologRecords
import MonologStorage

/// The source of a migration: Monolog's own database, opened read-only like any reader (the storage
/// writer keeps serving meanwhile). It yields what a read_committed consumer would see: committed data
/// records only, never markers or records of aborted transactions, and nothing past the last stable
/// offset.
final class MigrationSource {
    struct Topic {
        var id: Int64
        var name: String
        var partitions: Int32
        var configs: [String: String]
    }

    /// Committed records of consecutive source batches that share a compression codec.
    struct Chunk {
        var records: [Record]
        var compression: CompressionCodec
        /// Where the read began: the offset asked for, or the log start when that is above it.
        var start: Int64
        /// Where the next read starts: past these records, and past any marker, aborted record or
        /// compaction gap that followed them below the last stable offset.
        var next: Int64
    }

    struct PartitionEnds {
        var logStart: Int64
        var lastStable: Int64
        var highWatermark: Int64
    }

    private let reader: StorageReader

    init(dataDirectory: String) throws {
        let directory = DataDirectory(path: dataDirectory)
        guard FileManager.default.fileExists(atPath: directory.databasePath) else {
            throw MigrationError("no database at \(directory.databasePath)")
        }
        self.reader = try StorageReader(directory: directory)
    }

    func topics() throws -> [Topic] {
        try self.reader.topics().map { info in
            Topic(id: info.topicID, name: info.name, partitions: info.partitionCount, configs: try self.reader.configs(topicID: info.topicID))
        }
    }

    func ends(of topic: Topic) throws -> [Int32: PartitionEnds] {
        try self.reader.snapshot {
            var ends: [Int32: PartitionEnds] = [:]
            for offsets in try self.reader.partitionOffsets(topicID: topic.id) {
                let stable = try self.reader.lastStableOffset(topicID: topic.id, offsets: offsets)
                ends[offsets.partition] = PartitionEnds(logStart: offsets.logStartOffset, lastStable: stable, highWatermark: offsets.highWatermark)
            }
            return ends
        }
    }

    /// The committed records from `offset` on, up to about `maxBytes` of stored batches, cut where the
    /// compression codec changes (a target batch has one). `next` equals `offset` (or the log start,
    /// when that is above it) when there is nothing more below the last stable offset.
    func read(_ topic: Topic, partition: Int32, from offset: Int64, maxBytes: Int, maxRecords: Int) throws -> Chunk {
        try self.reader.snapshot {
            let offsets =
                try self.reader.partitionOffsets(topicID: topic.id).first { $0.partition == partition }
                ?? PartitionOffsets(partition: partition, logStartOffset: 0, highWatermark: 0)
            let start = max(offset, offsets.logStartOffset)
            let stable = try self.reader.lastStableOffset(topicID: topic.id, offsets: offsets)
            var chunk = Chunk(records: [], compression: .none, start: start, next: start)
            guard start < stable else { return chunk }
            let stored = try self.reader.batches(topicID: topic.id, partition: partition, fromOffset: start, maxBytes: maxBytes, below: stable)
            let aborted = try self.reader.abortedTransactions(topicID: topic.id, partition: partition, from: start, upTo: stable)
            var filter = AbortedRecordFilter(aborted: aborted.map { ($0.producerID, $0.firstOffset) })
            for item in stored {
                let batch = try RecordBatch(validating: item.bytes)
                let keeps = filter.keeps(batch.header)
                let records = keeps ? try batch.records().filter { $0.offset >= start && $0.offset < stable } : []
                if !records.isEmpty {
                    let codec = batch.header.attributes.compression ?? .none
                    if chunk.records.isEmpty {
                        chunk.compression = codec
                    } else if codec != chunk.compression || chunk.records.count + records.count > maxRecords {
                        break
                    }
                    chunk.records += records
                }
                chunk.next = min(stable, batch.header.lastOffset + 1)
            }
            // Nothing stored from `start` to the stable offset (compaction removed it all): the copy
            // has reached the stable offset.
            if stored.isEmpty { chunk.next = stable }
            return chunk
        }
    }

    /// Every group's committed offsets, by group.
    func groupOffsets() throws -> [String: [StorageReader.CommittedOffset]] {
        try self.reader.snapshot {
            var groups: [String: [StorageReader.CommittedOffset]] = [:]
            for group in try self.reader.groupsWithOffsets() { groups[group] = try self.reader.committedOffsets(group: group) }
            return groups
        }
    }
}
