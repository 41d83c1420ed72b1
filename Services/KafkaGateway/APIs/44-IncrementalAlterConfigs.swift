import MonologKafkaProtocol
import MonologStorage
import MonologWriterClient
import NIOCore

/// IncrementalAlterConfigs (key 44), versions 0–1: SET, DELETE, APPEND and SUBTRACT on a topic's configs,
/// through the storage writer. The broker's configs are read-only (flags, environment, file).
enum IncrementalAlterConfigsAPI {
    static let entry = SupportedAPIs.Entry(
        apiKey: IncrementalAlterConfigsRequest.apiKey,
        name: "IncrementalAlterConfigs",
        minVersion: 0,
        maxVersion: 1,
        serve: serve
    )

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(IncrementalAlterConfigsRequest.self), context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: IncrementalAlterConfigsRequest, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<
        IncrementalAlterConfigsResponse
    > {
        let results = request.resources.map { resource in
            ConfigAlteration.apply(
                resourceType: resource.resourceType,
                topic: resource.resourceName,
                validateOnly: request.validateOnly,
                context: context,
                on: eventLoop
            ) { current throws(TopicConfigChange.Refusal) in
                try TopicConfigChange.applying(resource.configs.map { ($0.name, $0.configOperation, $0.value) }, to: current)
            }.map { outcome in
                var result = IncrementalAlterConfigsResponse.AlterConfigsResourceResponse()
                result.resourceType = resource.resourceType
                result.resourceName = resource.resourceName
                result.errorCode = outcome.code
                result.errorMessage = outcome.message
                return result
            }
        }
        return EventLoopFuture.whenAllSucceed(results, on: eventLoop).map { results in
            var response = IncrementalAlterConfigsResponse()
            response.responses = results
            return response
        }
    }
}
