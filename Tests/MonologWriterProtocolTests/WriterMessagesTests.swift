import MonologWriterProtocol
import NIOCore
import Testing

@Suite struct WriterMessagesTests {
    static let requests: [WriterRequest] = [
        .hello(version: 1, clientName: "http-gateway"),
        .createTopic(name: "orders", partitionCount: 3, configs: ["retention.ms": "1000", "cleanup.policy": "delete"], ifNotExists: true),
        .deleteTopic(name: "orders"),
        .createPartitions(name: "orders", count: 12),
        .alterTopicConfigs(name: "orders", set: ["retention.ms": "5"], delete: ["cleanup.policy"]),
        .append(topic: "orders", partition: 2, batches: ByteBuffer(bytes: [1, 2, 3, 4, 5])),
        .initProducerID(transactionalID: nil, producerID: -1, producerEpoch: -1),
        .initProducerID(transactionalID: "tx-1", producerID: 7, producerEpoch: 3),
        .deleteRecords(topic: "orders", partition: 1, beforeOffset: 100),
        .applyRetention(nowMs: 1_700_000_000_000, defaultRetentionMs: 86_400_000, defaultRetentionBytes: -1),
        .commitOffsets(group: "g", offsets: [
            GroupOffsetCommit(topic: "orders", partition: 0, offset: 42, leaderEpoch: -1, metadata: nil),
            GroupOffsetCommit(topic: "orders", partition: 1, offset: 7, leaderEpoch: 0, metadata: "meta"),
        ]),
        .deleteGroupOffsets(group: "g", partitions: [TopicPartition(topic: "orders", partition: 1)]),
        .subscribe,
    ]

    static let responses: [WriterResponse] = [
        .hello(version: 1),
        .topicCreated(topicID: 7, partitionCount: 3, created: true),
        .topicDeleted,
        .partitionsCreated(count: 12),
        .configsAltered,
        .appended(baseOffset: 10, lastOffset: 19, logStartOffset: 3, logAppendTimeMs: -1),
        .appended(baseOffset: 10, lastOffset: 19, logStartOffset: 3, logAppendTimeMs: 1_790_000_000_000),
        .producerID(id: 12, epoch: 1),
        .recordsDeleted(logStartOffset: 4),
        .retentionApplied(batchesDeleted: 3, batchesRewritten: 2),
        .offsetsCommitted([.none, .unknownTopic]),
        .groupOffsetsDeleted(count: 2),
        .subscribed,
        .watermarks([PartitionWatermark(topic: "orders", partition: 0, highWatermark: 10, logStartOffset: 0)]),
        .error(.unknownTopic, message: "topic 'x' does not exist"),
    ]

    /// Encodes, frames, unframes and decodes: the result is the message sent.
    @Test(arguments: requests)
    func requestsRoundTrip(_ request: WriterRequest) throws {
        var buffer = ByteBuffer()
        WriterEnvelope(requestID: 42, message: request).encode(into: &buffer)
        var decoder = WriterFrameDecoder()
        let frame = try #require(try decoder.decode(buffer: &buffer))
        #expect(buffer.readableBytes == 0)
        #expect(try WriterEnvelope<WriterRequest>.decode(frame) == WriterEnvelope(requestID: 42, message: request))
    }

    @Test(arguments: responses)
    func responsesRoundTrip(_ response: WriterResponse) throws {
        var buffer = ByteBuffer()
        WriterEnvelope(requestID: .max, message: response).encode(into: &buffer)
        var decoder = WriterFrameDecoder()
        let frame = try #require(try decoder.decode(buffer: &buffer))
        #expect(try WriterEnvelope<WriterResponse>.decode(frame) == WriterEnvelope(requestID: .max, message: response))
    }

    @Test func aPartialFrameWaitsForMoreBytes() throws {
        var full = ByteBuffer()
        WriterEnvelope(requestID: 1, message: WriterRequest.deleteTopic(name: "t")).encode(into: &full)
        var partial = full.getSlice(at: 0, length: full.readableBytes - 1)!
        var decoder = WriterFrameDecoder()
        #expect(try decoder.decode(buffer: &partial) == nil)
        #expect(partial.readerIndex == 0)
    }

    @Test func anOversizedFrameIsRefusedBeforeBuffering() {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(1 << 30))
        var decoder = WriterFrameDecoder(maxFrameBytes: 1024)
        #expect(throws: WriterProtocolError.self) { try decoder.decode(buffer: &buffer) }
    }

    @Test func truncatedAndUnknownMessagesThrow() {
        var valid = ByteBuffer()
        WriterEnvelope(requestID: 1, message: WriterRequest.createTopic(name: "t", partitionCount: 1, configs: [:], ifNotExists: false))
            .encode(into: &valid)
        let payload = valid.getSlice(at: 4, length: valid.readableBytes - 4)!
        for length in 0..<payload.readableBytes {
            #expect(throws: WriterProtocolError.self) { try WriterEnvelope<WriterRequest>.decode(payload.getSlice(at: 0, length: length)!) }
        }
        var unknown = ByteBuffer()
        unknown.writeInteger(UInt64(1))
        unknown.writeInteger(UInt8(0x77))
        #expect(throws: WriterProtocolError.self) { try WriterEnvelope<WriterRequest>.decode(unknown) }
    }
}
