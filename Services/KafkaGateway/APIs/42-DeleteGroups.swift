import MonologGroups
import MonologKafkaProtocol
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// DeleteGroups (key 42), versions 0–2: a group without members is forgotten and its committed offsets
/// deleted through the writer; one with members answers NON_EMPTY_GROUP, an unknown one
/// GROUP_ID_NOT_FOUND.
enum DeleteGroupsAPI {
    static let entry = SupportedAPIs.Entry(apiKey: DeleteGroupsRequest.apiKey, name: "DeleteGroups", minVersion: 0, maxVersion: 2, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(DeleteGroupsRequest.self), context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: DeleteGroupsRequest, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<DeleteGroupsResponse> {
        let results = request.groupsNames.map { groupID -> EventLoopFuture<DeleteGroupsResponse.DeletableGroupResult> in
            @Sendable func finished(_ error: Int16) -> DeleteGroupsResponse.DeletableGroupResult {
                var result = DeleteGroupsResponse.DeletableGroupResult()
                result.groupId = groupID
                result.errorCode = error
                return result
            }
            guard !groupID.isEmpty else { return eventLoop.makeSucceededFuture(finished(KafkaErrorCode.invalidGroupID)) }
            guard case .forgotten(let wasKnown) = context.groups.delete(groupID: groupID) else {
                return eventLoop.makeSucceededFuture(finished(KafkaErrorCode.nonEmptyGroup))
            }
            return context.writer.submit(DeleteGroupOffsets(group: groupID), on: eventLoop).map { deleted -> DeleteGroupsResponse.DeletableGroupResult in
                if deleted.count == 0, !wasKnown {
                    return finished(KafkaErrorCode.groupIDNotFound)
                }
                return finished(KafkaErrorCode.none)
            }.recover { finished(KafkaErrorCode.from($0)) }
        }
        return EventLoopFuture.whenAllSucceed(results, on: eventLoop).map { results in
            var response = DeleteGroupsResponse()
            response.results = results
            return response
        }
    }
}
