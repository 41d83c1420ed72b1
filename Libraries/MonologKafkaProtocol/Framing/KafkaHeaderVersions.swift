/// Which request and response header versions go with an API version (Kafka's
/// `ApiMessageTypeGenerator.generateHeaderVersion`): flexible request versions use request header v2
/// and response header v1, others v1 and v0. Two exceptions: the ApiVersions response always uses
/// header v0, so a client can read it before it knows what the broker speaks (KIP-511), and
/// ControlledShutdown v0 uses request header v0.
public enum KafkaHeaderVersions {
    private static let flexibleByKey: [Int16: KafkaVersionRange] = Dictionary(
        uniqueKeysWithValues: KafkaAPIRegistry.all.map { ($0.apiKey, $0.request.flexibleVersions) }
    )

    public static func requestHeaderVersion(apiKey: Int16, apiVersion: Int16) -> Int16 {
        if apiKey == ControlledShutdownRequest.apiKey && apiVersion == 0 { return 0 }
        if apiKey == ApiVersionsRequest.apiKey && apiVersion > ApiVersionsRequest.validVersions.highest {
            // An ApiVersions version the broker does not know still has a parseable header: v3+ means v2.
            return apiVersion >= 3 ? 2 : 1
        }
        return self.isFlexible(apiKey: apiKey, apiVersion: apiVersion) ? 2 : 1
    }

    public static func responseHeaderVersion(apiKey: Int16, apiVersion: Int16) -> Int16 {
        if apiKey == ApiVersionsResponse.apiKey { return 0 }
        return self.isFlexible(apiKey: apiKey, apiVersion: apiVersion) ? 1 : 0
    }

    static func isFlexible(apiKey: Int16, apiVersion: Int16) -> Bool {
        self.flexibleByKey[apiKey]?.contains(apiVersion) ?? false
    }
}
