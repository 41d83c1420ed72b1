import MonologRecords
import MonologWriterProtocol
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import MonologWriterClient

/// The writer client's channel handler on a test channel: answers go to their requests by id, the
/// requests still unanswered when the connection drops are reported in the order they were sent, and a
/// write that fails is not among them (it never left).
@Suite struct WriterClientHandlerTests {
    final class Reported: Sendable {
        let lost = Mutex<[[String]]>([])
    }

    /// Fails every write that reaches it, as a socket that closed under them would.
    final class FailingWrites: ChannelOutboundHandler, Sendable {
        typealias OutboundIn = ByteBuffer
        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    static func channel(_ reported: Reported, failingWrites: Bool = false) async throws -> NIOAsyncTestingChannel {
        try await NIOAsyncTestingChannel { channel in
            if failingWrites { try channel.pipeline.syncOperations.addHandler(FailingWrites()) }
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(WriterFrameDecoder()))
            try channel.pipeline.syncOperations.addHandler(
                WriterClientHandler(
                    connection: WriterConnection(channel: channel), onNotification: nil,
                    onLost: { lost in reported.lost.withLock { $0.append(lost.map { ($0.command as? CreateTopic)?.name ?? "?" }) } }
                )
            )
        }
    }

    static func request(_ name: String, on channel: NIOAsyncTestingChannel) -> OutboundWriterRequest {
        OutboundWriterRequest(command: CreateTopic(name: name, partitionCount: 1, ifNotExists: false), promise: channel.eventLoop.makePromise())
    }

    @Test func unansweredRequestsAreReportedInTheOrderTheyWereSentWhenTheConnectionDrops() async throws {
        let reported = Reported()
        let channel = try await Self.channel(reported)
        let requests = ["a", "b", "c"].map { Self.request($0, on: channel) }
        for request in requests { try await channel.writeOutbound(request) }
        // The writer answers the second (request ids are given from 1, in the order of the writes).
        var answer = ByteBuffer()
        WriterFrame.write(CreateTopic.Reply(), kind: CreateTopic.replyKind, requestID: 2, into: &answer)
        try await channel.writeInbound(answer)
        #expect(try await requests[1].promise.futureResult.get().kind == CreateTopic.replyKind)
        _ = try await channel.close()
        #expect(reported.lost.withLock { $0 } == [["a", "c"]])
        for request in [requests[0], requests[2]] { request.promise.fail(ChannelError.ioOnClosedChannel) }
    }

    @Test func aWriteThatFailsNeverLeftAndIsNotReportedAsInFlight() async throws {
        let reported = Reported()
        let channel = try await Self.channel(reported, failingWrites: true)
        let request = Self.request("never-sent", on: channel)
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.write(request, promise: written)
        await #expect(throws: ChannelError.self) { try await written.futureResult.get() }
        _ = try await channel.close()
        #expect(reported.lost.withLock { $0 } == [[]])
        request.promise.fail(ChannelError.ioOnClosedChannel)
    }

    @Test func onlyAppendsWhoseEveryBatchCarriesAProducerIDAreSafeToSendAgain() {
        let record = NewRecord(key: nil, value: Array("v".utf8), timestamp: 1)
        let idempotent = RecordBatchBuilder.build([record], producer: ProducerStamp(producerID: 7, epoch: 0, baseSequence: 0))
        let plain = RecordBatchBuilder.build([record])
        #expect(AppendRecords(topic: "t", partition: 0, batches: idempotent).isSafeToResend)
        #expect(!AppendRecords(topic: "t", partition: 0, batches: plain).isSafeToResend)
        var mixed = idempotent
        var plainCopy = plain
        mixed.writeBuffer(&plainCopy)
        #expect(!AppendRecords(topic: "t", partition: 0, batches: mixed).isSafeToResend)
        #expect(!AppendRecords(topic: "t", partition: 0, batches: ByteBuffer()).isSafeToResend)
    }
}
