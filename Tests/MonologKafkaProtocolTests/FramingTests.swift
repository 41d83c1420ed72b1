import MonologKafkaProtocol
import NIOCore
import NIOTestUtils
import Testing

@Suite struct FramingTests {
    @Test func headerVersionsFollowKafkasRules() {
        #expect(KafkaHeaderVersions.requestHeaderVersion(apiKey: 0, apiVersion: 8) == 1)  // Produce v8: classic
        #expect(KafkaHeaderVersions.requestHeaderVersion(apiKey: 0, apiVersion: 9) == 2)  // Produce v9: flexible
        #expect(KafkaHeaderVersions.responseHeaderVersion(apiKey: 0, apiVersion: 9) == 1)
        #expect(KafkaHeaderVersions.responseHeaderVersion(apiKey: 0, apiVersion: 8) == 0)
        // ApiVersions: flexible from v3, but its response header is always v0.
        #expect(KafkaHeaderVersions.requestHeaderVersion(apiKey: 18, apiVersion: 3) == 2)
        #expect(KafkaHeaderVersions.responseHeaderVersion(apiKey: 18, apiVersion: 4) == 0)
        // An ApiVersions version from the future still has a readable v2 header.
        #expect(KafkaHeaderVersions.requestHeaderVersion(apiKey: 18, apiVersion: 77) == 2)
        #expect(KafkaHeaderVersions.requestHeaderVersion(apiKey: 7, apiVersion: 0) == 0)
        // Unknown API keys parse with header v1, enough to read the correlation id.
        #expect(KafkaHeaderVersions.requestHeaderVersion(apiKey: 999, apiVersion: 0) == 1)
    }

    @Test func aRequestFrameSplitsIntoHeaderAndBody() throws {
        var request = ApiVersionsRequest()
        request.clientSoftwareName = "test"
        request.clientSoftwareVersion = "1"
        var header = RequestHeader()
        header.requestApiKey = 18
        header.requestApiVersion = 3
        header.correlationId = 42
        header.clientId = "client"
        var frame = ByteBuffer()
        try header.encode(into: &frame, version: 2)
        try request.encode(into: &frame, version: 3)

        let parsed = try KafkaRequestFrame(frame)
        #expect(parsed.apiKey == 18 && parsed.apiVersion == 3 && parsed.correlationID == 42)
        #expect(parsed.header.clientId == "client")
        var body = parsed.body
        #expect(try ApiVersionsRequest(from: &body, version: 3) == request)
    }

    @Test func encodedRequestFramesReadBackWithTheirHeader() throws {
        var request = MetadataRequest()
        request.topics = nil  // every topic
        var buffer = ByteBuffer()
        try KafkaRequestFrame.encode(request, version: 12, correlationID: 9, clientID: "probe", into: &buffer)
        #expect(buffer.readInteger(as: Int32.self) == Int32(buffer.readableBytes))
        let parsed = try KafkaRequestFrame(buffer)
        #expect(parsed.apiKey == MetadataRequest.apiKey && parsed.apiVersion == 12 && parsed.correlationID == 9)
        #expect(parsed.header.clientId == "probe")
        var body = parsed.body
        #expect(try MetadataRequest(from: &body, version: 12) == request)
    }

    @Test func responseFramesCarryTheRightHeader() throws {
        var response = ApiVersionsResponse()
        var api = ApiVersionsResponse.ApiVersion()
        api.apiKey = 18
        api.maxVersion = 4
        response.apiKeys = [api]
        var buffer = ByteBuffer()
        try KafkaResponseFrame.encode(response, version: 3, correlationID: 7, into: &buffer)
        #expect(buffer.readInteger(as: Int32.self) == Int32(buffer.readableBytes))
        #expect(buffer.readInteger(as: Int32.self) == 7)  // header v0: no tagged fields follow
        #expect(buffer.readInteger(as: Int16.self) == 0)  // error code
    }

    @Test func theFrameDecoderCutsFramesWhateverTheChunking() throws {
        var first = ByteBuffer()
        first.writeInteger(Int32(3))
        first.writeBytes([1, 2, 3])
        var second = ByteBuffer()
        second.writeInteger(Int32(0))
        var input = first
        input.writeBuffer(&second)
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(input, [ByteBuffer(bytes: [1, 2, 3]), ByteBuffer()])],
            decoderFactory: { KafkaFrameDecoder(maxFrameBytes: 1024) }
        )
    }

    @Test func theFrameDecoderReportsTheSizeOfAnIncompleteFrame() throws {
        let progress = KafkaFrameProgress()
        var decoder = KafkaFrameDecoder(limit: KafkaFrameSizeLimit(maxBytes: 1024), progress: progress)
        var buffer = ByteBuffer()
        buffer.writeInteger(Int32(10))
        buffer.writeBytes([1, 2, 3])
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(progress.incompleteFrameBytes == 10)
        buffer.writeBytes([UInt8](repeating: 0, count: 7))
        #expect(try decoder.decode(buffer: &buffer)?.readableBytes == 10)
        #expect(progress.incompleteFrameBytes == 0)
        buffer.writeBytes([0, 0])  // half of the next size prefix: no size known yet
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(progress.incompleteFrameBytes == 0)
    }

    @Test func negativeAndOversizedFrameSizesAreRefused() {
        for size in [Int32(-1), Int32(1025), Int32.max] {
            var buffer = ByteBuffer()
            buffer.writeInteger(size)
            var decoder = KafkaFrameDecoder(maxFrameBytes: 1024)
            #expect(throws: KafkaFramingError.self) { try decoder.decode(buffer: &buffer) }
        }
    }
}
