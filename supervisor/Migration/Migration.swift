import Foundation
import MonologKafkaClient

/// One migration run: create the topics on the target, copy every partition up to the source's last
/// stable offset, and commit the groups' translated positions; with `follow`, go on doing so until
/// asked to stop, and then make one final pass so that the last positions committed on the source are
/// on the target too.
struct Migration {
    struct Plan {
        var dataDirectory: String
        var target: KafkaClientSettings
        var statePath: String
        var topics: [String]
        var follow: Bool
        var recordsPerSecond: Int?
        var replicationFactor: Int16
    }

    let plan: Plan

    func run(stopRequested: StopRequest) async throws {
        let source = try MigrationSource(dataDirectory: self.plan.dataDirectory)
        let state = try MigrationState(path: self.plan.statePath)
        let target = MigrationTarget(settings: self.plan.target)
        do {
            try await self.run(source: source, target: target, state: state, stopRequested: stopRequested)
        } catch {
            await target.shutdown()
            throw error
        }
        await target.shutdown()
    }

    private func run(source: MigrationSource, target: MigrationTarget, state: MigrationState, stopRequested: StopRequest) async throws {
        let topics = try self.selectTopics(source)
        try await self.createTopics(topics, on: target)

        let progress = MigrationProgress(follow: self.plan.follow)
        let pacer = RatePacer(perSecond: self.plan.recordsPerSecond)
        let producer = IdempotentProducer(target: target)
        let groups = GroupOffsetSync()
        let names = Set(topics.map(\.name))
        var copiedTotal = 0
        while true {
            let finalPass = !self.plan.follow || stopRequested.isRequested
            do {
                var copied = 0
                for topic in topics {
                    for partition in 0..<topic.partitions {
                        let copier = PartitionCopier(
                            source: source, target: target, state: state, topic: topic, partition: partition, pacer: pacer, producer: producer)
                        copied += try await copier.copy()
                    }
                }
                copiedTotal += copied
                let synced =
                    finalPass
                    ? try await Self.finalSync(groups, source: source, target: target, state: state, topics: names)
                    : try await groups.sync(source: source, target: target, state: state, topics: names)
                progress.report(copied: copiedTotal, lag: try Self.lag(source, topics, state), groups: synced, final: finalPass)
                if finalPass { try Self.requireComplete(synced) }
            } catch let error as MigrationError {
                throw error
            } catch  where self.plan.follow && !finalPass {
                // The target or the network may come back; a one-shot run reports the failure instead.
                progress.problem("\(error); trying again")
            }
            if finalPass { break }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// The last group offset sync: positions refused for a passing reason (a coordinator moving or
    /// loading) are tried again for a few seconds, since consumers switched to the target start from
    /// what this pass commits.
    private static func finalSync(
        _ groups: GroupOffsetSync, source: MigrationSource, target: MigrationTarget, state: MigrationState, topics: Set<String>
    ) async throws -> GroupOffsetSync.Report {
        var total = GroupOffsetSync.Report()
        for attempt in 1...6 {
            do {
                let report = try await groups.sync(source: source, target: target, state: state, topics: topics)
                total.committed += report.committed
                total.waiting = report.waiting
                total.refused = report.refused
                if report.refused.isEmpty { return total }
            } catch  where attempt < 6 {
                total.refused = ["\(error)"]
            }
            try await Task.sleep(for: .seconds(1))
        }
        return total
    }

    /// A final pass that left a group position behind fails: a consumer switched to the target would
    /// not start where it stopped.
    private static func requireComplete(_ report: GroupOffsetSync.Report) throws {
        if !report.refused.isEmpty {
            throw MigrationError(
                "the target refused \(report.refused.count) group positions (\(report.refused.joined(separator: "; "))): consumers switched to it now would not start where they stopped"
            )
        }
        if report.waiting > 0 {
            throw MigrationError(
                "\(report.waiting) group positions are past what could be copied (records written during the run, or an open transaction on the source): stop the producers, let transactions finish, and run migrate again"
            )
        }
    }

    private func selectTopics(_ source: MigrationSource) throws -> [MigrationSource.Topic] {
        let all = try source.topics()
        guard !self.plan.topics.isEmpty else { return all }
        let unknown = Set(self.plan.topics).subtracting(all.map(\.name))
        guard unknown.isEmpty else { throw MigrationError("no such topic on the source: \(unknown.sorted().joined(separator: ", "))") }
        return all.filter { self.plan.topics.contains($0.name) }
    }

    private func createTopics(_ topics: [MigrationSource.Topic], on target: MigrationTarget) async throws {
        let existing = try await target.partitionCounts(topics.map(\.name))
        for topic in topics {
            if let count = existing[topic.name] {
                guard count == topic.partitions else {
                    throw MigrationError(
                        "topic \(topic.name) has \(count) partitions on the target and \(topic.partitions) here: records would land in other partitions than their keys put them in; delete it on the target or make the counts equal"
                    )
                }
                continue
            }
            try await self.create(topic, on: target)
        }
    }

    /// Configs that would change the copied records' timestamps or refuse old ones: the target gets
    /// them after the cut-over, by hand (the migration says which).
    static let timestampConfigs: Set<String> = [
        "message.timestamp.type", "message.timestamp.difference.max.ms", "message.timestamp.before.max.ms", "message.timestamp.after.max.ms",
    ]
    /// Configs every Kafka since 2.x and Redpanda know: what a topic is created with when the target
    /// refuses the whole set (INVALID_CONFIG: an older Kafka, or one that dropped a name).
    static let portableConfigs: Set<String> = [
        "cleanup.policy", "retention.ms", "retention.bytes", "max.message.bytes", "compression.type", "delete.retention.ms",
        "min.compaction.lag.ms", "max.compaction.lag.ms", "min.cleanable.dirty.ratio", "segment.ms", "segment.bytes",
    ]

    private func create(_ topic: MigrationSource.Topic, on target: MigrationTarget) async throws {
        var configs = topic.configs.filter { !Self.timestampConfigs.contains($0.key) }
        let heldBack = topic.configs.filter { Self.timestampConfigs.contains($0.key) }
        var created: Bool
        do {
            created = try await target.createTopic(topic.name, partitions: topic.partitions, replicationFactor: self.plan.replicationFactor, configs: configs)
        } catch let failure as MigrationTarget.Failure
            where failure.code == Self.invalidConfig && configs.keys.contains(where: { !Self.portableConfigs.contains($0) })
        {
            let dropped = configs.keys.filter { !Self.portableConfigs.contains($0) }.sorted()
            MigrationProgress.warn("the target refused the configs of \(topic.name) (\(failure)); creating it without \(dropped.joined(separator: ", "))")
            configs = configs.filter { Self.portableConfigs.contains($0.key) }
            created = try await target.createTopic(topic.name, partitions: topic.partitions, replicationFactor: self.plan.replicationFactor, configs: configs)
        }
        if created {
            let listed = configs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            MigrationProgress.say("created topic \(topic.name) on the target: \(topic.partitions) partitions\(listed.isEmpty ? "" : ", \(listed)")")
        }
        if !heldBack.isEmpty {
            let listed = heldBack.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            MigrationProgress.warn("\(topic.name): set \(listed) on the target after the cut-over (copied records keep their timestamps only without them)")
        }
        try await target.waitForLeaders(topic.name, partitions: topic.partitions)
    }

    static let invalidConfig: Int16 = 40

    /// Offsets on the source not yet copied (up to each partition's last stable offset).
    private static func lag(_ source: MigrationSource, _ topics: [MigrationSource.Topic], _ state: MigrationState) throws -> Int64 {
        var lag: Int64 = 0
        for topic in topics {
            for (partition, ends) in try source.ends(of: topic) {
                let next = max(state.map(.init(topic: topic.name, partition: partition)).sourceNext, ends.logStart)
                lag += max(0, ends.lastStable - next)
            }
        }
        return lag
    }
}
