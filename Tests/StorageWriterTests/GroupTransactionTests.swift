import Foundation
import MonologRecords
import MonologStorage
import MonologWriterProtocol
@testable import StorageWriter
import Testing

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

    func append(_ value: String, topic: String = "t") throws -> WriteCommand {
        let bytes = RecordBatchBuilder.build([NewRecord(key: nil, value: Array(value.utf8), timestamp: 1)])
        return .append(topic: topic, partition: 0, batches: try RecordBatch.split(bytes))
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
        WriteCommand.createTopic(name: "t", partitionCount: 1, configs: [:], ifNotExists: false),
        .deleteTopic(name: "missing"),
        .deleteRecords(topic: "t", partition: 0, beforeOffset: 99),
        .initProducerID(transactionalID: nil, producerID: 987_654_321, producerEpoch: 0),
    ])
    func aRefusedRequestKeepsTheHighWatermarkOfEarlierAppends(refused: WriteCommand) throws {
        try self.transaction.begin()
        _ = try self.transaction.apply(.createTopic(name: "t", partitionCount: 1, configs: [:], ifNotExists: false))
        _ = try self.transaction.commit(failure: nil)

        try self.transaction.begin()
        guard case .appended = try self.transaction.apply(try self.append("a")).response else { Issue.record("append refused"); return }
        guard case .error = try self.transaction.apply(refused).response else { Issue.record("\(refused) accepted"); return }
        _ = try self.transaction.commit(failure: nil)
        #expect(try self.highWatermark() == 1)
    }
}
