import MonologKafkaProtocol
import NIOCore
import Synchronization

extension KafkaBrokerConnection {
    /// The ApiVersions version asked first: v3 (KIP-511) carries the client's name and is what current
    /// Kafka clients send; every broker since Kafka 2.4 answers it.
    static let preferredApiVersionsVersion: Int16 = 3

    /// Names this client in ApiVersions v3+ (brokers show it in their metrics; KIP-511's pattern).
    static let clientSoftwareName = "monolog-kafka-client"
    static let clientSoftwareVersion = "1"

    /// Asks the broker which API versions it serves. A broker that does not know v3 answers
    /// UNSUPPORTED_VERSION in the v0 layout, listing the ApiVersions versions it has; the request is
    /// then repeated at the highest of those below v3, or v0 when it lists none (as Kafka's Java
    /// client does).
    func negotiateVersions() async throws {
        var request = ApiVersionsRequest()
        request.clientSoftwareName = Self.clientSoftwareName
        request.clientSoftwareVersion = Self.clientSoftwareVersion
        var response = try await self.apiVersions(request, version: Self.preferredApiVersionsVersion)
        if response.errorCode == KafkaErrorCode.unsupportedVersion {
            let offered = response.apiKeys.first { $0.apiKey == ApiVersionsRequest.apiKey }
            let fallback = offered.map { $0.maxVersion < Self.preferredApiVersionsVersion ? $0.maxVersion : 0 } ?? 0
            response = try await self.apiVersions(ApiVersionsRequest(), version: max(fallback, 0))
        }
        guard response.errorCode == KafkaErrorCode.none else {
            throw KafkaClientError(.unsupportedVersion, "\(self.address) refused ApiVersions", errorCode: response.errorCode)
        }
        let ranges = Dictionary(response.apiKeys.map { ($0.apiKey, KafkaVersionRange($0.minVersion, $0.maxVersion)) }) { first, _ in first }
        self.brokerVersions.withLock { $0 = ranges }
    }

    /// One ApiVersions exchange. An answer that does not decode at the version asked is read as v0:
    /// that is the layout a broker uses to say UNSUPPORTED_VERSION.
    private func apiVersions(_ request: ApiVersionsRequest, version: Int16) async throws -> ApiVersionsResponse {
        guard let body = try await self.exchange(request, version: version) else { return ApiVersionsResponse() }
        var asked = body
        if let response = try? ApiVersionsResponse(from: &asked, version: version), response.errorCode != KafkaErrorCode.unsupportedVersion {
            return response
        }
        var legacy = body
        do {
            return try ApiVersionsResponse(from: &legacy, version: 0)
        } catch {
            throw KafkaClientError(.protocolError, "\(self.address) sent an undecodable ApiVersions response: \(error)")
        }
    }
}
