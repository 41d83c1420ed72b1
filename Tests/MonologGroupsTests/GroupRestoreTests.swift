import MonologGroups
import NIOCore
import Testing

/// Groups outlive a restart of their coordinator, as Kafka's do: a completed rebalance is handed to
/// storage, and a new coordinator restored from it lets the same members carry on in the same
/// generation; an emptied group is forgotten, and restored members that never come back expire.
@Suite struct GroupRestoreTests {
    /// Two members joined and synced: the stored snapshot, as the last change handed to storage.
    static func stableGroup(_ harness: GroupHarness) throws -> (a: String, b: String, snapshot: GroupSnapshot) {
        let (a, _) = harness.joinNewMember()
        _ = harness.sync(a, generation: 1, assignments: [a: "all"])
        let (b, _) = harness.joinNewMember()
        _ = harness.join(harness.joinRequest(memberID: a))
        _ = harness.sync(b, generation: 2)
        _ = harness.sync(a, generation: 2, assignments: [a: "p0", b: "p1"])
        #expect(harness.state == .stable)
        let last = try #require(harness.stored.changes.last)
        #expect(last.generation == 2)
        return (a, b, try #require(last.snapshot))
    }

    @Test func aCompletedRebalanceIsStoredAndANewCoordinatorCarriesOnFromIt() throws {
        let before = GroupHarness()
        let (a, b, snapshot) = try Self.stableGroup(before)
        #expect(before.stored.changes.map(\.generation) == [1, 2], "one change per completed rebalance")
        #expect(snapshot.members.map(\.memberID) == [a, b])
        #expect(try GroupSnapshot(decoding: snapshot.encoded()) == snapshot)

        let after = GroupHarness()
        after.coordinator.restore([try GroupSnapshot(decoding: snapshot.encoded())], now: after.now)
        #expect(after.state == .stable)
        #expect(after.heartbeat(a, generation: 2) == 0)
        #expect(after.heartbeat(b, generation: 2) == 0)
        #expect(after.coordinator.checkCommit(groupID: after.group, MemberIdentity(memberID: b, instanceID: nil, generation: 2), now: after.now) == 0)
        // An older generation is still refused, as it was before the restart.
        #expect(after.coordinator.checkCommit(groupID: after.group, MemberIdentity(memberID: b, instanceID: nil, generation: 1), now: after.now) == 22)
        let described = try #require(after.coordinator.describe(groupID: after.group))
        #expect(described.generation == 2)
        #expect(described.members.map(\.assignment) == [ByteBuffer(string: "p0"), ByteBuffer(string: "p1")])
        #expect(after.stored.changes.isEmpty, "restoring stores nothing")
    }

    @Test func aGroupThatEmptiesIsForgotten() throws {
        let harness = GroupHarness()
        let (a, b, _) = try Self.stableGroup(harness)
        _ = harness.coordinator.leave(groupID: harness.group, [LeavingMember(memberID: a, instanceID: nil)], now: harness.now)
        _ = harness.coordinator.leave(groupID: harness.group, [LeavingMember(memberID: b, instanceID: nil)], now: harness.now)
        let last = try #require(harness.stored.changes.last)
        #expect(last.snapshot == nil)
        #expect(last.generation > 2)
    }

    @Test func restoredMembersThatNeverComeBackExpireAndTheGroupIsForgotten() throws {
        let before = GroupHarness()
        let (_, _, snapshot) = try Self.stableGroup(before)
        let after = GroupHarness()
        after.coordinator.restore([snapshot], now: after.now)
        after.advance(.seconds(9))
        #expect(after.state == .stable, "sessions (10 s) start at the restore")
        after.advance(.seconds(2))
        #expect(after.state == .empty)
        #expect(after.stored.changes.last?.snapshot == nil)
    }
}
