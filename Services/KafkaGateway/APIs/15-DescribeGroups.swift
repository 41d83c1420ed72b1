import MonologGroups
import MonologKafkaProtocol
import MonologStorage
import NIOCore

/// DescribeGroups (key 15), versions 0–5: state, protocol and members (with their assignments once
/// Stable). A group with committed offsets but no members is Empty; one this broker has never seen is
/// Dead, as Kafka reports it.
enum DescribeGroupsAPI {
    static let entry = SupportedAPIs.Entry(apiKey: DescribeGroupsRequest.apiKey, name: "DescribeGroups", minVersion: 0, maxVersion: 5, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(
            self.respond(to: try request.decode(DescribeGroupsRequest.self), version: request.version, context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: DescribeGroupsRequest, version: Int16, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<
        DescribeGroupsResponse
    > {
        let known = request.groups.map { context.groups.describe(groupID: $0) }
        return context.read(on: eventLoop) { reader in
            Set(try reader.groupsWithOffsets())
        }.map { withOffsets in
            var response = DescribeGroupsResponse()
            response.groups = zip(request.groups, known).map { groupID, description in
                var group = DescribeGroupsResponse.DescribedGroup()
                group.groupId = groupID
                if groupID.isEmpty {
                    group.errorCode = KafkaErrorCode.invalidGroupID
                } else if let description {
                    group.groupState = description.state.rawValue
                    group.protocolType = description.protocolType
                    group.protocolData = description.protocolName
                    group.members = description.members.map { member in
                        var entry = DescribeGroupsResponse.DescribedGroupMember()
                        entry.memberId = member.memberID
                        if version >= 4 { entry.groupInstanceId = member.instanceID }
                        entry.clientId = member.clientID
                        entry.clientHost = member.clientHost
                        entry.memberMetadata = member.metadata
                        entry.memberAssignment = member.assignment
                        return entry
                    }
                } else {
                    group.groupState = withOffsets.contains(groupID) ? GroupState.empty.rawValue : "Dead"
                }
                return group
            }
            return response
        }
    }
}
