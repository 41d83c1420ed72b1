import MonologStorage

/// Commits every source consumer group's positions on the target, translated through the offset maps,
/// so that a consumer switched to the target continues exactly where it stood on the source. A
/// position is committed once the copy has reached it and again whenever it moves.
final class GroupOffsetSync {
    struct Report {
        var committed = 0
        /// Positions the copy has not reached yet (committed later, once it has).
        var waiting = 0
        var refused: [String] = []
    }

    /// What was last committed on the target, by group and partition.
    private var committed: [String: [MigrationState.PartitionKey: Int64]] = [:]

    func sync(source: MigrationSource, target: MigrationTarget, state: MigrationState, topics: Set<String>) async throws -> Report {
        var report = Report()
        for (group, offsets) in try source.groupOffsets().sorted(by: { $0.key < $1.key }) {
            var changed: [(topic: String, partition: Int32, offset: Int64, metadata: String?)] = []
            for offset in offsets where topics.contains(offset.topic) && offset.offset >= 0 {
                let key = MigrationState.PartitionKey(topic: offset.topic, partition: offset.partition)
                guard let translated = state.map(key).translate(offset.offset) else {
                    report.waiting += 1
                    continue
                }
                if self.committed[group]?[key] != translated { changed.append((offset.topic, offset.partition, translated, offset.metadata)) }
            }
            guard !changed.isEmpty else { continue }
            let refused = try await target.commit(group: group, offsets: changed)
            for entry in changed {
                let key = MigrationState.PartitionKey(topic: entry.topic, partition: entry.partition)
                if let code = refused[key.description] {
                    report.refused.append("\(group) \(key): Kafka error \(code)\(Self.hint(code))")
                } else {
                    self.committed[group, default: [:]][key] = entry.offset
                    report.committed += 1
                }
            }
        }
        return report
    }

    private static func hint(_ code: Int16) -> String {
        switch code {
        case 22, 25, 68: " (the group has active members on the target; stop its consumers there)"
        case 29, 30: " (not authorized for the group on the target)"
        default: ""
        }
    }
}
