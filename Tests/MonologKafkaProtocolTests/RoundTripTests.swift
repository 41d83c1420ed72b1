import MonologKafkaProtocol
import NIOCore
import Testing

/// Every message in Kafka's definitions, at every valid version, survives encode → decode → encode
/// unchanged: the decoded value equals the original and the bytes are identical.
@Suite struct RoundTripTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var type: any KafkaMessage.Type
        var testDescription: String { self.type.name }
    }

    static let cases = KafkaAPIRegistry.allMessageTypes.map { Case(type: $0) }

    @Test(arguments: cases)
    func everyVersionRoundTrips(_ testCase: Case) throws {
        guard let type = testCase.type as? any KafkaMessageExample.Type else {
            Issue.record("\(testCase.type.name) has no generated example")
            return
        }
        try Self.roundTrip(type)
    }

    static func roundTrip<Message: KafkaMessageExample>(_: Message.Type) throws {
        guard let versions = Message.validVersions.versions else { return }
        for version in versions {
            for original in [Message(), Message.example(version: version)] {
                var bytes = ByteBuffer()
                try original.encode(into: &bytes, version: version)
                var reader = bytes
                let decoded = try Message(from: &reader, version: version)
                #expect(reader.readableBytes == 0, "\(Message.name) v\(version): \(reader.readableBytes) bytes left over")
                #expect(decoded == original, "\(Message.name) v\(version) decoded differently")
                var again = ByteBuffer()
                try decoded.encode(into: &again, version: version)
                #expect(again == bytes, "\(Message.name) v\(version) re-encoded to different bytes")
            }
        }
    }

    @Test func registryListsEveryAPIOnceWithMatchingTypes() {
        let keys = KafkaAPIRegistry.all.map(\.apiKey)
        #expect(keys.count == 88)
        #expect(Set(keys).count == keys.count)
        for api in KafkaAPIRegistry.all {
            #expect(api.request.apiKey == api.apiKey && api.response.apiKey == api.apiKey, "\(api.name)")
            #expect(api.request.validVersions == api.response.validVersions, "\(api.name) request and response versions differ")
        }
    }

    @Test func versionsOutsideTheValidRangeAreRefused() {
        var buffer = ByteBuffer()
        #expect(throws: KafkaEncodingError.self) { try ApiVersionsRequest().encode(into: &buffer, version: 5) }
        #expect(throws: KafkaDecodingError.self) { try ApiVersionsRequest(from: &buffer, version: -1) }
    }
}
