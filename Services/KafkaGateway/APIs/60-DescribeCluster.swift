import MonologConfig
import MonologKafkaProtocol

/// DescribeCluster (key 60), versions 0–1: one broker (node 0 at the advertised address), the stored
/// cluster id, and node 0 as controller. Only the brokers endpoint type (1) exists here (KIP-919).
enum DescribeClusterAPI {
    static let entry = SupportedAPIs.Entry(apiKey: DescribeClusterRequest.apiKey, name: "DescribeCluster", minVersion: 0, maxVersion: 1, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(DescribeClusterRequest.self), version: request.version, context: request.gateway))
    }

    static let brokersEndpointType: Int8 = 1
    static let unsupportedEndpointType: Int16 = 120

    static func respond(to request: DescribeClusterRequest, version: Int16, context: KafkaGatewayContext) -> DescribeClusterResponse {
        var response = DescribeClusterResponse()
        response.clusterId = context.clusterID
        if version >= 1 && request.endpointType != brokersEndpointType {
            response.errorCode = unsupportedEndpointType
            response.errorMessage = "Monolog has no separate controller endpoints; ask for brokers (endpoint type 1)"
            response.endpointType = request.endpointType
            return response
        }
        response.controllerId = KafkaGatewayContext.nodeID
        var broker = DescribeClusterResponse.DescribeClusterBroker()
        broker.brokerId = KafkaGatewayContext.nodeID
        broker.host = context.advertisedAddress.host
        broker.port = Int32(context.advertisedAddress.port)
        response.brokers = [broker]
        return response
    }
}
