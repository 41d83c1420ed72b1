import MonologKafkaProtocol
import NIOCore
import Testing

@testable import KafkaGateway

/// The registry drives dispatch and ApiVersions: what is advertised is exactly what is served, an
/// unregistered key or a version outside an API's range closes the connection (as Kafka does), and
/// ApiVersions at a version it does not know answers in the v0 layout (KIP-511).
@Suite struct SupportedAPIsTests {
    static let registered = SupportedAPIs.all.map { Advertised(apiKey: $0.apiKey, minVersion: $0.minVersion, maxVersion: $0.maxVersion) }

    struct Advertised: Hashable, CustomStringConvertible {
        var apiKey: Int16
        var minVersion: Int16
        var maxVersion: Int16
        var description: String { "\(self.apiKey): \(self.minVersion)...\(self.maxVersion)" }
    }

    static func advertised(_ response: ApiVersionsResponse) -> [Advertised] {
        response.apiKeys.map { Advertised(apiKey: $0.apiKey, minVersion: $0.minVersion, maxVersion: $0.maxVersion) }
    }

    @Test func eachKeyIsRegisteredOnceWithinKafkasDefinitions() {
        #expect(Set(SupportedAPIs.all.map(\.apiKey)).count == SupportedAPIs.all.count)
        for entry in SupportedAPIs.all {
            #expect(SupportedAPIs.entry(forKey: entry.apiKey)?.name == entry.name)
            let definition = KafkaAPIRegistry.all.first { $0.apiKey == entry.apiKey }
            #expect(definition?.name == entry.name, "API \(entry.apiKey)")
            let valid = definition?.request.validVersions
            #expect(
                valid.map { $0.contains(entry.minVersion) && $0.contains(entry.maxVersion) } == true,
                "\(entry.name) \(entry.minVersion)...\(entry.maxVersion) vs \(String(describing: valid))")
        }
    }

    @Test(arguments: ApiVersionsRequest.validVersions.lowest...ApiVersionsRequest.validVersions.highest)
    func apiVersionsAdvertisesExactlyTheRegistry(version: Int16) async throws {
        let connection = try await TestGateway.shared().connect()
        var request = ApiVersionsRequest()
        if version >= 3 {
            request.clientSoftwareName = "kafka-gateway-tests"
            request.clientSoftwareVersion = "1.0"
        }
        let response = try await connection.exchange(request, version: version)
        #expect(response.errorCode == KafkaErrorCode.none)
        #expect(Self.advertised(response) == Self.registered)
    }

    @Test func apiVersionsAtAnUnknownVersionAnswersInTheV0Layout() async throws {
        let connection = try await TestGateway.shared().connect()
        let correlationID = try await connection.send(apiKey: ApiVersionsRequest.apiKey, version: 99)
        // The response header and body are v0, whatever version was asked for.
        let response = try await connection.receive(ApiVersionsResponse.self, version: 0, correlationID: correlationID)
        #expect(response.errorCode == KafkaErrorCode.unsupportedVersion)
        #expect(Self.advertised(response) == Self.registered)
    }

    @Test(arguments: [Int16(-1), 4, 24, 57, 62, 1000, .max])
    func anUnregisteredKeyClosesTheConnection(apiKey: Int16) async throws {
        let connection = try await TestGateway.shared().connect()
        try await connection.send(apiKey: apiKey, version: 0)
        #expect(try await connection.isClosedWithoutResponse())
    }

    @Test(arguments: SupportedAPIs.all.filter { !$0.servesUnsupportedVersions }.map(\.name))
    func aVersionOutsideTheRangeClosesTheConnection(name: String) async throws {
        let entry = try #require(SupportedAPIs.all.first { $0.name == name })
        var outside = [entry.maxVersion + 1]
        if entry.minVersion > 0 { outside.append(entry.minVersion - 1) }
        for version in outside {
            let connection = try await TestGateway.shared().connect()
            try await connection.send(apiKey: entry.apiKey, version: version)
            #expect(try await connection.isClosedWithoutResponse(), "\(name) v\(version)")
        }
    }

    @Test func aMalformedBodyClosesTheConnection() async throws {
        let connection = try await TestGateway.shared().connect()
        // Metadata v9 with a topic array that claims more entries than the frame holds.
        try await connection.send(apiKey: MetadataRequest.apiKey, version: 9) { $0.writeInteger(UInt8(100)) }
        #expect(try await connection.isClosedWithoutResponse())
    }

    /// Answers leave in request order even when a later one is ready first: ApiVersions (answered at
    /// once) after a Metadata that reads storage.
    @Test func answersKeepRequestOrder() async throws {
        let connection = try await TestGateway.shared().connect()
        var metadata = MetadataRequest()
        metadata.topics = []
        let first = try await connection.send(metadata, version: 9)
        let second = try await connection.send(ApiVersionsRequest(), version: 0)
        _ = try await connection.receive(MetadataResponse.self, version: 9, correlationID: first)
        _ = try await connection.receive(ApiVersionsResponse.self, version: 0, correlationID: second)
    }
}
