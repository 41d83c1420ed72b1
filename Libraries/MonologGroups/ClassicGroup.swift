import Logging
import MonologKafkaProtocol
import NIOCore

/// A classic consumer group (the JoinGroup/SyncGroup protocol) and its rebalance state machine, as
/// Kafka's group coordinator runs it:
///
///     Empty ──join──▶ PreparingRebalance ──all joined──▶ CompletingRebalance ──leader syncs──▶ Stable
///                            ▲                                   │                            │
///                            └──────── member joins, leaves, dies, or changes protocols ──────┘
///
/// Every method takes the current time, so the machine can be driven by a test as well as by the clock.
final class ClassicGroup {
    let id: String
    let initialRebalanceDelay: TimeAmount
    let logger: Logger
    private(set) var state: GroupState = .empty
    private(set) var generation: Int32 = 0
    private(set) var protocolType: String?
    private(set) var protocolName: String?
    private(set) var leaderID: String?
    var members: [String: GroupMember] = [:]
    /// Member ids handed out with MEMBER_ID_REQUIRED, waiting for that member's second JoinGroup.
    var pendingMemberIDs: [String: NIODeadline] = [:]
    /// `group.instance.id` → the member id that currently holds it.
    var staticMembers: [String: String] = [:]
    private var arrivals = 0
    /// PreparingRebalance: the join phase ends when everyone has joined (not before `earliestJoinEnd`),
    /// or at `joinDeadline` without those who did not.
    private var earliestJoinEnd = NIODeadline.distantPast
    private var joinDeadline = NIODeadline.distantFuture
    /// CompletingRebalance: the leader must send its assignments before this.
    private var syncDeadline = NIODeadline.distantFuture
    /// Set when what storage keeps of the group must change (see `GroupSnapshot`): a rebalance
    /// completed, or the group became empty. The coordinator hands the change on and clears it.
    var storedStateChanged = false

    init(id: String, initialRebalanceDelay: TimeAmount, logger: Logger) {
        self.id = id
        self.initialRebalanceDelay = initialRebalanceDelay
        var logger = logger
        logger[metadataKey: "kafka.group"] = "\(id)"
        self.logger = logger
    }

    var isEmpty: Bool { self.members.isEmpty && self.pendingMemberIDs.isEmpty }

    /// Puts the group back as storage kept it: stable, in this generation, with these members.
    func restore(generation: Int32, protocolType: String, protocolName: String, leaderID: String, members: [GroupMember]) {
        self.state = .stable
        self.generation = generation
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.leaderID = leaderID
        for member in members {
            self.members[member.memberID] = member
            if let instanceID = member.instanceID { self.staticMembers[instanceID] = member.memberID }
        }
    }

    var membersInArrivalOrder: [GroupMember] { self.members.values.sorted { $0.arrival < $1.arrival } }

    /// A request from `memberID` claiming `instanceID` comes from a member that another has replaced.
    func isFenced(memberID: String, instanceID: String?) -> Bool {
        guard let instanceID, let holder = self.staticMembers[instanceID] else { return false }
        return holder != memberID
    }

    // MARK: Protocols

    /// Whether a member with these protocols can be in this group: same protocol type, and at least
    /// one protocol every current member also supports.
    func accepts(protocolType: String, protocols: [MemberProtocol]) -> Bool {
        if self.members.isEmpty { return !protocolType.isEmpty && !protocols.isEmpty }
        guard protocolType == self.protocolType else { return false }
        let candidates = self.commonProtocols()
        return protocols.contains { candidates.contains($0.name) }
    }

    private func commonProtocols() -> Set<String> {
        var common: Set<String>?
        for member in self.members.values {
            let names = Set(member.protocols.map(\.name))
            common = common.map { $0.intersection(names) } ?? names
        }
        return common ?? []
    }

    /// The protocol most members prefer among those all of them support.
    private func selectProtocol() -> String? {
        let candidates = self.commonProtocols()
        var votes: [String: Int] = [:]
        for member in self.membersInArrivalOrder {
            if let choice = member.vote(among: candidates) { votes[choice, default: 0] += 1 }
        }
        // Ties go to the earliest member's preference, so the choice does not depend on hashing.
        let preference = self.membersInArrivalOrder.first?.protocols.map(\.name) ?? []
        return votes.max { lhs, rhs in
            lhs.value != rhs.value
                ? lhs.value < rhs.value
                : (preference.firstIndex(of: lhs.key) ?? .max) > (preference.firstIndex(of: rhs.key) ?? .max)
        }?.key
    }

    // MARK: Membership changes

    func nextArrival() -> Int {
        self.arrivals += 1
        return self.arrivals
    }

    func add(_ member: GroupMember, protocolType: String, now: NIODeadline, replies: inout GroupReplies) {
        if self.members.isEmpty { self.protocolType = protocolType }
        self.members[member.memberID] = member
        if let instanceID = member.instanceID { self.staticMembers[instanceID] = member.memberID }
        if self.leaderID == nil { self.leaderID = member.memberID }
        self.rebalance(now: now, replies: &replies)
    }

    func replaceLeader(with memberID: String) {
        self.leaderID = memberID
    }

    /// Takes a member out (it left, or its session expired) and rebalances the others.
    func remove(_ memberID: String, reason: String, now: NIODeadline, replies: inout GroupReplies) {
        guard let member = self.members.removeValue(forKey: memberID) else { return }
        self.logger.info("member removed: \(reason)", metadata: ["kafka.member": "\(memberID)", "kafka.client_id": "\(member.clientID)"])
        replies.answer(member.pendingJoin, .failure(KafkaErrorCode.unknownMemberID, memberID: memberID))
        replies.answer(member.pendingSync, .failure(KafkaErrorCode.unknownMemberID))
        if let instanceID = member.instanceID, self.staticMembers[instanceID] == memberID {
            self.staticMembers.removeValue(forKey: instanceID)
        }
        if self.leaderID == memberID { self.leaderID = nil }
        self.rebalance(now: now, replies: &replies)
    }

    /// Moves the group to PreparingRebalance (unless it is there already) and ends the join phase if
    /// nobody else needs to join.
    func rebalance(now: NIODeadline, replies: inout GroupReplies) {
        switch self.state {
        case .preparingRebalance:
            break
        case .completingRebalance:
            // Members waiting for assignments of a generation that is now over learn so, and rejoin.
            for id in self.members.keys {
                replies.answer(self.members[id]?.pendingSync, .failure(KafkaErrorCode.rebalanceInProgress))
                self.members[id]?.pendingSync = nil
            }
            self.startJoinPhase(now: now, fromEmpty: false)
        case .stable:
            self.startJoinPhase(now: now, fromEmpty: false)
        case .empty:
            self.startJoinPhase(now: now, fromEmpty: true)
        }
        self.completeJoinPhaseIfReady(now: now, replies: &replies)
    }

    private func startJoinPhase(now: NIODeadline, fromEmpty: Bool) {
        self.state = .preparingRebalance
        let longest = self.members.values.map(\.rebalanceTimeout).max() ?? .zero
        self.joinDeadline = now + longest
        // group.initial.rebalance.delay.ms: a new group waits a moment for its other members to arrive.
        self.earliestJoinEnd = fromEmpty ? now + min(self.initialRebalanceDelay, longest) : now
    }

    // MARK: Completing rebalances

    /// Ends the join phase when everyone has rejoined, or when the rebalance timeout has passed.
    func completeJoinPhaseIfReady(now: NIODeadline, replies: inout GroupReplies) {
        guard self.state == .preparingRebalance else { return }
        let everyoneJoined = self.pendingMemberIDs.isEmpty && self.members.values.allSatisfy { $0.pendingJoin != nil }
        if (everyoneJoined && now >= self.earliestJoinEnd) || now >= self.joinDeadline {
            self.completeJoinPhase(now: now, replies: &replies)
        }
    }

    /// Starts the next generation with the members that rejoined; the leader gets everyone's metadata.
    private func completeJoinPhase(now: NIODeadline, replies: inout GroupReplies) {
        // A dynamic member that did not rejoin in time is gone; a static one keeps its place (KIP-345).
        for member in self.members.values where member.pendingJoin == nil && !member.isStatic {
            self.logger.info("member removed: did not rejoin within the rebalance timeout", metadata: ["kafka.member": "\(member.memberID)"])
            self.members.removeValue(forKey: member.memberID)
            if self.leaderID == member.memberID { self.leaderID = nil }
        }
        self.pendingMemberIDs.removeAll()
        self.generation += 1
        let joined = self.membersInArrivalOrder.filter { $0.pendingJoin != nil }
        guard !joined.isEmpty else {
            self.state = .empty
            self.protocolName = nil
            self.leaderID = nil
            self.storedStateChanged = true
            self.logger.info("group is empty", metadata: ["kafka.generation": "\(self.generation)"])
            return
        }
        self.protocolName = self.selectProtocol()
        if self.leaderID.flatMap({ self.members[$0]?.pendingJoin }) == nil { self.leaderID = joined[0].memberID }
        self.state = .completingRebalance
        self.logger.info(
            "group rebalanced",
            metadata: [
                "kafka.generation": "\(self.generation)", "kafka.members": "\(joined.count)",
                "kafka.protocol": "\(self.protocolName ?? "")", "kafka.leader": "\(self.leaderID ?? "")",
            ]
        )
        self.syncDeadline = now + (self.members.values.map(\.rebalanceTimeout).max() ?? .zero)
        for member in joined {
            replies.answer(member.pendingJoin, self.joinOutcome(for: member.memberID))
            self.members[member.memberID]?.pendingJoin = nil
            self.members[member.memberID]?.heard(at: now)
            self.members[member.memberID]?.assignment = ByteBuffer()
        }
    }

    /// The current generation, as a JoinGroup response for `memberID`.
    func joinOutcome(for memberID: String) -> JoinOutcome {
        let protocolName = self.protocolName ?? ""
        let isLeader = memberID == self.leaderID
        return JoinOutcome(
            error: KafkaErrorCode.none,
            generation: self.generation,
            protocolType: self.protocolType,
            protocolName: protocolName,
            leaderID: self.leaderID ?? "",
            memberID: memberID,
            members: isLeader
                ? self.membersInArrivalOrder.map {
                    JoinOutcome.Member(memberID: $0.memberID, instanceID: $0.instanceID, metadata: $0.metadata(for: protocolName))
                }
                : []
        )
    }

    /// The leader's SyncGroup: every member gets its assignment (an empty one if the leader gave none).
    func applyAssignments(_ assignments: [String: ByteBuffer], now: NIODeadline, replies: inout GroupReplies) {
        for id in self.members.keys {
            self.members[id]?.assignment = assignments[id] ?? ByteBuffer()
        }
        self.state = .stable
        self.syncDeadline = .distantFuture
        self.storedStateChanged = true
        for member in self.members.values {
            replies.answer(member.pendingSync, self.syncOutcome(for: member.memberID))
            self.members[member.memberID]?.pendingSync = nil
            self.members[member.memberID]?.heard(at: now)
        }
    }

    func syncOutcome(for memberID: String) -> SyncOutcome {
        SyncOutcome(
            error: KafkaErrorCode.none,
            protocolType: self.protocolType,
            protocolName: self.protocolName,
            assignment: self.members[memberID]?.assignment ?? ByteBuffer()
        )
    }

    // MARK: Time

    /// Expires what has waited too long: member ids never used, members not heard from within their
    /// session timeout, a leader that never sent assignments, a join phase past its rebalance timeout.
    func expire(now: NIODeadline, replies: inout GroupReplies) {
        let expiredIDs = self.pendingMemberIDs.filter { $0.value <= now }.map(\.key)
        for id in expiredIDs { self.pendingMemberIDs.removeValue(forKey: id) }
        for member in self.membersInArrivalOrder where !member.isWaiting && member.sessionDeadline <= now {
            self.remove(member.memberID, reason: "session timeout expired", now: now, replies: &replies)
        }
        if self.state == .completingRebalance && now >= self.syncDeadline {
            // The leader never sent assignments: members that did not sync are dropped, the rest rejoin.
            // (The leader is always among them, so the first removal starts the rebalance.)
            for member in self.membersInArrivalOrder where member.pendingSync == nil {
                self.remove(member.memberID, reason: "no SyncGroup within the rebalance timeout", now: now, replies: &replies)
            }
        }
        self.completeJoinPhaseIfReady(now: now, replies: &replies)
    }

    func describe() -> GroupDescription {
        let stable = self.state == .stable
        let protocolName = stable ? (self.protocolName ?? "") : ""
        return GroupDescription(
            groupID: self.id,
            state: self.state,
            protocolType: self.protocolType ?? "",
            protocolName: protocolName,
            generation: self.generation,
            members: self.membersInArrivalOrder.map {
                GroupDescription.Member(
                    memberID: $0.memberID,
                    instanceID: $0.instanceID,
                    clientID: $0.clientID,
                    clientHost: $0.clientHost,
                    metadata: stable ? $0.metadata(for: protocolName) : ByteBuffer(),
                    assignment: stable ? $0.assignment : ByteBuffer()
                )
            }
        )
    }
}
