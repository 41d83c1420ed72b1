import MonologStorage
import MonologStorageEngine
import NIOCore
import Testing

/// A consumer group's stored state: the newest generation wins, whatever order changes arrive in, and
/// an empty state forgets the group unless a newer generation was stored since.
@Suite struct GroupStateTests {
    func states(_ fixture: StoreFixture) throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try fixture.reader.groupStates().map { ($0.group, String(decoding: $0.state, as: UTF8.self)) })
    }

    @Test func theNewestGenerationWinsAndAnEmptyStateForgetsTheGroup() throws {
        let fixture = try StoreFixture()
        try fixture.store.storeGroupState(group: "g", generation: 2, state: ByteBuffer(string: "second"))
        try fixture.store.storeGroupState(group: "g", generation: 1, state: ByteBuffer(string: "first, late"))
        try fixture.store.storeGroupState(group: "h", generation: 1, state: ByteBuffer(string: "other"))
        #expect(try self.states(fixture) == ["g": "second", "h": "other"])

        // A late "empty" from an older generation does not forget a newer state.
        try fixture.store.storeGroupState(group: "g", generation: 1, state: ByteBuffer())
        #expect(try self.states(fixture)["g"] == "second")
        try fixture.store.storeGroupState(group: "g", generation: 3, state: ByteBuffer())
        #expect(try self.states(fixture) == ["h": "other"])
    }
}
