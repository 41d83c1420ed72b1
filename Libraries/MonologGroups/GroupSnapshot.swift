import Foundation
import Logging
import NIOCore

/// A stable group as the coordinator keeps it across a restart of the Kafka gateway: its generation,
/// protocol, leader and members with their assignments. Kafka writes the same (its GroupMetadata
/// record) to `__consumer_offsets` when a rebalance completes, so that members of a group carry on,
/// without rejoining, when its coordinator moves or restarts; and their offset commits, plain or
/// transactional, are still of a generation the coordinator knows.
///
/// Stored as JSON through the storage writer (the writer keeps it as an opaque value per group).
public struct GroupSnapshot: Codable, Sendable, Equatable {
    public struct Member: Codable, Sendable, Equatable {
        public var memberID: String
        public var instanceID: String?
        public var clientID: String
        public var clientHost: String
        public var sessionTimeoutMs: Int64
        public var rebalanceTimeoutMs: Int64
        public var protocols: [MemberProtocolEntry]
        public var assignment: Data
    }

    public struct MemberProtocolEntry: Codable, Sendable, Equatable {
        public var name: String
        public var metadata: Data
    }

    public var groupID: String
    public var generation: Int32
    public var protocolType: String
    public var protocolName: String
    public var leaderID: String
    /// In the order they first joined.
    public var members: [Member]

    public func encoded() -> [UInt8] {
        // Encoding plain strings, integers and Data cannot fail.
        Array((try? JSONEncoder().encode(self)) ?? Data())
    }

}

// In an extension, so that the struct keeps its memberwise initializer (`ClassicGroup.snapshot()` uses it).
extension GroupSnapshot {
    public init(decoding bytes: [UInt8]) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(bytes))
    }
}

/// A change of a group's stored state, for the coordinator's `persist` hook to hand to storage.
public struct GroupStateChange: Sendable, Equatable {
    public var groupID: String
    public var generation: Int32
    /// The group as it now stands; nil once it has no members (storage forgets it).
    public var snapshot: GroupSnapshot?
}

extension ClassicGroup {
    /// The group as stored: only a stable group with members has one.
    func snapshot() -> GroupSnapshot? {
        guard self.state == .stable, let protocolType = self.protocolType, let protocolName = self.protocolName, let leaderID = self.leaderID
        else { return nil }
        return GroupSnapshot(
            groupID: self.id, generation: self.generation, protocolType: protocolType, protocolName: protocolName, leaderID: leaderID,
            members: self.membersInArrivalOrder.map { member in
                GroupSnapshot.Member(
                    memberID: member.memberID, instanceID: member.instanceID, clientID: member.clientID, clientHost: member.clientHost,
                    sessionTimeoutMs: member.sessionTimeout.nanoseconds / 1_000_000,
                    rebalanceTimeoutMs: member.rebalanceTimeout.nanoseconds / 1_000_000,
                    protocols: member.protocols.map { GroupSnapshot.MemberProtocolEntry(name: $0.name, metadata: Data($0.metadata.readableBytesView)) },
                    assignment: Data(member.assignment.readableBytesView)
                )
            }
        )
    }

    /// A group as it was stored, stable, with every member's session starting now: members that are
    /// still alive heartbeat within their session timeout, the others expire and the group rebalances.
    convenience init(restoring snapshot: GroupSnapshot, initialRebalanceDelay: TimeAmount, now: NIODeadline, logger: Logger) {
        self.init(id: snapshot.groupID, initialRebalanceDelay: initialRebalanceDelay, logger: logger)
        var members: [GroupMember] = []
        for member in snapshot.members {
            let sessionTimeout = TimeAmount.milliseconds(member.sessionTimeoutMs)
            members.append(
                GroupMember(
                    memberID: member.memberID, instanceID: member.instanceID, clientID: member.clientID, clientHost: member.clientHost,
                    sessionTimeout: sessionTimeout, rebalanceTimeout: .milliseconds(member.rebalanceTimeoutMs),
                    protocols: member.protocols.map { MemberProtocol(name: $0.name, metadata: ByteBuffer(bytes: $0.metadata)) },
                    assignment: ByteBuffer(bytes: member.assignment), sessionDeadline: now + sessionTimeout, arrival: self.nextArrival()
                )
            )
        }
        self.restore(
            generation: snapshot.generation, protocolType: snapshot.protocolType, protocolName: snapshot.protocolName,
            leaderID: snapshot.leaderID, members: members)
    }
}
