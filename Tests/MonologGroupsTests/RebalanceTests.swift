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

    /// Issue #21 item 5, on the clock: A holds the partition and is busy for 8 s, longer than its 6 s
    /// session (its client heartbeats, its application does not poll, so it cannot rejoin); B joins. As in Kafka's DelayedJoin, the
    /// join phase ends only when every known member has rejoined, or when the rebalance timeout (the
    /// largest `rebalance_timeout_ms`, the clients' `max.poll.interval.ms`) has passed: B waits for A.
    @Test func issue21_aRebalanceWaitsForAMemberThatIsProcessingUntilItRejoins() {
        let harness = GroupHarness()
        let (a, _) = harness.joinNewMember(session: .seconds(6), rebalance: .seconds(10))
        _ = harness.sync(a, generation: 1, assignments: [a: "p0"])
        let (b, bJoin) = harness.joinNewMember(session: .seconds(6), rebalance: .seconds(10))
        #expect(harness.state == .preparingRebalance)
        for _ in 0..<7 {
            harness.advance(.seconds(1))
            #expect(harness.heartbeat(a, generation: 1) == 27, "A is told to rejoin, and its session is kept")
        }
        harness.advance(.milliseconds(900))
        #expect(bJoin.value == nil, "7.9 s in, A has not rejoined and the rebalance timeout (10 s) has not passed")
        #expect(harness.state == .preparingRebalance)

        harness.advance(.milliseconds(100))
        let aRejoin = harness.join(harness.joinRequest(memberID: a, session: .seconds(6), rebalance: .seconds(10)))
        #expect(aRejoin.value?.generation == 2, "A's rejoin ends the phase at once")
        #expect(bJoin.value?.generation == 2)
        #expect(Set(aRejoin.value?.members.map(\.memberID) ?? []) == [a, b])
        #expect(harness.state == .completingRebalance)
    }

    /// The join phase lasts the largest rebalance timeout of the members when it began, whoever holds
    /// it, and neither member's session timeout: a member that heartbeats but does not rejoin is
    /// dropped only then.
    @Test(arguments: [(10, 20), (20, 10)])
    func theJoinPhaseLastsTheLargestRebalanceTimeoutOfTheMembers(_ aSeconds: Int64, _ bSeconds: Int64) {
        let harness = GroupHarness()
        let (a, _) = harness.joinNewMember(session: .seconds(6), rebalance: .seconds(aSeconds))
        _ = harness.sync(a, generation: 1, assignments: [a: "p0"])
        let (b, bJoin) = harness.joinNewMember(session: .seconds(6), rebalance: .seconds(bSeconds))
        let longest = max(aSeconds, bSeconds)
        for _ in 0..<(longest - 1) {
            harness.advance(.seconds(1))
            #expect(harness.heartbeat(a, generation: 1) == 27)
        }
        harness.advance(.milliseconds(999))
        #expect(bJoin.value == nil, "the phase lasts \(longest) s, not a session timeout (6 s) nor the shorter rebalance timeout")

        harness.advance(.milliseconds(1))
        #expect(bJoin.value?.generation == 2)
        #expect(bJoin.value?.leaderID == b)
        #expect(bJoin.value?.members.map(\.memberID) == [b], "A did not rejoin in time and is left out")
        #expect(harness.heartbeat(a, generation: 1) == 25)  // UNKNOWN_MEMBER_ID: A must join again
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
