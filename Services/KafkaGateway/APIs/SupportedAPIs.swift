/// The APIs this gateway answers, with the version range of each. ApiVersions is computed from this
/// list, so the broker advertises exactly what it implements and nothing more.
enum SupportedAPIs {
    struct Entry {
        var apiKey: Int16
        var name: String
        var minVersion: Int16
        var maxVersion: Int16
    }

    static let all: [Entry] = [
        ApiVersionsAPI.range,
        MetadataAPI.range,
    ]
}

/// Kafka error codes used by this gateway (from the protocol guide's error table).
enum KafkaErrorCode {
    static let none: Int16 = 0
    static let unknownTopicOrPartition: Int16 = 3
    static let invalidTopicException: Int16 = 17
    static let unsupportedVersion: Int16 = 35
}
