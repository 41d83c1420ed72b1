import MonologKafkaProtocol
import MonologStorage
import MonologWriterClient
import NIOCore

/// AlterConfigs (key 33), versions 0–2: replaces a topic's configs with the given set, through the
/// storage writer. The broker's configs are read-only (flags, environment, file).
enum AlterConfigsAPI {
    static let entry = SupportedAPIs.Entry(apiKey: AlterConfigsRequest.apiKey, name: "AlterConfigs", minVersion: 0, maxVersion: 2, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(AlterConfigsRequest.self), context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: AlterConfigsRequest, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<AlterConfigsResponse> {
        let results = request.resources.map { resource in
            ConfigAlteration.apply(
                resourceType: resource.resourceType,
                topic: resource.resourceName,
                validateOnly: request.validateOnly,
                context: context,
                on: eventLoop
            ) { current throws(TopicConfigChange.Refusal) in
                try TopicConfigChange.replacing(current, with: resource.configs.map { ($0.name, $0.value) })
            }.map { outcome in
                var result = AlterConfigsResponse.AlterConfigsResourceResponse()
                result.resourceType = resource.resourceType
                result.resourceName = resource.resourceName
                result.errorCode = outcome.code
                result.errorMessage = outcome.message
                return result
            }
        }
        return EventLoopFuture.whenAllSucceed(results, on: eventLoop).map { results in
            var response = AlterConfigsResponse()
            response.responses = results
            return response
        }
    }
}
