import MonologStorage
import MonologWriterProtocol
import NIOCore
import Testing

@Suite struct WriterMessagesTests {
    static let commands: [any WriterCommand] = [
        Hello(clientName: "http-gateway"),
        CreateTopic(name: "orders", partitionCount: 3, configs: ["retention.ms": "1000", "cleanup.policy": "delete"], ifNotExists: true),
        DeleteTopic(name: "orders"),
        CreatePartitions(name: "orders", count: 12),
        AlterTopicConfigs(name: "orders", set: ["retention.ms": "5"], delete: ["cleanup.policy"]),
        AppendRecords(topic: "orders", partition: 2, batches: ByteBuffer(bytes: [1, 2, 3, 4, 5])),
        InitProducerID(),
        InitProducerID(transactionalID: "tx-1", producerID: 7, producerEpoch: 3),
        DeleteRecords(topic: "orders", partition: 1, beforeOffset: 100),
        ApplyRetention(nowMs: 1_700_000_000_000, defaultRetentionMs: 86_400_000, defaultRetentionBytes: -1),
        CommitOffsets(
            group: "g",
            offsets: [
                GroupOffsetCommit(topic: "orders", partition: 0, offset: 42, leaderEpoch: -1, metadata: nil),
                GroupOffsetCommit(topic: "orders", partition: 1, offset: 7, leaderEpoch: 0, metadata: "meta"),
            ]),
        DeleteGroupOffsets(group: "g", partitions: [TopicPartition(topic: "orders", partition: 1)]),
        Subscribe(),
        UpsertScramCredential(
            user: "alice",
            credential: StoredScramCredential(mechanism: "SCRAM-SHA-256", salt: [1, 2], iterations: 8192, storedKey: [3], serverKey: [4, 5])
        ),
        DeleteScramCredential(user: "alice", mechanism: "SCRAM-SHA-512"),
        SetUserToken(user: "alice", tokenSHA256: Array(repeating: 7, count: 32)),
        DeleteUser(user: "alice"),
    ]

    static let replies: [any WireMessage] = [
        Hello.Reply(version: 1),
        CreateTopic.Reply(topicID: 7, partitionCount: 3, created: true),
        Done(),
        CreatePartitions.Reply(count: 12),
        AppendRecords.Reply(baseOffset: 10, lastOffset: 19, logStartOffset: 3, logAppendTimeMs: -1),
        AppendRecords.Reply(baseOffset: 10, lastOffset: 19, logStartOffset: 3, logAppendTimeMs: 1_790_000_000_000),
        InitProducerID.Reply(id: 12, epoch: 1),
        DeleteRecords.Reply(logStartOffset: 4),
        ApplyRetention.Reply(batchesDeleted: 3, batchesRewritten: 2),
        CommitOffsets.Reply(codes: [.none, .unknownTopic]),
        DeleteGroupOffsets.Reply(count: 2),
        UsersChanged(changed: false),
        Watermarks([PartitionWatermark(topic: "orders", partition: 0, highWatermark: 10, logStartOffset: 0)]),
        WriterError(.unknownTopic, "topic 'x' does not exist"),
        WriterError(
            .invalidRecord, "2 records refused", recordErrors: [RecordError(batchIndex: 1, message: "no key"), RecordError(batchIndex: 4, message: "no key")]),
    ]

    /// Frames, unframes and reads back one message: the result equals what was sent.
    static func roundTrip<Message: WireMessage>(_ message: Message, requestID: UInt64) throws -> Bool {
        var buffer = ByteBuffer()
        WriterFrame.write(message, kind: 0x42, requestID: requestID, into: &buffer)
        var decoder = WriterFrameDecoder()
        var frame = try #require(try decoder.decode(buffer: &buffer))
        #expect(buffer.readableBytes == 0)
        let header = try WriterFrame.readHeader(&frame)
        #expect(header.requestID == requestID && header.kind == 0x42)
        return try WriterFrame.readBody(Message.self, from: &frame) == message
    }

    @Test(arguments: commands)
    func commandsRoundTrip(_ command: any WriterCommand) throws {
        #expect(try Self.roundTrip(command, requestID: 42))
    }

    @Test(arguments: replies)
    func repliesRoundTrip(_ reply: any WireMessage) throws {
        #expect(try Self.roundTrip(reply, requestID: .max))
    }

    /// The minimum size each message declares is what its emptiest value takes: counts read off the
    /// wire are bounded by it, so an understated one would let a peer make us reserve too much.
    @Test(arguments: commands)
    func minimumSizeIsTheEmptiestEncoding(_ command: any WriterCommand) {
        func emptiest<Message: WireMessage>(_: Message) -> (Int, Int) {
            var buffer = ByteBuffer()
            Message().write(to: &buffer)
            return (buffer.readableBytes, Message.minimumWireSize)
        }
        let (encoded, declared) = emptiest(command)
        #expect(encoded == declared)
    }

    @Test func aPartialFrameWaitsForMoreBytes() throws {
        var full = ByteBuffer()
        WriterFrame.write(DeleteTopic(name: "t"), kind: DeleteTopic.kind, requestID: 1, into: &full)
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

    @Test func truncatedMessagesAndTrailingBytesThrow() {
        var valid = ByteBuffer()
        WriterFrame.write(CreateTopic(name: "t", partitionCount: 1, ifNotExists: false), kind: CreateTopic.kind, requestID: 1, into: &valid)
        let payload = valid.getSlice(at: 4, length: valid.readableBytes - 4)!
        for length in 0..<payload.readableBytes {
            #expect(throws: WriterProtocolError.self) {
                var frame = payload.getSlice(at: 0, length: length)!
                _ = try WriterFrame.readHeader(&frame)
                _ = try WriterFrame.readBody(CreateTopic.self, from: &frame)
            }
        }
        var trailing = payload
        trailing.writeInteger(UInt8(0))
        #expect(throws: WriterProtocolError.self) {
            _ = try WriterFrame.readHeader(&trailing)
            _ = try WriterFrame.readBody(CreateTopic.self, from: &trailing)
        }
    }
}
