import MonologConfig
import MonologKafkaProtocol
import NIOCore
import Testing

@testable import KafkaGateway

/// FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch,
/// OffsetDelete, DescribeGroups, ListGroups and DeleteGroups through the connection handler, with the
/// gateway's group coordinator and the real storage writer: each one's normal path and one error path.
@Suite struct GroupAPITests {
    // MARK: FindCoordinator (10)

    static func findCoordinator(keyType: Int8) -> FindCoordinatorRequest {
        var request = FindCoordinatorRequest()
        request.key = "group"
        request.keyType = keyType
        return request
    }

    @Test func findCoordinatorNamesThisBroker() async throws {
        let gateway = try await TestGateway.shared()
        let connection = try await gateway.connect()
        let response = try await connection.exchange(Self.findCoordinator(keyType: 0), version: 3)
        #expect(response.errorCode == KafkaErrorCode.none)
        #expect("\(response.nodeId) \(response.host):\(response.port)" == "0 127.0.0.1:\(gateway.context.settings.kafkaAddress.port)")
    }

    /// Key type 1: this broker coordinates transactions too.
    @Test func findCoordinatorNamesThisBrokerForTransactions() async throws {
        let gateway = try await TestGateway.shared()
        let connection = try await gateway.connect()
        let response = try await connection.exchange(Self.findCoordinator(keyType: 1), version: 3)
        #expect(response.errorCode == KafkaErrorCode.none)
        #expect("\(response.nodeId) \(response.host):\(response.port)" == "0 127.0.0.1:\(gateway.context.settings.kafkaAddress.port)")
    }

    /// Key type 2 (share groups, KIP-932) is not served.
    @Test func findCoordinatorRefusesShareGroupCoordinators() async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.findCoordinator(keyType: 2), version: 3)
        #expect(response.errorCode == KafkaErrorCode.invalidRequest)
        #expect(response.nodeId == -1)
    }

    // MARK: JoinGroup (11)

    @Test func joinGroupMakesTheFirstMemberLeader() async throws {
        let connection = try await TestGateway.shared().connect()
        let joined = try await connection.joinGroup(uniqueName("join"))
        #expect(joined.errorCode == KafkaErrorCode.none)
        #expect(joined.generationId == 1)
        #expect(!joined.memberId.isEmpty)
        #expect(joined.leader == joined.memberId)
        #expect(joined.protocolName == "range")
        #expect(joined.members.map(\.memberId) == [joined.memberId])
        #expect(joined.members.first?.metadata == ByteBuffer(bytes: [0, 1, 2]))
    }

    @Test func joinGroupRefusesASessionTimeoutOutOfBounds() async throws {
        let connection = try await TestGateway.shared().connect()
        let joined = try await connection.joinGroup(uniqueName("join-timeout"), sessionTimeoutMs: 10)
        #expect(joined.errorCode == KafkaErrorCode.invalidSessionTimeout)
    }

    // MARK: SyncGroup (14)

    static func syncGroup(_ group: String, memberID: String, generation: Int32, assignment: [UInt8]) -> SyncGroupRequest {
        var request = SyncGroupRequest()
        request.groupId = group
        request.generationId = generation
        request.memberId = memberID
        var mine = SyncGroupRequest.SyncGroupRequestAssignment()
        mine.memberId = memberID
        mine.assignment = ByteBuffer(bytes: assignment)
        request.assignments = [mine]
        return request
    }

    @Test func syncGroupHandsTheLeadersAssignmentOut() async throws {
        let connection = try await TestGateway.shared().connect()
        let group = uniqueName("sync")
        let joined = try await connection.joinGroup(group)
        let synced = try await connection.exchange(
            Self.syncGroup(group, memberID: joined.memberId, generation: joined.generationId, assignment: [4, 2]),
            version: 3
        )
        #expect(synced.errorCode == KafkaErrorCode.none)
        #expect(synced.assignment == ByteBuffer(bytes: [4, 2]))
    }

    @Test func syncGroupFromAnUnknownMemberIsRefused() async throws {
        let connection = try await TestGateway.shared().connect()
        let group = uniqueName("sync-unknown")
        let joined = try await connection.joinGroup(group)
        let synced = try await connection.exchange(
            Self.syncGroup(group, memberID: "nobody", generation: joined.generationId, assignment: [1]),
            version: 3
        )
        #expect(synced.errorCode == KafkaErrorCode.unknownMemberID)
    }

    // MARK: Heartbeat (12)

    static func heartbeat(_ group: String, memberID: String, generation: Int32) -> HeartbeatRequest {
        var request = HeartbeatRequest()
        request.groupId = group
        request.memberId = memberID
        request.generationId = generation
        return request
    }

    @Test func heartbeatKeepsAStableMember() async throws {
        let connection = try await TestGateway.shared().connect()
        let group = uniqueName("heartbeat")
        let member = try await connection.joinAndSync(group)
        let response = try await connection.exchange(Self.heartbeat(group, memberID: member.memberID, generation: member.generation), version: 4)
        #expect(response.errorCode == KafkaErrorCode.none)
    }

    @Test func heartbeatFromAnotherGenerationIsRefused() async throws {
        let connection = try await TestGateway.shared().connect()
        let group = uniqueName("heartbeat-generation")
        let member = try await connection.joinAndSync(group)
        let response = try await connection.exchange(Self.heartbeat(group, memberID: member.memberID, generation: member.generation + 1), version: 4)
        #expect(response.errorCode == KafkaErrorCode.illegalGeneration)
    }

    // MARK: LeaveGroup (13)

    static func leaveGroup(_ group: String, memberID: String) -> LeaveGroupRequest {
        var member = LeaveGroupRequest.MemberIdentity()
        member.memberId = memberID
        var request = LeaveGroupRequest()
        request.groupId = group
        request.members = [member]
        return request
    }

    @Test func leaveGroupRemovesTheMember() async throws {
        let connection = try await TestGateway.shared().connect()
        let group = uniqueName("leave")
        let member = try await connection.joinAndSync(group)
        let response = try await connection.exchange(Self.leaveGroup(group, memberID: member.memberID), version: 5)
        #expect(response.errorCode == KafkaErrorCode.none)
        #expect(response.members.map(\.errorCode) == [KafkaErrorCode.none])
        let described = try await connection.exchange(Self.describeGroups([group]), version: 5)
        #expect(described.groups.first?.members.isEmpty == true)
    }

    @Test func leaveGroupOfAnUnknownMemberIsRefused() async throws {
        let connection = try await TestGateway.shared().connect()
        let group = uniqueName("leave-unknown")
        _ = try await connection.joinAndSync(group)
        let response = try await connection.exchange(Self.leaveGroup(group, memberID: "nobody"), version: 5)
        #expect(response.members.map(\.errorCode) == [KafkaErrorCode.unknownMemberID])
    }

    // MARK: OffsetCommit (8)

    @Test func offsetCommitStoresTheOffset() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("commit")
        let group = uniqueName("commit-group")
        try await connection.createTopic(topic)
        #expect(try await connection.commitOffset(group: group, topic: topic, offset: 5) == KafkaErrorCode.none)
        let fetched = try await connection.exchange(Self.offsetFetch(group, topic: topic), version: 7)
        #expect(fetched.topics.first?.partitions.first?.committedOffset == 5)
    }

    @Test func offsetCommitForAnUnknownTopicIsRefused() async throws {
        let connection = try await TestGateway.shared().connect()
        let code = try await connection.commitOffset(group: uniqueName("commit-group"), topic: uniqueName("no-such-topic"), offset: 5)
        #expect(code == KafkaErrorCode.unknownTopicOrPartition)
    }

    // MARK: OffsetFetch (9)

    static func offsetFetch(_ group: String, topic: String) -> OffsetFetchRequest {
        var wanted = OffsetFetchRequest.OffsetFetchRequestTopic()
        wanted.name = topic
        wanted.partitionIndexes = [0]
        var request = OffsetFetchRequest()
        request.groupId = group
        request.topics = [wanted]
        return request
    }

    @Test func offsetFetchReturnsCommittedOffsets() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("fetch-offsets")
        let group = uniqueName("fetch-offsets-group")
        try await connection.createTopic(topic)
        let before = try await connection.exchange(Self.offsetFetch(group, topic: topic), version: 7)
        #expect(before.topics.first?.partitions.first?.committedOffset == -1)
        _ = try await connection.commitOffset(group: group, topic: topic, offset: 7)
        let after = try await connection.exchange(Self.offsetFetch(group, topic: topic), version: 7)
        #expect(after.errorCode == KafkaErrorCode.none)
        let partition = try #require(after.topics.first?.partitions.first)
        #expect(partition.errorCode == KafkaErrorCode.none)
        #expect(partition.committedOffset == 7)
        #expect(partition.metadata == "m")
    }

    @Test func offsetFetchForAnEmptyGroupIDIsRefused() async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.offsetFetch("", topic: "t"), version: 7)
        #expect(response.errorCode == KafkaErrorCode.invalidGroupID)
    }

    // MARK: OffsetDelete (47)

    static func offsetDelete(_ group: String, topic: String) -> OffsetDeleteRequest {
        var partition = OffsetDeleteRequest.OffsetDeleteRequestPartition()
        partition.partitionIndex = 0
        var deleted = OffsetDeleteRequest.OffsetDeleteRequestTopic()
        deleted.name = topic
        deleted.partitions = [partition]
        var request = OffsetDeleteRequest()
        request.groupId = group
        request.topics = [deleted]
        return request
    }

    @Test func offsetDeleteForgetsACommittedOffset() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("offset-delete")
        let group = uniqueName("offset-delete-group")
        try await connection.createTopic(topic)
        _ = try await connection.commitOffset(group: group, topic: topic, offset: 3)
        let response = try await connection.exchange(Self.offsetDelete(group, topic: topic), version: 0)
        #expect(response.errorCode == KafkaErrorCode.none)
        #expect(response.topics.first?.partitions.map(\.errorCode) == [KafkaErrorCode.none])
        let fetched = try await connection.exchange(Self.offsetFetch(group, topic: topic), version: 7)
        #expect(fetched.topics.first?.partitions.first?.committedOffset == -1)
    }

    @Test func offsetDeleteForAnUnknownGroupIsRefused() async throws {
        let connection = try await TestGateway.shared().connect()
        let response = try await connection.exchange(Self.offsetDelete(uniqueName("no-such-group"), topic: "t"), version: 0)
        #expect(response.errorCode == KafkaErrorCode.groupIDNotFound)
    }

    // MARK: DescribeGroups (15)

    static func describeGroups(_ groups: [String]) -> DescribeGroupsRequest {
        var request = DescribeGroupsRequest()
        request.groups = groups
        return request
    }

    @Test func describeGroupsShowsAStableGroupsMembers() async throws {
        let connection = try await TestGateway.shared().connect()
        let group = uniqueName("describe")
        let member = try await connection.joinAndSync(group, assignment: [7])
        let response = try await connection.exchange(Self.describeGroups([group]), version: 5)
        let described = try #require(response.groups.first)
        #expect(described.errorCode == KafkaErrorCode.none)
        #expect(described.groupState == "Stable")
        #expect(described.protocolType == "consumer")
        #expect(described.protocolData == "range")
        #expect(described.members.map(\.memberId) == [member.memberID])
        #expect(described.members.first?.clientId == "kafka-gateway-tests")
        #expect(described.members.first?.clientHost == "/127.0.0.1")
        #expect(described.members.first?.memberAssignment == ByteBuffer(bytes: [7]))
    }

    /// An empty group id is INVALID_GROUP_ID; a group nobody knows is Dead, without an error (as Kafka).
    @Test func describeGroupsRefusesAnEmptyGroupID() async throws {
        let connection = try await TestGateway.shared().connect()
        let unknown = uniqueName("no-such-group")
        let response = try await connection.exchange(Self.describeGroups(["", unknown]), version: 5)
        #expect(response.groups.map(\.errorCode) == [KafkaErrorCode.invalidGroupID, KafkaErrorCode.none])
        #expect(response.groups.last?.groupState == "Dead")
    }

    // MARK: ListGroups (16)

    @Test func listGroupsListsKnownGroups() async throws {
        let connection = try await TestGateway.shared().connect()
        let group = uniqueName("list")
        _ = try await connection.joinAndSync(group)
        let response = try await connection.exchange(ListGroupsRequest(), version: 5)
        #expect(response.errorCode == KafkaErrorCode.none)
        let listed = try #require(response.groups.first { $0.groupId == group })
        #expect(listed.groupState == "Stable")
        #expect(listed.protocolType == "consumer")
        #expect(listed.groupType == "classic")
    }

    /// Only classic groups exist here: a filter for the new consumer protocol's groups lists none.
    @Test func listGroupsFilteredByAnotherTypeListsNone() async throws {
        let connection = try await TestGateway.shared().connect()
        _ = try await connection.joinAndSync(uniqueName("list-filtered"))
        var request = ListGroupsRequest()
        request.typesFilter = ["consumer"]
        let response = try await connection.exchange(request, version: 5)
        #expect(response.errorCode == KafkaErrorCode.none)
        #expect(response.groups.isEmpty)
    }

    // MARK: DeleteGroups (42)

    static func deleteGroups(_ groups: [String]) -> DeleteGroupsRequest {
        var request = DeleteGroupsRequest()
        request.groupsNames = groups
        return request
    }

    @Test func deleteGroupsDeletesAGroupWithoutMembers() async throws {
        let connection = try await TestGateway.shared().connect()
        let topic = uniqueName("delete-group-topic")
        let group = uniqueName("delete-group")
        try await connection.createTopic(topic)
        _ = try await connection.commitOffset(group: group, topic: topic, offset: 1)
        let response = try await connection.exchange(Self.deleteGroups([group]), version: 2)
        #expect(response.results.map(\.errorCode) == [KafkaErrorCode.none])
        let fetched = try await connection.exchange(Self.offsetFetch(group, topic: topic), version: 7)
        #expect(fetched.topics.first?.partitions.first?.committedOffset == -1)
    }

    @Test func deleteGroupsRefusesAGroupWithMembers() async throws {
        let connection = try await TestGateway.shared().connect()
        let group = uniqueName("delete-busy")
        _ = try await connection.joinAndSync(group)
        let response = try await connection.exchange(Self.deleteGroups([group]), version: 2)
        #expect(response.results.map(\.errorCode) == [KafkaErrorCode.nonEmptyGroup])
    }
}
