import Foundation
import Logging
import MonologKafkaProtocol
import NIOCore

/// The group's answers to its members' requests, following Kafka's GroupCoordinator check for check.
extension ClassicGroup {
    // MARK: JoinGroup

    func join(_ request: JoinRequest, promise: EventLoopPromise<JoinOutcome>, now: NIODeadline, replies: inout GroupReplies) {
        self.logger.debug(
            "join",
            metadata: ["kafka.member": "\(request.memberID)", "kafka.client_id": "\(request.clientID)", "kafka.group_state": "\(self.state.rawValue)"]
        )
        if request.memberID.isEmpty {
            self.joinNewMember(request, promise: promise, now: now, replies: &replies)
        } else {
            self.joinKnownMember(request, promise: promise, now: now, replies: &replies)
        }
    }

    private func joinNewMember(_ request: JoinRequest, promise: EventLoopPromise<JoinOutcome>, now: NIODeadline, replies: inout GroupReplies) {
        guard self.accepts(protocolType: request.protocolType, protocols: request.protocols) else {
            replies.answer(promise, .failure(KafkaErrorCode.inconsistentGroupProtocol))
            return
        }
        let memberID = "\(request.clientID)-\(UUID().uuidString.lowercased())"
        if let instanceID = request.instanceID, let previousID = self.staticMembers[instanceID], self.members[previousID] != nil {
            self.replaceStaticMember(previousID, with: memberID, request, promise: promise, now: now, replies: &replies)
        } else if request.requiresKnownMemberID && request.instanceID == nil {
            // KIP-394: the id is only reserved; the member joins for real with its second request.
            self.pendingMemberIDs[memberID] = now + request.sessionTimeout
            replies.answer(promise, .failure(KafkaErrorCode.memberIDRequired, memberID: memberID))
        } else {
            self.add(self.newMember(memberID, request, promise: promise, now: now), protocolType: request.protocolType, now: now, replies: &replies)
        }
    }

    private func joinKnownMember(_ request: JoinRequest, promise: EventLoopPromise<JoinOutcome>, now: NIODeadline, replies: inout GroupReplies) {
        let memberID = request.memberID
        if self.pendingMemberIDs.removeValue(forKey: memberID) != nil {
            guard self.accepts(protocolType: request.protocolType, protocols: request.protocols) else {
                replies.answer(promise, .failure(KafkaErrorCode.inconsistentGroupProtocol, memberID: memberID))
                return
            }
            self.add(self.newMember(memberID, request, promise: promise, now: now), protocolType: request.protocolType, now: now, replies: &replies)
            return
        }
        if self.isFenced(memberID: memberID, instanceID: request.instanceID) {
            replies.answer(promise, .failure(KafkaErrorCode.fencedInstanceID, memberID: memberID))
            return
        }
        guard let member = self.members[memberID], self.state != .empty else {
            replies.answer(promise, .failure(KafkaErrorCode.unknownMemberID, memberID: memberID))
            return
        }
        guard self.accepts(protocolType: request.protocolType, protocols: request.protocols) else {
            replies.answer(promise, .failure(KafkaErrorCode.inconsistentGroupProtocol, memberID: memberID))
            return
        }
        let unchanged = member.protocols == request.protocols
        switch self.state {
        case .completingRebalance where unchanged:
            // The member missed its JoinGroup response: the same generation again.
            self.members[memberID]?.heard(at: now)
            replies.answer(promise, self.joinOutcome(for: memberID))
        case .stable where unchanged && memberID != self.leaderID:
            self.members[memberID]?.heard(at: now)
            replies.answer(promise, self.joinOutcome(for: memberID))
        default:
            // Rejoining during a rebalance, or a change only a new generation can take in (new
            // protocols, or the leader asking to reassign, as after a metadata change).
            self.update(memberID, request, promise: promise, replies: &replies)
            self.rebalance(now: now, replies: &replies)
        }
    }

    /// A static member restarted under a new member id: the old id is fenced, and the group keeps its
    /// assignment without a rebalance when nothing it depends on changed.
    private func replaceStaticMember(
        _ previousID: String,
        with memberID: String,
        _ request: JoinRequest,
        promise: EventLoopPromise<JoinOutcome>,
        now: NIODeadline,
        replies: inout GroupReplies
    ) {
        guard var member = self.members.removeValue(forKey: previousID) else { return }
        replies.answer(member.pendingJoin, .failure(KafkaErrorCode.fencedInstanceID, memberID: previousID))
        replies.answer(member.pendingSync, .failure(KafkaErrorCode.fencedInstanceID))
        let unchanged = member.protocols == request.protocols
        let wasLeader = self.leaderID == previousID
        member.memberID = memberID
        member.clientID = request.clientID
        member.clientHost = request.clientHost
        member.sessionTimeout = request.sessionTimeout
        member.rebalanceTimeout = request.rebalanceTimeout
        member.protocols = request.protocols
        member.pendingJoin = nil
        member.pendingSync = nil
        member.heard(at: now)
        self.members[memberID] = member
        self.staticMembers[request.instanceID!] = memberID
        if wasLeader { self.replaceLeader(with: memberID) }
        if self.state == .stable && unchanged && !wasLeader {
            replies.answer(promise, self.joinOutcome(for: memberID))
        } else {
            // A leader must compute assignments again, so it takes a rebalance (the skip-assignment
            // shortcut of JoinGroup v9 is not needed for correctness).
            self.members[memberID]?.pendingJoin = promise
            self.rebalance(now: now, replies: &replies)
        }
    }

    private func newMember(_ memberID: String, _ request: JoinRequest, promise: EventLoopPromise<JoinOutcome>, now: NIODeadline) -> GroupMember {
        GroupMember(
            memberID: memberID,
            instanceID: request.instanceID,
            clientID: request.clientID,
            clientHost: request.clientHost,
            sessionTimeout: request.sessionTimeout,
            rebalanceTimeout: request.rebalanceTimeout,
            protocols: request.protocols,
            pendingJoin: promise,
            sessionDeadline: now + request.sessionTimeout,
            arrival: self.nextArrival()
        )
    }

    private func update(_ memberID: String, _ request: JoinRequest, promise: EventLoopPromise<JoinOutcome>, replies: inout GroupReplies) {
        // A second JoinGroup while the first still waits: the first is answered, so that responses on
        // that connection stay in order.
        replies.answer(self.members[memberID]?.pendingJoin, .failure(KafkaErrorCode.rebalanceInProgress, memberID: memberID))
        self.members[memberID]?.protocols = request.protocols
        self.members[memberID]?.sessionTimeout = request.sessionTimeout
        self.members[memberID]?.rebalanceTimeout = request.rebalanceTimeout
        self.members[memberID]?.clientID = request.clientID
        self.members[memberID]?.clientHost = request.clientHost
        self.members[memberID]?.pendingJoin = promise
    }

    // MARK: SyncGroup, Heartbeat, OffsetCommit

    /// The checks SyncGroup, Heartbeat and OffsetCommit share: the member is the one holding its
    /// instance id, is in the group, and speaks for the current generation.
    private func check(_ identity: MemberIdentity) -> Int16? {
        if self.isFenced(memberID: identity.memberID, instanceID: identity.instanceID) { return KafkaErrorCode.fencedInstanceID }
        guard self.members[identity.memberID] != nil else { return KafkaErrorCode.unknownMemberID }
        guard identity.generation == self.generation else { return KafkaErrorCode.illegalGeneration }
        return nil
    }

    func sync(_ request: SyncRequest, promise: EventLoopPromise<SyncOutcome>, now: NIODeadline, replies: inout GroupReplies) {
        if let error = self.check(request.member) {
            replies.answer(promise, .failure(error))
            return
        }
        if let type = request.protocolType, type != self.protocolType {
            replies.answer(promise, .failure(KafkaErrorCode.inconsistentGroupProtocol))
            return
        }
        if let name = request.protocolName, name != self.protocolName {
            replies.answer(promise, .failure(KafkaErrorCode.inconsistentGroupProtocol))
            return
        }
        let memberID = request.member.memberID
        self.members[memberID]?.heard(at: now)
        switch self.state {
        case .empty:
            replies.answer(promise, .failure(KafkaErrorCode.unknownMemberID))
        case .preparingRebalance:
            replies.answer(promise, .failure(KafkaErrorCode.rebalanceInProgress))
        case .completingRebalance:
            replies.answer(self.members[memberID]?.pendingSync, .failure(KafkaErrorCode.rebalanceInProgress))
            self.members[memberID]?.pendingSync = promise
            if memberID == self.leaderID {
                self.applyAssignments(request.assignments, now: now, replies: &replies)
            }
        case .stable:
            replies.answer(promise, self.syncOutcome(for: memberID))
        }
    }

    func heartbeat(_ identity: MemberIdentity, now: NIODeadline) -> Int16 {
        if self.state == .empty { return KafkaErrorCode.unknownMemberID }
        if let error = self.check(identity) { return error }
        self.members[identity.memberID]?.heard(at: now)
        return self.state == .preparingRebalance ? KafkaErrorCode.rebalanceInProgress : KafkaErrorCode.none
    }

    /// Whether `identity` may commit offsets for this group now. A commit without a generation
    /// (-1, from a consumer that manages its own partitions) is allowed while the group has no members.
    func checkCommit(_ identity: MemberIdentity, now: NIODeadline) -> Int16 {
        if self.isFenced(memberID: identity.memberID, instanceID: identity.instanceID) { return KafkaErrorCode.fencedInstanceID }
        if identity.generation < 0 && self.state == .empty { return KafkaErrorCode.none }
        if self.state == .completingRebalance { return KafkaErrorCode.rebalanceInProgress }
        if let error = self.check(identity) { return error }
        self.members[identity.memberID]?.heard(at: now)
        return KafkaErrorCode.none
    }

    // MARK: LeaveGroup

    func leave(_ leaving: LeavingMember, now: NIODeadline, replies: inout GroupReplies) -> Int16 {
        if let instanceID = leaving.instanceID {
            guard let holder = self.staticMembers[instanceID] else { return KafkaErrorCode.unknownMemberID }
            if !leaving.memberID.isEmpty && leaving.memberID != holder { return KafkaErrorCode.fencedInstanceID }
            self.remove(holder, reason: "left the group", now: now, replies: &replies)
            return KafkaErrorCode.none
        }
        if self.pendingMemberIDs.removeValue(forKey: leaving.memberID) != nil {
            self.completeJoinPhaseIfReady(now: now, replies: &replies)
            return KafkaErrorCode.none
        }
        guard self.members[leaving.memberID] != nil else { return KafkaErrorCode.unknownMemberID }
        self.remove(leaving.memberID, reason: "left the group", now: now, replies: &replies)
        return KafkaErrorCode.none
    }
}
