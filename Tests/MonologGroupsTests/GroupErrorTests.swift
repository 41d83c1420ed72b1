import MonologGroups
import NIOCore
import Testing

/// The errors Kafka gives for requests that do not fit the group's state.
@Suite struct GroupErrorTests {
    @Test func staleGenerationsAndUnknownMembersAreRefused() {
        let harness = GroupHarness()
        let (a, _) = harness.joinNewMember()
        #expect(harness.heartbeat(a, generation: 7) == 22)  // ILLEGAL_GENERATION
        #expect(harness.sync(a, generation: 7).value?.error == 22)
        #expect(harness.heartbeat("stranger", generation: 1) == 25)  // UNKNOWN_MEMBER_ID
        #expect(harness.sync("stranger", generation: 1).value?.error == 25)
        #expect(harness.join(harness.joinRequest(memberID: "stranger")).value?.error == 25)
        #expect(harness.coordinator.heartbeat(groupID: "no-such-group", MemberIdentity(memberID: a, instanceID: nil, generation: 1)) == 25)
    }

    @Test func membersMustShareAProtocolTypeAndAProtocol() {
        let harness = GroupHarness()
        let (a, _) = harness.joinNewMember(protocols: ["range", "roundrobin"])
        _ = harness.sync(a, generation: 1)
        #expect(harness.join(harness.joinRequest(protocols: ["sticky"])).value?.error == 23)  // INCONSISTENT_GROUP_PROTOCOL
        #expect(harness.join(harness.joinRequest(protocolType: "connect")).value?.error == 23)
        #expect(harness.join(harness.joinRequest(protocols: [])).value?.error == 23)

        // The protocol every member supports wins, even if it is not the first member's favourite.
        let (_, bJoin) = harness.joinNewMember(protocols: ["roundrobin"])
        let rejoin = harness.join(harness.joinRequest(memberID: a, protocols: ["range", "roundrobin"])).value!
        #expect(rejoin.protocolName == "roundrobin")
        #expect(bJoin.value?.protocolName == "roundrobin")
    }

    @Test func badGroupIDsAndSessionTimeoutsAreRefused() {
        let harness = GroupHarness()
        var request = harness.joinRequest(session: .seconds(1))
        #expect(harness.join(request).value?.error == 26)  // INVALID_SESSION_TIMEOUT
        request = harness.joinRequest(session: .seconds(3_600))
        #expect(harness.join(request).value?.error == 26)
        request = harness.joinRequest()
        request.groupID = ""
        #expect(harness.join(request).value?.error == 24)  // INVALID_GROUP_ID
    }

    @Test func offsetCommitsAreCheckedAgainstMembershipAndGeneration() {
        let harness = GroupHarness()
        let standalone = MemberIdentity(memberID: "", instanceID: nil, generation: -1)
        #expect(harness.coordinator.checkCommit(groupID: harness.group, standalone) == 0)
        #expect(harness.coordinator.checkCommit(groupID: harness.group, MemberIdentity(memberID: "m", instanceID: nil, generation: 3)) == 22)

        let (a, _) = harness.joinNewMember()
        let current = MemberIdentity(memberID: a, instanceID: nil, generation: 1)
        #expect(harness.coordinator.checkCommit(groupID: harness.group, current) == 27, "no commits before assignments")
        _ = harness.sync(a, generation: 1)
        #expect(harness.coordinator.checkCommit(groupID: harness.group, current) == 0)
        #expect(harness.coordinator.checkCommit(groupID: harness.group, MemberIdentity(memberID: a, instanceID: nil, generation: 0)) == 22)
        #expect(harness.coordinator.checkCommit(groupID: harness.group, standalone) == 25, "the group has members now")
    }

    @Test func aStaticMemberRestartingKeepsItsAssignmentAndFencesItsOldSelf() {
        let harness = GroupHarness()
        let (leader, _) = harness.joinNewMember()
        _ = harness.sync(leader, generation: 1)
        let (_, oldJoin) = harness.joinNewMember(instanceID: "worker-1")
        #expect(oldJoin.value == nil, "a static member joins at once, without MEMBER_ID_REQUIRED, and waits for the leader")
        let leaderJoin = harness.join(harness.joinRequest(memberID: leader)).value!
        #expect(oldJoin.value?.generation == 2)
        let old = oldJoin.value!.memberID
        #expect(leaderJoin.members.first { $0.memberID == old }?.instanceID == "worker-1")
        _ = harness.sync(old, generation: 2)
        _ = harness.sync(leader, generation: 2, assignments: [leader: "p0", old: "p1"])

        // The worker restarts: a new member id, the same instance id, no rebalance.
        let restarted = harness.join(harness.joinRequest(instanceID: "worker-1")).value!
        #expect(restarted.error == 0)
        #expect(restarted.generation == 2)
        #expect(restarted.memberID != old)
        #expect(harness.state == .stable)
        #expect(harness.sync(restarted.memberID, generation: 2).value?.assignment == ByteBuffer(string: "p1"))
        #expect(harness.heartbeat(old, generation: 2, instanceID: "worker-1") == 82)  // FENCED_INSTANCE_ID
        #expect(
            harness.coordinator.leave(groupID: harness.group, [LeavingMember(memberID: old, instanceID: "worker-1")], now: harness.now) == [82]
        )
        #expect(
            harness.coordinator.leave(groupID: harness.group, [LeavingMember(memberID: "", instanceID: "worker-1")], now: harness.now) == [0]
        )
        #expect(harness.state == .preparingRebalance)
    }

    @Test func offsetDeletionIsGuardedBySubscriptions() {
        let harness = GroupHarness()
        #expect(harness.coordinator.offsetDeletionGuard(groupID: harness.group) == .noMembers)
        let (a, _) = harness.joinNewMember(protocols: ["range"])
        #expect(harness.coordinator.offsetDeletionGuard(groupID: harness.group) == .subscribedTopics(["t-range"]))
        #expect(harness.coordinator.delete(groupID: harness.group) == .nonEmpty)
        _ = harness.coordinator.leave(groupID: harness.group, [LeavingMember(memberID: a, instanceID: nil)], now: harness.now)
        #expect(harness.coordinator.delete(groupID: harness.group) == .forgotten(wasKnown: true))
        #expect(harness.coordinator.describe(groupID: harness.group) == nil)
    }
}
