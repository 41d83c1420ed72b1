import MonologGroups
import NIOCore
import NIOEmbedded

/// Drives a coordinator through its public API with a clock the test moves by hand.
final class GroupHarness {
    let loop = EmbeddedEventLoop()
    let coordinator: GroupCoordinator
    var now = NIODeadline.uptimeNanoseconds(1_000_000_000)
    let group = "g"

    /// What the coordinator handed to storage, in order.
    let stored = StoredChanges()

    init(initialRebalanceDelay: TimeAmount = .zero) {
        let stored = self.stored
        self.coordinator = GroupCoordinator(
            settings: GroupSettings(initialRebalanceDelay: initialRebalanceDelay),
            timerLoop: self.loop,
            persist: { stored.append($0) }
        )
    }

    func advance(_ amount: TimeAmount) {
        self.now = self.now + amount
        self.coordinator.expire(now: self.now)
    }

    /// A consumer's subscription metadata for `topics`, as clients encode it.
    static func subscription(_ topics: [String]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(Int16(0))
        buffer.writeInteger(Int32(topics.count))
        for topic in topics {
            buffer.writeInteger(Int16(topic.utf8.count))
            buffer.writeString(topic)
        }
        buffer.writeInteger(Int32(-1))
        return buffer
    }

    func joinRequest(
        memberID: String = "",
        instanceID: String? = nil,
        protocols: [String] = ["range"],
        protocolType: String = "consumer",
        session: TimeAmount = .seconds(10),
        rebalance: TimeAmount = .seconds(30),
        v4: Bool = true
    ) -> JoinRequest {
        JoinRequest(
            groupID: self.group, memberID: memberID, instanceID: instanceID, clientID: "client", clientHost: "/127.0.0.1",
            sessionTimeout: session, rebalanceTimeout: rebalance, protocolType: protocolType,
            protocols: protocols.map { MemberProtocol(name: $0, metadata: Self.subscription(["t-\($0)"])) },
            requiresKnownMemberID: v4
        )
    }

    func join(_ request: JoinRequest) -> Pending<JoinOutcome> {
        Pending(self.coordinator.join(request, on: self.loop, now: self.now))
    }

    /// A new member's whole KIP-394 handshake: the id it is given, and its second join, still pending
    /// if others must rejoin first. A static member joins at once; its id comes with the answer.
    func joinNewMember(
        instanceID: String? = nil,
        protocols: [String] = ["range"],
        session: TimeAmount = .seconds(10),
        rebalance: TimeAmount = .seconds(30)
    ) -> (String, Pending<JoinOutcome>) {
        if instanceID != nil {
            let pending = self.join(self.joinRequest(instanceID: instanceID, protocols: protocols, session: session, rebalance: rebalance))
            return (pending.value?.memberID ?? "", pending)
        }
        let first = self.join(self.joinRequest(protocols: protocols, session: session, rebalance: rebalance)).value!
        precondition(first.error == 79, "expected MEMBER_ID_REQUIRED, got \(first.error)")
        return (
            first.memberID,
            self.join(self.joinRequest(memberID: first.memberID, protocols: protocols, session: session, rebalance: rebalance))
        )
    }

    func sync(_ memberID: String, generation: Int32, assignments: [String: String] = [:]) -> Pending<SyncOutcome> {
        let request = SyncRequest(
            groupID: self.group,
            member: MemberIdentity(memberID: memberID, instanceID: nil, generation: generation),
            protocolType: nil, protocolName: nil,
            assignments: assignments.mapValues { ByteBuffer(string: $0) }
        )
        return Pending(self.coordinator.sync(request, on: self.loop, now: self.now))
    }

    func heartbeat(_ memberID: String, generation: Int32, instanceID: String? = nil) -> Int16 {
        self.coordinator.heartbeat(groupID: self.group, MemberIdentity(memberID: memberID, instanceID: instanceID, generation: generation), now: self.now)
    }

    var state: GroupState? { self.coordinator.describe(groupID: self.group)?.state }
}

/// The group-state changes a coordinator persisted.
final class StoredChanges: @unchecked Sendable {  // appended to and read on the test's thread
    private(set) var changes: [GroupStateChange] = []
    func append(_ change: GroupStateChange) { self.changes.append(change) }
}

/// A future's value once it has one; nil while the request is still waiting.
final class Pending<Value: Sendable>: @unchecked Sendable {  // an EmbeddedEventLoop runs everything on the test's thread
    private(set) var value: Value?

    init(_ future: EventLoopFuture<Value>) {
        future.whenSuccess { self.value = $0 }
    }
}
