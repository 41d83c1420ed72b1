import MonologConfig
import MonologKafkaProtocol
import NIOCore

/// FindCoordinator (key 10), versions 0–6: this broker coordinates every consumer group (key type 0)
/// and every transactional id (key type 1). Share groups are not supported, so that key type gets
/// INVALID_REQUEST with a message saying so.
enum FindCoordinatorAPI {
    static let entry = SupportedAPIs.Entry(apiKey: FindCoordinatorRequest.apiKey, name: "FindCoordinator", minVersion: 0, maxVersion: 6, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(FindCoordinatorRequest.self), version: request.version, context: request.gateway))
    }

    private static let groupKeyType: Int8 = 0
    private static let transactionKeyType: Int8 = 1

    static func respond(to request: FindCoordinatorRequest, version: Int16, context: KafkaGatewayContext) -> FindCoordinatorResponse {
        let address = context.advertisedAddress
        let refusal: String? =
            request.keyType == groupKeyType || request.keyType == transactionKeyType
            ? nil
            : "Monolog coordinates consumer groups (key type 0) and transactions (key type 1); key type \(request.keyType) is not supported"
        var response = FindCoordinatorResponse()
        if version >= 4 {
            response.coordinators = request.coordinatorKeys.map { key in
                var coordinator = FindCoordinatorResponse.Coordinator()
                coordinator.key = key
                if let refusal {
                    coordinator.errorCode = KafkaErrorCode.invalidRequest
                    coordinator.errorMessage = refusal
                    coordinator.nodeId = -1
                    coordinator.port = -1
                } else {
                    coordinator.nodeId = KafkaGatewayContext.nodeID
                    coordinator.host = address.host
                    coordinator.port = Int32(address.port)
                    coordinator.errorMessage = nil
                }
                return coordinator
            }
        } else if let refusal {
            response.errorCode = KafkaErrorCode.invalidRequest
            if version >= 1 { response.errorMessage = refusal }
            response.nodeId = -1
            response.port = -1
        } else {
            response.nodeId = KafkaGatewayContext.nodeID
            response.host = address.host
            response.port = Int32(address.port)
            if version >= 1 { response.errorMessage = nil }
        }
        return response
    }
}
