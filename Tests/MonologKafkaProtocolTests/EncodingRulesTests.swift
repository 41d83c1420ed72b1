import MonologKafkaProtocol
import NIOCore
import Testing

/// The schema's encoding rules, checked on messages whose layout the protocol guide spells out.
@Suite struct EncodingRulesTests {
    func bytes(_ message: some KafkaMessage, version: Int16) throws -> [UInt8] {
        var buffer = ByteBuffer()
        try message.encode(into: &buffer, version: version)
        return Array(buffer.readableBytesView)
    }

    @Test func classicAndCompactStringsAndArrays() throws {
        var request = ApiVersionsRequest()
        request.clientSoftwareName = "kcat"
        request.clientSoftwareVersion = "1.7"
        // v3: compact strings (length + 1 as an unsigned varint), then an empty tagged-field section.
        #expect(try self.bytes(request, version: 3) == [5] + Array("kcat".utf8) + [4] + Array("1.7".utf8) + [0])
        // v0-2 have no body; the v3 fields are ignorable, so they are dropped there.
        #expect(try self.bytes(request, version: 0).isEmpty)
    }

    @Test func aNonDefaultFieldTheVersionLacksIsRefusedUnlessIgnorable() throws {
        // ThrottleTimeMs is ignorable: at v0 it is dropped silently.
        var response = ApiVersionsResponse()
        response.throttleTimeMs = 100
        #expect(try self.bytes(response, version: 0) == [0, 0, 0, 0, 0, 0])
        // MetadataRequest.AllowAutoTopicCreation (v4+) is not ignorable, and its default is true.
        var metadata = MetadataRequest()
        metadata.allowAutoTopicCreation = false
        #expect(throws: KafkaEncodingError.self) { try self.bytes(metadata, version: 3) }
        #expect(try self.bytes(metadata, version: 4).last == 0)
    }

    @Test func nullIsWrittenOnlyWhereTheVersionAllowsIt() throws {
        var metadata = MetadataRequest()
        metadata.topics = nil  // null means "all topics" from v1 on
        #expect(try self.bytes(metadata, version: 1) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: KafkaEncodingError.self) { try self.bytes(metadata, version: 0) }
        // Compact form: null is 0.
        #expect(try self.bytes(metadata, version: 9).first == 0)
    }

    @Test func unknownTaggedFieldsSurviveARoundTrip() throws {
        // An ApiVersions v3 response body with an extra tag 7 that this code does not know.
        let raw: [UInt8] = [0, 0, 1, 0, 0, 0, 0, 1, 7, 2, 0xAB, 0xCD]
        var buffer = ByteBuffer(bytes: raw)
        let response = try ApiVersionsResponse(from: &buffer, version: 3)
        #expect(response.unknownTaggedFields == [KafkaTaggedField(tag: 7, value: ByteBuffer(bytes: [0xAB, 0xCD]))])
        #expect(try self.bytes(response, version: 3) == raw)
    }

    @Test func knownTaggedFieldsAreWrittenOnlyWhenNotDefault() throws {
        var response = ApiVersionsResponse()
        #expect(try self.bytes(response, version: 3) == [0, 0, 1, 0, 0, 0, 0, 0])
        response.finalizedFeaturesEpoch = 5
        // Tag 1, size 8, the int64.
        #expect(try self.bytes(response, version: 3).suffix(11) == [1, 1, 8, 0, 0, 0, 0, 0, 0, 0, 5])
    }

    @Test func requestHeaderClientIdIsAlwaysAClassicString() throws {
        var header = RequestHeader()
        header.requestApiKey = 18
        header.requestApiVersion = 3
        header.correlationId = 1
        header.clientId = "c"
        #expect(try self.bytes(header, version: 2) == [0, 18, 0, 3, 0, 0, 0, 1, 0, 1, UInt8(ascii: "c"), 0])
    }
}
