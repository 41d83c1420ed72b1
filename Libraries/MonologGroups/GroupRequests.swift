import MonologKafkaProtocol
import NIOCore

/// One protocol a member can use (an assignor, for consumers), with the metadata it sends for it.
public struct MemberProtocol: Hashable, Sendable {
    public var name: String
    public var metadata: ByteBuffer

    public init(name: String, metadata: ByteBuffer) {
        self.name = name
        self.metadata = metadata
    }
}

/// A JoinGroup request, whatever its version.
public struct JoinRequest: Sendable {
    public var groupID: String
    /// Empty for a member joining for the first time.
    public var memberID: String
    /// `group.instance.id`: set for a static member.
    public var instanceID: String?
    public var clientID: String
    public var clientHost: String
    public var sessionTimeout: TimeAmount
    public var rebalanceTimeout: TimeAmount
    public var protocolType: String
    public var protocols: [MemberProtocol]
    /// JoinGroup v4+ (KIP-394): a new member first gets an id with MEMBER_ID_REQUIRED and joins again with it.
    public var requiresKnownMemberID: Bool

    public init(
        groupID: String, memberID: String, instanceID: String?, clientID: String, clientHost: String,
        sessionTimeout: TimeAmount, rebalanceTimeout: TimeAmount, protocolType: String, protocols: [MemberProtocol],
        requiresKnownMemberID: Bool
    ) {
        self.groupID = groupID
        self.memberID = memberID
        self.instanceID = instanceID
        self.clientID = clientID
        self.clientHost = clientHost
        self.sessionTimeout = sessionTimeout
        self.rebalanceTimeout = rebalanceTimeout
        self.protocolType = protocolType
        self.protocols = protocols
        self.requiresKnownMemberID = requiresKnownMemberID
    }
}

/// What a JoinGroup request gets back, once its rebalance completes (or at once, for an error).
public struct JoinOutcome: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var memberID: String
        public var instanceID: String?
        public var metadata: ByteBuffer
    }

    public var error: Int16
    public var generation: Int32
    public var protocolType: String?
    public var protocolName: String?
    public var leaderID: String
    public var memberID: String
    /// Every member's metadata for the chosen protocol, for the leader only; empty for the others.
    public var members: [Member]

    static func failure(_ error: Int16, memberID: String = "") -> JoinOutcome {
        JoinOutcome(error: error, generation: -1, protocolType: nil, protocolName: nil, leaderID: "", memberID: memberID, members: [])
    }
}

/// Identifies the member a SyncGroup, Heartbeat or OffsetCommit comes from.
public struct MemberIdentity: Sendable, Hashable {
    public var memberID: String
    public var instanceID: String?
    public var generation: Int32

    public init(memberID: String, instanceID: String?, generation: Int32) {
        self.memberID = memberID
        self.instanceID = instanceID
        self.generation = generation
    }
}

/// A SyncGroup request, whatever its version.
public struct SyncRequest: Sendable {
    public var groupID: String
    public var member: MemberIdentity
    /// v5+: the protocol the member believes the group uses; nil when not sent.
    public var protocolType: String?
    public var protocolName: String?
    /// The leader's assignments, by member id; empty from the other members.
    public var assignments: [String: ByteBuffer]

    public init(groupID: String, member: MemberIdentity, protocolType: String?, protocolName: String?, assignments: [String: ByteBuffer]) {
        self.groupID = groupID
        self.member = member
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.assignments = assignments
    }
}

public struct SyncOutcome: Sendable, Equatable {
    public var error: Int16
    public var protocolType: String?
    public var protocolName: String?
    public var assignment: ByteBuffer

    static func failure(_ error: Int16) -> SyncOutcome {
        SyncOutcome(error: error, protocolType: nil, protocolName: nil, assignment: ByteBuffer())
    }
}

/// A member leaving, as LeaveGroup names it: by member id, or (v3+) by `group.instance.id`.
public struct LeavingMember: Sendable, Hashable {
    public var memberID: String
    public var instanceID: String?

    public init(memberID: String, instanceID: String?) {
        self.memberID = memberID
        self.instanceID = instanceID
    }
}

/// What DescribeGroups shows of a group that has members (or had them since this gateway started).
public struct GroupDescription: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var memberID: String
        public var instanceID: String?
        public var clientID: String
        public var clientHost: String
        public var metadata: ByteBuffer
        public var assignment: ByteBuffer
    }

    public var groupID: String
    public var state: GroupState
    public var protocolType: String
    /// The chosen protocol while the group is Stable, otherwise empty (as Kafka reports it).
    public var protocolName: String
    public var generation: Int32
    public var members: [Member]
}

/// The states of a classic group, named as Kafka names them in DescribeGroups and ListGroups.
public enum GroupState: String, Sendable, CaseIterable {
    case empty = "Empty"
    case preparingRebalance = "PreparingRebalance"
    case completingRebalance = "CompletingRebalance"
    case stable = "Stable"
}
