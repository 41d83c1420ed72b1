import MonologGroups
import MonologKafkaProtocol
import NIOCore

/// SyncGroup (key 14), versions 0–5: the leader hands in every member's assignment; each member's
/// answer waits for it. An empty assignment is a valid answer (a member with no partitions).
enum SyncGroupAPI {
    static let entry = SupportedAPIs.Entry(apiKey: SyncGroupRequest.apiKey, name: "SyncGroup", minVersion: 0, maxVersion: 5, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(SyncGroupRequest.self), version: request.version, context: request.gateway, on: request.eventLoop))
    }

    static func respond(
        to request: SyncGroupRequest,
        version: Int16,
        context: KafkaGatewayContext,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<SyncGroupResponse> {
        var assignments: [String: ByteBuffer] = [:]
        for entry in request.assignments { assignments[entry.memberId] = entry.assignment }
        let sync = SyncRequest(
            groupID: request.groupId,
            member: MemberIdentity(
                memberID: request.memberId,
                instanceID: version >= 3 ? request.groupInstanceId : nil,
                generation: request.generationId
            ),
            protocolType: version >= 5 ? request.protocolType : nil,
            protocolName: version >= 5 ? request.protocolName : nil,
            assignments: assignments
        )
        return context.groups.sync(sync, on: eventLoop).map { outcome in
            var response = SyncGroupResponse()
            response.errorCode = outcome.error
            response.assignment = outcome.assignment
            if version >= 5 {
                response.protocolType = outcome.protocolType
                response.protocolName = outcome.protocolName
            }
            return response
        }
    }
}
