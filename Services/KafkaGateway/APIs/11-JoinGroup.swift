import MonologGroups
import MonologKafkaProtocol
import NIOCore

/// JoinGroup (key 11), versions 0–9. The answer waits until the rebalance completes: until every
/// member has rejoined, or the rebalance timeout has passed.
enum JoinGroupAPI {
    static let entry = SupportedAPIs.Entry(apiKey: JoinGroupRequest.apiKey, name: "JoinGroup", minVersion: 0, maxVersion: 9, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        let join = try request.decode(JoinGroupRequest.self)
        request.reply(self.respond(to: join, version: request.version, client: request.client, context: request.gateway, on: request.eventLoop))
    }

    static func respond(
        to request: JoinGroupRequest,
        version: Int16,
        client: KafkaClientIdentity,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<JoinGroupResponse> {
        let join = JoinRequest(
            groupID: request.groupId,
            memberID: request.memberId,
            instanceID: version >= 5 ? request.groupInstanceId : nil,
            clientID: client.clientID,
            clientHost: client.host,
            sessionTimeout: .milliseconds(Int64(request.sessionTimeoutMs)),
            // Before v1 there is no separate rebalance timeout; Kafka uses the session timeout.
            rebalanceTimeout: .milliseconds(Int64(version >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs)),
            protocolType: request.protocolType,
            protocols: request.protocols.map { MemberProtocol(name: $0.name, metadata: $0.metadata) },
            requiresKnownMemberID: version >= 4
        )
        return context.groups.join(join, on: eventLoop).map { outcome in
            var response = JoinGroupResponse()
            response.errorCode = outcome.error
            response.generationId = outcome.generation
            if version >= 7 {
                response.protocolType = outcome.protocolType
                response.protocolName = outcome.protocolName
            } else {
                response.protocolName = outcome.protocolName ?? ""
            }
            response.leader = outcome.leaderID
            response.memberId = outcome.memberID
            response.members = outcome.members.map { member in
                var entry = JoinGroupResponse.JoinGroupResponseMember()
                entry.memberId = member.memberID
                if version >= 5 { entry.groupInstanceId = member.instanceID }
                entry.metadata = member.metadata
                return entry
            }
            return response
        }
    }
}
