import MonologKafkaProtocol
import MonologRecords
import NIOCore
import Testing

/// Decoding a Produce request does not copy record bytes: the batches stay slices of the incoming buffer.
@Suite struct ZeroCopyTests {
    @Test(arguments: [Int16(3), 8, 9, 11])
    func produceRecordsAreSlicesOfTheRequestBuffer(_ version: Int16) throws {
        let batch = RecordBatchBuilder.build([NewRecord(key: nil, value: Array(repeating: 7, count: 4096), timestamp: 1)])
        var partition = ProduceRequest.PartitionProduceData()
        partition.records = batch
        var topic = ProduceRequest.TopicProduceData()
        topic.name = "t"
        topic.partitionData = [partition]
        var request = ProduceRequest()
        request.acks = -1
        request.topicData = [topic]
        var wire = ByteBuffer()
        try request.encode(into: &wire, version: version)

        var reader = wire
        let decoded = try ProduceRequest(from: &reader, version: version)
        let records = try #require(decoded.topicData.first?.partitionData.first?.records)
        #expect(records == batch)
        let wireStart = wire.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        let wireEnd = wireStart + UInt(wire.readableBytes)
        let recordsStart = records.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(recordsStart > wireStart && recordsStart < wireEnd, "the records were copied out of the request")
    }
}
