import NIOCore

/// One member of a classic group, with the requests of it that are still waiting for an answer.
struct GroupMember {
    var memberID: String
    var instanceID: String?
    var clientID: String
    var clientHost: String
    var sessionTimeout: TimeAmount
    var rebalanceTimeout: TimeAmount
    var protocols: [MemberProtocol]
    /// What the leader assigned this member in the current generation.
    var assignment = ByteBuffer()
    /// A JoinGroup waiting for the rebalance to complete.
    var pendingJoin: EventLoopPromise<JoinOutcome>?
    /// A SyncGroup waiting for the leader's assignments.
    var pendingSync: EventLoopPromise<SyncOutcome>?
    /// The member is dead unless it is heard from (heartbeat, join, sync, commit) before this.
    var sessionDeadline: NIODeadline
    /// Order of arrival, so that listings and the choice of leader are stable.
    var arrival: Int

    var isStatic: Bool { self.instanceID != nil }

    /// Waiting in a join or a sync, a member is alive: the rebalance's own deadlines govern it then.
    var isWaiting: Bool { self.pendingJoin != nil || self.pendingSync != nil }

    func metadata(for protocolName: String) -> ByteBuffer {
        self.protocols.first { $0.name == protocolName }?.metadata ?? ByteBuffer()
    }

    /// The member's preferred protocol among those every member supports.
    func vote(among candidates: Set<String>) -> String? {
        self.protocols.first { candidates.contains($0.name) }?.name
    }

    mutating func heard(at now: NIODeadline) {
        self.sessionDeadline = now + self.sessionTimeout
    }
}
