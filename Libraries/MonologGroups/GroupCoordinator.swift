import Logging
import MonologKafkaProtocol
import NIOCore
import Synchronization

/// Limits on what members may ask for, with Kafka's defaults.
public struct GroupSettings: Sendable {
    /// `group.initial.rebalance.delay.ms`: how long a new group's first rebalance waits for more members.
    public var initialRebalanceDelay: TimeAmount
    /// `group.min.session.timeout.ms` and `group.max.session.timeout.ms`.
    public var minSessionTimeout: TimeAmount
    public var maxSessionTimeout: TimeAmount
    /// How often member sessions and rebalance deadlines are checked while any group has members.
    public var expiryInterval: TimeAmount

    public init(
        initialRebalanceDelay: TimeAmount = .zero,
        minSessionTimeout: TimeAmount = .milliseconds(6_000),
        maxSessionTimeout: TimeAmount = .milliseconds(1_800_000),
        expiryInterval: TimeAmount = .milliseconds(100)
    ) {
        self.initialRebalanceDelay = initialRebalanceDelay
        self.minSessionTimeout = minSessionTimeout
        self.maxSessionTimeout = maxSessionTimeout
        self.expiryInterval = expiryInterval
    }
}

/// The coordinator of every classic consumer group: membership, rebalances and generations live here,
/// in memory, as in one Kafka broker's group coordinator. What must outlive the process goes to
/// storage: committed offsets (written by the APIs), and each group's state whenever a rebalance
/// completes or the group empties (`persist`, with a `GroupStateChange`), from which a new coordinator
/// starts (`restore`): stable groups carry on across a gateway restart, as Kafka's do across a
/// coordinator's, and their members' commits keep their generation.
///
/// Requests arrive from many event loops; one lock guards all groups. Answers are delivered after the
/// lock is released. Timeouts are checked on a timer that runs only while some group has members.
public final class GroupCoordinator: Sendable {
    private struct Registry {
        var groups: [String: ClassicGroup] = [:]
        var expiryScheduled = false

        var hasMembers: Bool { self.groups.values.contains { !$0.isEmpty } }
    }

    private let settings: GroupSettings
    private let timerLoop: any EventLoop
    private let registry = Mutex(Registry())
    private let logger: Logger
    /// Called, outside the lock, with each change of a group's stored state, in the order they happened.
    private let persist: (@Sendable (GroupStateChange) -> Void)?
    /// Serialises `persist` calls, so that storage hears a group's changes in order.
    private let persisting = Mutex(())

    public init(
        settings: GroupSettings, timerLoop: any EventLoop, logger: Logger = Logger(label: "monolog.groups"),
        persist: (@Sendable (GroupStateChange) -> Void)? = nil
    ) {
        self.settings = settings
        self.timerLoop = timerLoop
        self.logger = logger
        self.persist = persist
    }

    /// Puts back the groups storage kept, stable, each member's session starting `now`. Called once,
    /// before any request.
    public func restore(_ snapshots: [GroupSnapshot], now: NIODeadline = .now()) {
        guard !snapshots.isEmpty else { return }
        let startTimer = self.registry.withLock { registry -> Bool in
            for snapshot in snapshots {
                registry.groups[snapshot.groupID] = ClassicGroup(
                    restoring: snapshot, initialRebalanceDelay: self.settings.initialRebalanceDelay, now: now, logger: self.logger)
            }
            guard !registry.expiryScheduled, registry.hasMembers else { return false }
            registry.expiryScheduled = true
            return true
        }
        self.logger.info("consumer groups restored", metadata: ["kafka.groups": "\(snapshots.count)"])
        if startTimer { self.scheduleExpiry() }
    }

    // MARK: Membership

    public func join(_ request: JoinRequest, on loop: any EventLoop, now: NIODeadline = .now()) -> EventLoopFuture<JoinOutcome> {
        let promise = loop.makePromise(of: JoinOutcome.self)
        if request.groupID.isEmpty {
            promise.succeed(.failure(KafkaErrorCode.invalidGroupID, memberID: request.memberID))
        } else if request.sessionTimeout < self.settings.minSessionTimeout || request.sessionTimeout > self.settings.maxSessionTimeout {
            promise.succeed(.failure(KafkaErrorCode.invalidSessionTimeout, memberID: request.memberID))
        } else {
            self.change(request.groupID, createIfMissing: true) { group, replies in
                group.join(request, promise: promise, now: now, replies: &replies)
            } ifMissing: { _ in
            }
        }
        return promise.futureResult
    }

    public func sync(_ request: SyncRequest, on loop: any EventLoop, now: NIODeadline = .now()) -> EventLoopFuture<SyncOutcome> {
        let promise = loop.makePromise(of: SyncOutcome.self)
        self.change(request.groupID) { group, replies in
            group.sync(request, promise: promise, now: now, replies: &replies)
        } ifMissing: { replies in
            replies.answer(promise, .failure(KafkaErrorCode.unknownMemberID))
        }
        return promise.futureResult
    }

    public func heartbeat(groupID: String, _ identity: MemberIdentity, now: NIODeadline = .now()) -> Int16 {
        self.registry.withLock { registry in
            registry.groups[groupID]?.heartbeat(identity, now: now) ?? KafkaErrorCode.unknownMemberID
        }
    }

    /// One error code per leaving member, in order.
    public func leave(groupID: String, _ members: [LeavingMember], now: NIODeadline = .now()) -> [Int16] {
        var errors: [Int16] = []
        self.change(groupID) { group, replies in
            errors = members.map { group.leave($0, now: now, replies: &replies) }
        } ifMissing: { _ in
            errors = members.map { _ in KafkaErrorCode.unknownMemberID }
        }
        return errors
    }

    /// Whether an OffsetCommit from `identity` may be stored now (`KafkaErrorCode.none`), or its error.
    public func checkCommit(groupID: String, _ identity: MemberIdentity, now: NIODeadline = .now()) -> Int16 {
        self.registry.withLock { registry in
            guard let group = registry.groups[groupID] else {
                // No members known here: a commit without a generation is a standalone consumer's;
                // one with a generation comes from a member of a generation this coordinator never had.
                return identity.generation < 0 ? KafkaErrorCode.none : KafkaErrorCode.illegalGeneration
            }
            return group.checkCommit(identity, now: now)
        }
    }

    /// Ends sessions and rebalance phases whose time is up. Runs on the timer; tests call it directly.
    public func expire(now: NIODeadline = .now()) {
        var replies = GroupReplies()
        self.persistingChanges {
            self.registry.withLock { registry in
                for group in registry.groups.values { group.expire(now: now, replies: &replies) }
                return registry.groups.values.compactMap { Self.storedStateChange(of: $0) }
            }
        }
        replies.deliver()
    }

    /// The group's stored-state change, if it has one to hand on (and clears it).
    private static func storedStateChange(of group: ClassicGroup) -> GroupStateChange? {
        guard group.storedStateChanged else { return nil }
        group.storedStateChanged = false
        return GroupStateChange(groupID: group.id, generation: group.generation, snapshot: group.snapshot())
    }

    /// Runs `body` (which changes groups under the registry's lock and returns their stored-state
    /// changes), then hands the changes to `persist`, in order across callers.
    private func persistingChanges(_ body: () -> [GroupStateChange]) {
        guard let persist = self.persist else {
            _ = body()
            return
        }
        self.persisting.withLock { _ in
            for change in body() { persist(change) }
        }
    }

    // MARK: Inspection and deletion

    /// The group as this coordinator knows it, or nil if no member has joined it since startup.
    public func describe(groupID: String) -> GroupDescription? {
        self.registry.withLock { $0.groups[groupID]?.describe() }
    }

    public func describeAll() -> [GroupDescription] {
        self.registry.withLock { registry in registry.groups.values.map { $0.describe() }.sorted { $0.groupID < $1.groupID } }
    }

    public enum Deletion: Sendable, Equatable {
        /// The group has members; nothing was deleted.
        case nonEmpty
        /// Forgotten here (`wasKnown` tells whether it was); the caller deletes its offsets.
        case forgotten(wasKnown: Bool)
    }

    public func delete(groupID: String) -> Deletion {
        self.registry.withLock { registry in
            guard let group = registry.groups[groupID] else { return .forgotten(wasKnown: false) }
            guard group.isEmpty else { return .nonEmpty }
            registry.groups.removeValue(forKey: groupID)
            return .forgotten(wasKnown: true)
        }
    }

    public enum OffsetDeletionGuard: Sendable, Equatable {
        /// No member: any offset may be deleted.
        case noMembers
        /// A consumer group with members: offsets of topics they subscribe to must stay.
        case subscribedTopics(Set<String>)
        /// Members of some other protocol type, whose subscriptions cannot be read: nothing may go.
        case nonEmptyGroup
    }

    /// What OffsetDelete may remove from this group now.
    public func offsetDeletionGuard(groupID: String) -> OffsetDeletionGuard {
        self.registry.withLock { registry in
            guard let group = registry.groups[groupID], !group.members.isEmpty else { return .noMembers }
            guard group.protocolType == "consumer" else { return .nonEmptyGroup }
            var topics: Set<String> = []
            for member in group.members.values {
                guard let metadata = member.protocols.first?.metadata,
                    let subscription = ConsumerSubscription(parsing: metadata)
                else { return .nonEmptyGroup }
                topics.formUnion(subscription.topics)
            }
            return .subscribedTopics(topics)
        }
    }

    // MARK: Locking and the expiry timer

    /// Runs `body` on the group under the lock (creating the group if asked), delivers the answers it
    /// decided after the lock is released, and makes sure the expiry timer runs while members exist.
    private func change(
        _ groupID: String,
        createIfMissing: Bool = false,
        _ body: (ClassicGroup, inout GroupReplies) -> Void,
        ifMissing: (inout GroupReplies) -> Void
    ) {
        var replies = GroupReplies()
        var startTimer = false
        self.persistingChanges {
            self.registry.withLock { registry -> [GroupStateChange] in
                var touched: ClassicGroup?
                if let group = registry.groups[groupID] {
                    body(group, &replies)
                    touched = group
                } else if createIfMissing {
                    let group = ClassicGroup(id: groupID, initialRebalanceDelay: self.settings.initialRebalanceDelay, logger: self.logger)
                    registry.groups[groupID] = group
                    body(group, &replies)
                    touched = group
                } else {
                    ifMissing(&replies)
                }
                if !registry.expiryScheduled, registry.hasMembers {
                    registry.expiryScheduled = true
                    startTimer = true
                }
                return touched.flatMap { Self.storedStateChange(of: $0) }.map { [$0] } ?? []
            }
        }
        replies.deliver()
        if startTimer { self.scheduleExpiry() }
    }

    private func scheduleExpiry() {
        self.timerLoop.scheduleTask(in: self.settings.expiryInterval) { [self] in
            self.expire()
            let again = self.registry.withLock { registry -> Bool in
                registry.expiryScheduled = registry.hasMembers
                return registry.expiryScheduled
            }
            if again { self.scheduleExpiry() }
        }
    }
}
