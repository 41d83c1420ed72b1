import MonologKafkaProtocol
import MonologStorage
import NIOCore

/// DescribeConfigs (key 32), versions 1–4 (Kafka 4 removed 0): a topic's configs (set, or the broker
/// default they fall back to) and the broker's own, with sources, synonyms and documentation on request.
enum DescribeConfigsAPI {
    static let entry = SupportedAPIs.Entry(apiKey: DescribeConfigsRequest.apiKey, name: "DescribeConfigs", minVersion: 1, maxVersion: 4, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(
            self.respond(to: try request.decode(DescribeConfigsRequest.self), version: request.version, context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: DescribeConfigsRequest, version: Int16, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<
        DescribeConfigsResponse
    > {
        let broker = BrokerConfigs(settings: context.settings)
        return context.read(on: eventLoop) { reader in
            var response = DescribeConfigsResponse()
            response.results = try request.resources.map { resource in
                var result = DescribeConfigsResponse.DescribeConfigsResult()
                result.resourceType = resource.resourceType
                result.resourceName = resource.resourceName
                result.errorMessage = nil
                func fail(_ code: Int16, _ message: String) -> DescribeConfigsResponse.DescribeConfigsResult {
                    var failed = result
                    failed.errorCode = code
                    failed.errorMessage = message
                    return failed
                }
                let entries: [ConfigEntry]
                switch resource.resourceType {
                case ConfigResourceType.topic:
                    guard let topic = try reader.topic(named: resource.resourceName) else {
                        return fail(KafkaErrorCode.unknownTopicOrPartition, "topic '\(resource.resourceName)' does not exist")
                    }
                    entries = TopicConfigDescriptions.entries(set: try reader.configs(topicID: topic.topicID), broker: broker)
                case ConfigResourceType.broker:
                    guard resource.resourceName.isEmpty || resource.resourceName == "\(KafkaGatewayContext.nodeID)" else {
                        return fail(KafkaErrorCode.invalidRequest, "Monolog is broker 0; there is no broker '\(resource.resourceName)'")
                    }
                    entries = broker.entries
                default:
                    return fail(KafkaErrorCode.invalidRequest, "resource type \(resource.resourceType) has no configs here (topics: 2, the broker: 4)")
                }
                let wanted = resource.configurationKeys.map(Set.init)
                result.configs = entries.filter { wanted?.contains($0.name) ?? true }.map {
                    self.encode($0, version: version, synonyms: request.includeSynonyms, documentation: request.includeDocumentation)
                }
                return result
            }
            return response
        }
    }

    static func encode(_ entry: ConfigEntry, version: Int16, synonyms: Bool, documentation: Bool) -> DescribeConfigsResponse.DescribeConfigsResourceResult {
        var config = DescribeConfigsResponse.DescribeConfigsResourceResult()
        config.name = entry.name
        config.value = entry.value
        config.readOnly = entry.readOnly
        config.isSensitive = false
        config.configSource = entry.source.rawValue
        if synonyms {
            config.synonyms = entry.synonyms.map {
                var synonym = DescribeConfigsResponse.DescribeConfigsSynonym()
                synonym.name = $0.name
                synonym.value = $0.value
                synonym.source = $0.source.rawValue
                return synonym
            }
        }
        if version >= 3 {
            config.configType = entry.kind.rawValue
            config.documentation = documentation ? entry.documentation : nil
        }
        return config
    }
}
