import MonologKafkaProtocol
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// InitProducerId (key 22), versions 0–4: producer ids and epochs for idempotent producers, allocated
/// and persisted by the storage writer; with a producer id and epoch (v3+, KIP-360) it bumps the epoch.
enum InitProducerIdAPI {
    static let entry = SupportedAPIs.Entry(apiKey: InitProducerIdRequest.apiKey, name: "InitProducerId", minVersion: 0, maxVersion: 4, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(InitProducerIdRequest.self), context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: InitProducerIdRequest, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<InitProducerIdResponse> {
        let command = InitProducerID(
            transactionalID: request.transactionalId,
            producerID: request.producerId,
            producerEpoch: request.producerEpoch
        )
        return context.writer.submit(command, on: eventLoop).map { producer in
            var response = InitProducerIdResponse()
            response.producerId = producer.id
            response.producerEpoch = producer.epoch
            return response
        }.recover { error in
            var response = InitProducerIdResponse()
            response.errorCode = KafkaErrorCode.from(error)
            response.producerId = -1
            response.producerEpoch = -1
            return response
        }
    }
}
