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
        let groups = GroupOffsetSync()
        let names = Set(topics.map(\.name))
        var copiedTotal = 0
        while true {
            let finalPass = !self.plan.follow || stopRequested.isRequested
            do {
                var copied = 0
                for topic in topics {
                    for partition in 0..<topic.partitions {
                        let copier = PartitionCopier(source: source, target: target, state: state, topic: topic, partition: partition, pacer: pacer)
                        copied += try await copier.copy()
                    }
                }
                copiedTotal += copied
                let synced = try await groups.sync(source: source, target: target, state: state, topics: names)
                progress.report(copied: copiedTotal, lag: try Self.lag(source, topics, state), groups: synced, final: finalPass)
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
            let created = try await target.createTopic(
                topic.name, partitions: topic.partitions, replicationFactor: self.plan.replicationFactor, configs: topic.configs)
            if created {
                let configs = topic.configs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                MigrationProgress.say("created topic \(topic.name) on the target: \(topic.partitions) partitions\(configs.isEmpty ? "" : ", \(configs)")")
            }
        }
    }

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
