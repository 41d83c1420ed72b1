import Foundation
import MonologRecords
import MonologStorage
import MonologStorageEngine
import MonologWriterProtocol
import Testing

@testable import StorageWriter

/// One group's transaction against a real database: what a request that is refused (and rolled back
/// to its savepoint) leaves of the requests before it in the same group.
@Suite struct GroupTransactionTests {
    let directory: DataDirectory
    let transaction: GroupTransaction

    init() throws {
        let path = NSTemporaryDirectory() + "monolog-transaction-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.directory = DataDirectory(path: path)
        self.transaction = GroupTransaction(connection: try SQLiteConnection.openForWriting(self.directory))
    }

    func append(_ value: String, topic: String = "t") -> AppendRecords {
        let bytes = RecordBatchBuilder.build([NewRecord(key: nil, value: Array(value.utf8), timestamp: 1)])
        return AppendRecords(topic: topic, partition: 0, batches: bytes)
    }

    func highWatermark(_ topic: String = "t") throws -> Int64? {
        let reader = try StorageReader(directory: self.directory)
        let info = try #require(try reader.topic(named: topic))
        return try reader.partitionOffsets(topicID: info.topicID).first?.highWatermark
    }

    /// Every request but an append writes the appends' pending high watermarks first (it may read
    /// them). When that request is then refused and rolled back to its savepoint, the watermarks must
    /// still be written at COMMIT: an acknowledged append is readable at once.
    @Test(arguments: [
        CreateTopic(name: "t", partitionCount: 1, ifNotExists: false) as any StorageCommand,
        DeleteTopic(name: "missing"),
        DeleteRecords(topic: "t", partition: 0, beforeOffset: 99),
        InitProducerID(producerID: 987_654_321, producerEpoch: 0),
    ])
    func aRefusedRequestKeepsTheHighWatermarkOfEarlierAppends(refused: any StorageCommand) throws {
        try self.transaction.begin()
        _ = try self.transaction.apply(CreateTopic(name: "t", partitionCount: 1, ifNotExists: false))
        _ = try self.transaction.commit(failure: nil)

        try self.transaction.begin()
        #expect(try self.transaction.apply(self.append("a")).answer.appended != nil, "append refused")
        #expect(try self.transaction.apply(refused).answer.refusal != nil, "\(refused) accepted")
        _ = try self.transaction.commit(failure: nil)
        #expect(try self.highWatermark() == 1)
    }
}
