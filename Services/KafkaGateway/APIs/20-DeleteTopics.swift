import MonologKafkaProtocol
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// DeleteTopics (key 20), versions 1–5: by name. A topic's batches, offsets, configs and group offsets go
/// with it.
enum DeleteTopicsAPI {
    static let entry = SupportedAPIs.Entry(apiKey: DeleteTopicsRequest.apiKey, name: "DeleteTopics", minVersion: 1, maxVersion: 5, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(DeleteTopicsRequest.self), context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: DeleteTopicsRequest, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<DeleteTopicsResponse> {
        let results = request.topicNames.map { name in
            var result = DeleteTopicsResponse.DeletableTopicResult()
            result.name = name
            let pending = result
            return context.writer.submit(DeleteTopic(name: name), on: eventLoop).map { _ in pending }.recover { error in
                var result = pending
                result.errorCode = KafkaErrorCode.from(error)
                result.errorMessage = "\(error)"
                return result
            }
        }
        return EventLoopFuture.whenAllSucceed(results, on: eventLoop).map { results in
            var response = DeleteTopicsResponse()
            response.responses = results
            return response
        }
    }
}
