import MonologStorage

/// A topic's configs as DescribeConfigs reports them: every config Monolog honours, set on the topic
/// or falling back to the broker's default, with the synonym chain Kafka gives.
enum TopicConfigDescriptions {
    static func kind(_ name: String) -> ConfigEntry.Kind {
        switch name {
        case "cleanup.policy": .list
        case "max.message.bytes": .int
        case "message.timestamp.type": .string
        default: .long
        }
    }

    static func entries(set: [String: String], broker: BrokerConfigs) -> [ConfigEntry] {
        TopicConfigs.definitions.map { definition in
            let name = definition.name
            let brokerName = BrokerConfigs.topicConfigSynonyms[name] ?? name
            let fallback = ConfigEntry.Synonym(
                name: brokerName,
                value: broker.topicDefault(name),
                source: BrokerConfigs.topicDefaultSource(name)
            )
            if let value = set[name] {
                return ConfigEntry(
                    name: name, value: value, source: .topic, readOnly: false, kind: kind(name),
                    documentation: definition.documentation,
                    synonyms: [ConfigEntry.Synonym(name: name, value: value, source: .topic), fallback]
                )
            }
            return ConfigEntry(
                name: name, value: fallback.value, source: fallback.source, readOnly: false, kind: kind(name),
                documentation: definition.documentation, synonyms: [fallback]
            )
        }
    }
}
