import MonologGroups
import MonologKafkaProtocol
import MonologStorage
import NIOCore

/// ListGroups (key 16), versions 0–5: every group with members or committed offsets, filtered by state
/// (v4+, case-insensitive as in Kafka) and type (v5+; all of Monolog's groups are "classic").
enum ListGroupsAPI {
    static let entry = SupportedAPIs.Entry(apiKey: ListGroupsRequest.apiKey, name: "ListGroups", minVersion: 0, maxVersion: 5, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(ListGroupsRequest.self), version: request.version, context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: ListGroupsRequest, version: Int16, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<
        ListGroupsResponse
    > {
        let known = context.groups.describeAll()
        let states = Set((version >= 4 ? request.statesFilter : []).map { $0.lowercased() })
        let types = Set((version >= 5 ? request.typesFilter : []).map { $0.lowercased() })
        return context.read(on: eventLoop) { reader in
            try reader.groupsWithOffsets()
        }.map { withOffsets in
            var listed: [String: (protocolType: String, state: String)] = [:]
            for group in withOffsets { listed[group] = ("", GroupState.empty.rawValue) }
            for group in known { listed[group.groupID] = (group.protocolType, group.state.rawValue) }
            var response = ListGroupsResponse()
            guard types.isEmpty || types.contains("classic") else { return response }
            response.groups = listed.sorted { $0.key < $1.key }.compactMap { groupID, group in
                guard states.isEmpty || states.contains(group.state.lowercased()) else { return nil }
                var entry = ListGroupsResponse.ListedGroup()
                entry.groupId = groupID
                entry.protocolType = group.protocolType
                if version >= 4 { entry.groupState = group.state }
                if version >= 5 { entry.groupType = "classic" }
                return entry
            }
            return response
        }.recover { _ in
            var response = ListGroupsResponse()
            response.errorCode = KafkaErrorCode.coordinatorNotAvailable
            return response
        }
    }
}
