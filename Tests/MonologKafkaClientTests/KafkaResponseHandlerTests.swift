import NIOCore
import NIOEmbedded
import Testing

@testable import MonologKafkaClient

/// The channel handler that pairs answers with requests: by correlation id, whatever the order; and
/// one timeout or bad answer fails every pending request and closes the connection.
@Suite struct KafkaResponseHandlerTests {
    static let address = KafkaBrokerAddress(host: "broker", port: 9092)

    static func channel(timeout: TimeAmount = .seconds(5)) throws -> (EmbeddedChannel, KafkaConnectionClosedFlag) {
        let flag = KafkaConnectionClosedFlag()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(KafkaResponseHandler(address: Self.address, requestTimeout: timeout, closedFlag: flag))
        return (channel, flag)
    }

    /// Sends a request frame with `correlationID`; returns where its answer goes.
    static func send(_ channel: EmbeddedChannel, _ correlationID: Int32) throws -> EventLoopPromise<ByteBuffer> {
        let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
        let frame = ByteBuffer(integer: correlationID)
        try channel.writeOutbound(KafkaOutboundRequest(frame: frame, correlationID: correlationID, responseHeaderVersion: 0, response: promise))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == frame)
        return promise
    }

    /// A response frame (size prefix already removed): header v0, then `body`.
    static func answer(_ correlationID: Int32, _ body: String) -> ByteBuffer {
        var frame = ByteBuffer(integer: correlationID)
        frame.writeString(body)
        return frame
    }

    @Test func answersOutOfOrderReachTheirRequests() async throws {
        let (channel, flag) = try Self.channel()
        let first = try Self.send(channel, 1)
        let second = try Self.send(channel, 2)
        try channel.writeInbound(Self.answer(2, "two"))
        try channel.writeInbound(Self.answer(1, "one"))
        #expect(try await first.futureResult.get() == ByteBuffer(string: "one"))
        #expect(try await second.futureResult.get() == ByteBuffer(string: "two"))
        #expect(!flag.isClosed)
        _ = try channel.finish()
    }

    @Test func aTimeoutFailsEveryPendingRequestAndClosesTheConnection() async throws {
        let (channel, flag) = try Self.channel(timeout: .seconds(5))
        let first = try Self.send(channel, 1)
        channel.embeddedEventLoop.advanceTime(by: .seconds(3))
        let second = try Self.send(channel, 2)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        for pending in [first, second] {
            let error = await #expect(throws: KafkaClientError.self) { try await pending.futureResult.get() }
            #expect(error?.kind == .timeout)
        }
        #expect(flag.isClosed)
        #expect(!channel.isActive)
    }

    @Test func anAnswerToNoRequestIsAProtocolError() async throws {
        let (channel, flag) = try Self.channel()
        let pending = try Self.send(channel, 7)
        try channel.writeInbound(Self.answer(8, "stray"))
        let error = await #expect(throws: KafkaClientError.self) { try await pending.futureResult.get() }
        #expect(error?.kind == .protocolError)
        #expect(flag.isClosed)
    }

    @Test func aClosedConnectionFailsPendingAndLaterRequests() async throws {
        let (channel, flag) = try Self.channel()
        let pending = try Self.send(channel, 1)
        channel.pipeline.fireChannelInactive()
        let error = await #expect(throws: KafkaClientError.self) { try await pending.futureResult.get() }
        #expect(error?.kind == .closed)
        #expect(flag.isClosed)
        let late = channel.eventLoop.makePromise(of: ByteBuffer.self)
        channel.pipeline.write(KafkaOutboundRequest(frame: ByteBuffer(), correlationID: 2, responseHeaderVersion: 0, response: late), promise: nil)
        await #expect(throws: KafkaClientError.self) { try await late.futureResult.get() }
    }
}
