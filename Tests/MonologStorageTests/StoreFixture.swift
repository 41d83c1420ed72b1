import Foundation
import MonologRecords
import MonologStorage
import MonologStorageEngine
import NIOCore

/// A fresh database in a temporary directory, with its writer-side store and a reader.
struct StoreFixture {
    let directory: DataDirectory
    let store: LogStore
    let reader: StorageReader

    init() throws {
        let path = NSTemporaryDirectory() + "monolog-storage-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.directory = DataDirectory(path: path)
        self.store = LogStore(connection: try SQLiteConnection.openForWriting(self.directory))
        self.reader = try StorageReader(directory: self.directory)
    }

    /// A batch as an idempotent producer sends it.
    static func producerBatch(
        _ values: [String],
        producerID: Int64,
        epoch: Int16,
        baseSequence: Int32,
        keys: [String?]? = nil,
        timestamp: Int64 = 1000
    ) -> RecordBatch {
        let records = values.enumerated().map { index, value in
            NewRecord(key: (keys?[index]).flatMap { $0 }.map { Array($0.utf8) }, value: Array(value.utf8), timestamp: timestamp)
        }
        let bytes = RecordBatchBuilder.build(records, producer: ProducerStamp(producerID: producerID, epoch: epoch, baseSequence: baseSequence))
        return try! RecordBatch.split(bytes).first!
    }

    /// A plain batch of keyed records (nil value: a tombstone).
    static func keyed(_ entries: [(key: String, value: String?)], timestamp: Int64 = 1000) -> RecordBatch {
        let records = entries.map { NewRecord(key: Array($0.key.utf8), value: $0.value.map { Array($0.utf8) }, timestamp: timestamp) }
        return try! RecordBatch.split(RecordBatchBuilder.build(records)).first!
    }

    /// Every record of a partition as (offset, key, value).
    func records(_ topic: String, partition: Int32 = 0) throws -> [(offset: Int64, key: String?, value: String?)] {
        let info = try self.reader.topic(named: topic)!
        let offsets = try self.reader.partitionOffsets(topicID: info.topicID).first { $0.partition == partition }!
        return try self.reader.batches(topicID: info.topicID, partition: partition, fromOffset: 0, maxBytes: 1 << 30).flatMap {
            try RecordBatch(validating: $0.bytes).records()
        }
        .filter { $0.offset >= offsets.logStartOffset }
        .map { ($0.offset, $0.key.map { String(buffer: $0) }, $0.value.map { String(buffer: $0) }) }
    }
}
