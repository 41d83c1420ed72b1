import MonologGroups
import MonologKafkaProtocol

/// Heartbeat (key 12), versions 0–4: keeps a member's session alive, and tells it when to rejoin
/// (REBALANCE_IN_PROGRESS).
enum HeartbeatAPI {
    static let entry = SupportedAPIs.Entry(apiKey: HeartbeatRequest.apiKey, name: "Heartbeat", minVersion: 0, maxVersion: 4, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(HeartbeatRequest.self), version: request.version, context: request.gateway))
    }

    static func respond(to request: HeartbeatRequest, version: Int16, context: KafkaGatewayContext) -> HeartbeatResponse {
        let member = MemberIdentity(
            memberID: request.memberId,
            instanceID: version >= 3 ? request.groupInstanceId : nil,
            generation: request.generationId
        )
        var response = HeartbeatResponse()
        response.errorCode = context.groups.heartbeat(groupID: request.groupId, member)
        return response
    }
}
