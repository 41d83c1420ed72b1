import MonologGroups
import NIOCore
import Testing

/// The rebalance protocol as clients see it: one leader per generation, everyone answered once the
/// last member has joined, assignments delivered, members that leave or die rebalanced away.
@Suite struct RebalanceTests {
    @Test func aNewMemberFirstGetsAnIdThenJoinsAndLeads() {
        let harness = GroupHarness()
        let first = harness.join(harness.joinRequest()).value!
        #expect(first.error == 79)  // MEMBER_ID_REQUIRED
        #expect(first.memberID.hasPrefix("client-"))
        #expect(harness.state == nil || harness.state == .empty)

        let joined = harness.join(harness.joinRequest(memberID: first.memberID)).value!
        #expect(joined.error == 0)
        #expect(joined.generation == 1)
        #expect(joined.leaderID == first.memberID)
        #expect(joined.protocolName == "range")
        #expect(joined.members.map(\.memberID) == [first.memberID])
        #expect(harness.state == .completingRebalance)

        let synced = harness.sync(first.memberID, generation: 1, assignments: [first.memberID: "all"]).value!
        #expect(synced.error == 0)
        #expect(synced.assignment == ByteBuffer(string: "all"))
        #expect(harness.state == .stable)
    }

    @Test func aSecondMemberWaitsForTheFirstToRejoinAndOnlyTheLeaderGetsTheMembers() {
        let harness = GroupHarness()
        let (a, aJoin) = harness.joinNewMember()
        #expect(aJoin.value?.generation == 1)
        _ = harness.sync(a, generation: 1, assignments: [a: "p0,p1"])

        let (b, bJoin) = harness.joinNewMember()
        #expect(bJoin.value == nil, "B must wait until A rejoins")
        #expect(harness.state == .preparingRebalance)
        #expect(harness.heartbeat(a, generation: 1) == 27)  // REBALANCE_IN_PROGRESS tells A to rejoin

        let aRejoin = harness.join(harness.joinRequest(memberID: a))
        let leader = aRejoin.value!
        let follower = bJoin.value!
        #expect(leader.generation == 2 && follower.generation == 2)
        #expect(leader.leaderID == a && follower.leaderID == a)
        #expect(Set(leader.members.map(\.memberID)) == [a, b])
        #expect(follower.members.isEmpty)

        // The follower's sync waits for the leader's; a member the leader left out gets an empty blob.
        let bSync = harness.sync(b, generation: 2)
        #expect(bSync.value == nil)
        let aSync = harness.sync(a, generation: 2, assignments: [a: "p0,p1"])
        #expect(aSync.value?.assignment == ByteBuffer(string: "p0,p1"))
        #expect(bSync.value?.error == 0)
        #expect(bSync.value?.assignment.readableBytes == 0)
        #expect(harness.state == .stable)
        #expect(harness.heartbeat(b, generation: 2) == 0)
    }

    @Test func aMemberLeavingStartsARebalanceForTheOthers() {
        let harness = GroupHarness()
        let (a, _) = harness.joinNewMember()
        _ = harness.sync(a, generation: 1)
        let (b, bJoin) = harness.joinNewMember()
        _ = harness.join(harness.joinRequest(memberID: a))
        #expect(bJoin.value?.generation == 2)
        _ = harness.sync(a, generation: 2)

        #expect(harness.coordinator.leave(groupID: harness.group, [LeavingMember(memberID: a, instanceID: nil)], now: harness.now) == [0])
        #expect(harness.state == .preparingRebalance)
        #expect(harness.heartbeat(b, generation: 2) == 27)
        let rejoin = harness.join(harness.joinRequest(memberID: b)).value!
        #expect(rejoin.generation == 3)
        #expect(rejoin.leaderID == b, "the remaining member leads the next generation")
        #expect(harness.coordinator.leave(groupID: harness.group, [LeavingMember(memberID: a, instanceID: nil)], now: harness.now) == [25])
    }

    @Test func theLastMemberLeavingEmptiesTheGroup() {
        let harness = GroupHarness()
        let (a, _) = harness.joinNewMember()
        _ = harness.sync(a, generation: 1)
        _ = harness.coordinator.leave(groupID: harness.group, [LeavingMember(memberID: a, instanceID: nil)], now: harness.now)
        #expect(harness.state == .empty)
        #expect(harness.coordinator.describe(groupID: harness.group)?.generation == 2)
        #expect(harness.heartbeat(a, generation: 1) == 25)
    }

    @Test func aMemberThatStopsHeartbeatingIsRemovedAfterItsSessionTimeout() {
        let harness = GroupHarness()
        let (a, _) = harness.joinNewMember(session: .seconds(10))
        _ = harness.sync(a, generation: 1)
        let (b, bJoin) = harness.joinNewMember(session: .seconds(10))
        _ = harness.join(harness.joinRequest(memberID: a, session: .seconds(10)))
        _ = harness.sync(b, generation: 2)
        _ = harness.sync(a, generation: 2)
        #expect(bJoin.value?.generation == 2)

        // A keeps heartbeating; B goes silent.
        for _ in 0..<9 {
            harness.advance(.seconds(1))
            #expect(harness.heartbeat(a, generation: 2) == 0)
        }
        #expect(harness.state == .stable)
        harness.advance(.milliseconds(1_500))
        #expect(harness.state == .preparingRebalance, "B's session expired")
        #expect(harness.heartbeat(b, generation: 2) == 25)
        let rejoin = harness.join(harness.joinRequest(memberID: a)).value!
        #expect(rejoin.generation == 3)
        #expect(rejoin.members.map(\.memberID) == [a])
    }

    @Test func aMemberThatDoesNotRejoinWithinTheRebalanceTimeoutIsLeftOut() {
        let harness = GroupHarness()
        let (a, _) = harness.joinNewMember()
        _ = harness.sync(a, generation: 1)
        let (_, bJoin) = harness.joinNewMember()
        // A keeps heartbeating (REBALANCE_IN_PROGRESS) but never rejoins.
        for _ in 0..<29 {
            harness.advance(.seconds(1))
            #expect(harness.heartbeat(a, generation: 1) == 27)
        }
        #expect(bJoin.value == nil)
        harness.advance(.seconds(2))
        #expect(bJoin.value?.generation == 2)
        #expect(bJoin.value?.members.count == 1, "B leads a generation without A")
        #expect(harness.heartbeat(a, generation: 1) == 25)
    }

    @Test func aLeaderThatNeverSyncsIsDroppedAndTheOthersRejoin() {
        let harness = GroupHarness()
        let (a, _) = harness.joinNewMember()
        _ = harness.sync(a, generation: 1)
        let (b, bJoin) = harness.joinNewMember()
        _ = harness.join(harness.joinRequest(memberID: a))
        #expect(bJoin.value?.leaderID == a)
        let bSync = harness.sync(b, generation: 2)
        harness.advance(.seconds(31))
        #expect(bSync.value?.error == 27)
        let rejoin = harness.join(harness.joinRequest(memberID: b)).value!
        #expect(rejoin.leaderID == b)
        #expect(rejoin.members.map(\.memberID) == [b])
    }

    @Test func theInitialRebalanceDelayHoldsTheFirstGeneration() {
        let harness = GroupHarness(initialRebalanceDelay: .seconds(3))
        let (_, aJoin) = harness.joinNewMember()
        #expect(aJoin.value == nil)
        harness.advance(.seconds(1))
        let (_, bJoin) = harness.joinNewMember()
        #expect(aJoin.value == nil && bJoin.value == nil)
        harness.advance(.seconds(2))
        #expect(aJoin.value?.generation == 1)
        #expect(bJoin.value?.generation == 1)
        #expect(aJoin.value?.members.count == 2)
    }
}
