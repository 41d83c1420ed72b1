/// One config as DescribeConfigs reports it, whatever the resource.
struct ConfigEntry: Sendable, Equatable {
    /// Where a value comes from (DescribeConfigs' ConfigSource).
    enum Source: Int8, Sendable {
        case topic = 1
        case staticBroker = 4
        case defaultConfig = 5
    }

    /// DescribeConfigs' ConfigType (v3+).
    enum Kind: Int8, Sendable {
        case boolean = 1
        case string = 2
        case int = 3
        case long = 5
        case double = 6
        case list = 7
    }

    struct Synonym: Sendable, Equatable {
        var name: String
        var value: String
        var source: Source
    }

    var name: String
    var value: String
    var source: Source
    var readOnly: Bool
    var kind: Kind
    var documentation: String
    /// The settings this value could come from, most specific first (Kafka's synonyms).
    var synonyms: [Synonym]

    var isDefault: Bool { self.source == .defaultConfig }
}

/// Resource types of DescribeConfigs and AlterConfigs.
enum ConfigResourceType {
    static let topic: Int8 = 2
    static let broker: Int8 = 4
}
