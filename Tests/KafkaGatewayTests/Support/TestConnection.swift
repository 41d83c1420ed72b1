import MonologConfig
import MonologKafkaProtocol
import NIOCore
import NIOEmbedded
import Testing

@testable import KafkaGateway

/// One client connection through the gateway's real pipeline (the listener's frame decoder and
/// connection handler) on an `NIOAsyncTestingChannel`: requests go in as size-prefixed frames encoded
/// with the protocol library, and the response frames that come out are decoded with it.
final class TestConnection {
    let channel: NIOAsyncTestingChannel
    private var correlationID: Int32 = 0

    init(_ gateway: KafkaGatewayContext, maxFrameBytes: Int = 1 << 20) async throws {
        self.channel = try await NIOAsyncTestingChannel { channel in
            try KafkaListenerService.addHandlers(
                to: channel, tls: nil, maxFrameBytes: maxFrameBytes, gateway: gateway, budget: RequestBudget(gateway.settings.kafka))
        }
        // Set before connecting, so the handler sees the peer in channelActive, as on a real socket.
        let peer = try SocketAddress(ipAddress: "127.0.0.1", port: 50_000)
        self.channel.remoteAddress = peer
        try await self.channel.connect(to: peer).get()
    }

    deinit {
        self.channel.close(promise: nil)
    }

    /// Sends a request frame; returns its correlation id.
    @discardableResult
    func send<Request: KafkaRequestMessage>(_ request: Request, version: Int16) async throws -> Int32 {
        try await self.send(apiKey: Request.apiKey, version: version) { try request.encode(into: &$0, version: version) }
    }

    /// Sends a frame with this header and whatever `body` writes after it.
    @discardableResult
    func send(apiKey: Int16, version: Int16, body: (inout ByteBuffer) throws -> Void = { _ in }) async throws -> Int32 {
        self.correlationID += 1
        var header = RequestHeader()
        header.requestApiKey = apiKey
        header.requestApiVersion = version
        header.correlationId = self.correlationID
        header.clientId = "kafka-gateway-tests"
        var frame = ByteBuffer()
        frame.writeInteger(Int32(0))  // size, patched below
        try header.encode(into: &frame, version: KafkaHeaderVersions.requestHeaderVersion(apiKey: apiKey, apiVersion: version))
        try body(&frame)
        frame.setInteger(Int32(frame.readableBytes - 4), at: frame.readerIndex)
        try await self.channel.writeInbound(frame)
        return self.correlationID
    }

    /// The next response frame (size prefix included), or nil when the connection closed instead. A
    /// connection that does neither within 20 s is a failure (and is closed, so the test ends).
    func receiveFrame() async throws -> ByteBuffer? {
        let channel = self.channel
        let watchdog = Task {
            try await Task.sleep(for: .seconds(20))
            Issue.record("the gateway neither answered nor closed the connection within 20 s")
            try await channel.close()
        }
        defer { watchdog.cancel() }
        while true {
            do {
                let frame = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
                if frame.readableBytes > 0 { return frame }  // an empty write precedes a close
            } catch ChannelError.ioOnClosedChannel {
                return nil
            }
        }
    }

    /// Waits for the response to the request with `correlationID` and decodes it at `version`.
    func receive<Response: KafkaResponseMessage>(_: Response.Type, version: Int16, correlationID: Int32) async throws -> Response {
        guard var frame = try await self.receiveFrame() else { throw TestConnectionError.closed }
        #expect(frame.readInteger(as: Int32.self).map(Int.init) == frame.readableBytes, "size prefix")
        let header = try ResponseHeader(
            from: &frame,
            version: KafkaHeaderVersions.responseHeaderVersion(apiKey: Response.apiKey, apiVersion: version)
        )
        #expect(header.correlationId == correlationID)
        let response = try Response(from: &frame, version: version)
        #expect(frame.readableBytes == 0, "bytes left after the response")
        return response
    }

    /// Sends `request` and waits for its response.
    func exchange<Request: KafkaRequestMessage>(_ request: Request, version: Int16) async throws -> Request.Response {
        let correlationID = try await self.send(request, version: version)
        return try await self.receive(Request.Response.self, version: version, correlationID: correlationID)
    }

    /// True once the gateway has closed the connection without writing anything more.
    func isClosedWithoutResponse() async throws -> Bool {
        try await self.receiveFrame() == nil
    }
}

enum TestConnectionError: Error {
    case closed
}
