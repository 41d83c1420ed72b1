import MonologStorage

/// A topic's configs as DescribeConfigs reports them: every topic config Kafka 3.9 has, set on the
/// topic or falling back to the broker's default, with the synonym chain Kafka gives (none for the
/// configs without a broker-wide setting, which then come from Kafka's built-in default).
enum TopicConfigDescriptions {
    static func kind(_ name: String) -> ConfigEntry.Kind {
        switch TopicConfigs.byName[name]?.type {
        case .boolean: .boolean
        case .string: .string
        case .int: .int
        case .double: .double
        case .list: .list
        case .long, nil: .long
        }
    }

    static func entries(set: [String: String], broker: BrokerConfigs) -> [ConfigEntry] {
        TopicConfigs.definitions.map { definition in
            let name = definition.name
            let fallback = BrokerConfigs.topicConfigSynonyms[name].map { brokerName in
                ConfigEntry.Synonym(name: brokerName, value: broker.topicDefault(name), source: BrokerConfigs.topicDefaultSource(name))
            }
            if let value = set[name] {
                return ConfigEntry(
                    name: name, value: value, source: .topic, readOnly: false, kind: kind(name),
                    documentation: definition.documentation,
                    synonyms: [ConfigEntry.Synonym(name: name, value: value, source: .topic)] + (fallback.map { [$0] } ?? [])
                )
            }
            return ConfigEntry(
                name: name, value: broker.topicDefault(name), source: fallback?.source ?? .defaultConfig, readOnly: false,
                kind: kind(name), documentation: definition.documentation, synonyms: fallback.map { [$0] } ?? []
            )
        }
    }
}
