import MonologGroups
import MonologKafkaProtocol

/// LeaveGroup (key 13), versions 0–5: one member (v0–2) or several, by member id or
/// `group.instance.id` (v3+). The others rebalance at once rather than after a session timeout.
enum LeaveGroupAPI {
    static let entry = SupportedAPIs.Entry(apiKey: LeaveGroupRequest.apiKey, name: "LeaveGroup", minVersion: 0, maxVersion: 5, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(LeaveGroupRequest.self), version: request.version, context: request.gateway))
    }

    static func respond(to request: LeaveGroupRequest, version: Int16, context: KafkaGatewayContext) -> LeaveGroupResponse {
        var response = LeaveGroupResponse()
        guard version >= 3 else {
            let errors = context.groups.leave(groupID: request.groupId, [LeavingMember(memberID: request.memberId, instanceID: nil)])
            response.errorCode = errors[0]
            return response
        }
        let leaving = request.members.map { LeavingMember(memberID: $0.memberId, instanceID: $0.groupInstanceId) }
        let errors = context.groups.leave(groupID: request.groupId, leaving)
        response.members = zip(leaving, errors).map { member, error in
            var result = LeaveGroupResponse.MemberResponse()
            result.memberId = member.memberID
            result.groupInstanceId = member.instanceID
            result.errorCode = error
            return result
        }
        return response
    }
}
