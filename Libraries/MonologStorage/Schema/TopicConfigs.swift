/// The topic configs Monolog honours, with their rules. Anything else is refused by name rather than
/// stored and ignored, so a user never believes a setting took effect when it did not.
public enum TopicConfigs {
    /// Kafka's default `max.message.bytes`: 1 MiB of records plus a batch header's worth.
    public static let defaultMaxMessageBytes = 1_048_588

    public struct Definition: Sendable {
        public var name: String
        /// The value a topic has when it does not set one; nil when it comes from the broker's own
        /// configuration (retention.ms follows `retention.max_age`).
        public var defaultValue: String?
        public var documentation: String
        let problem: @Sendable (String) -> String?
    }

    public static let definitions: [Definition] = [
        Definition(
            name: "cleanup.policy",
            defaultValue: "delete",
            documentation: "delete: drop old batches by time and size; compact: keep the latest record per key; or both",
            problem: { value in
                let parts = Set(value.split(separator: ",").map { $0.trimmingCharacters(in: " ") })
                return !parts.isEmpty && parts.isSubset(of: ["delete", "compact"]) ? nil : "must be delete, compact or compact,delete"
            }
        ),
        Definition(
            name: "retention.ms",
            defaultValue: nil,
            documentation: "how long a batch is kept after its newest record's timestamp; -1 keeps it forever",
            problem: integer(atLeast: -1)
        ),
        Definition(
            name: "retention.bytes",
            defaultValue: "-1",
            documentation: "the largest a partition may grow before its oldest batches are deleted; -1 for no limit",
            problem: integer(atLeast: -1)
        ),
        Definition(
            name: "delete.retention.ms",
            defaultValue: "86400000",
            documentation: "how long a tombstone (null value) is kept in a compacted topic",
            problem: integer(atLeast: 0)
        ),
        Definition(
            name: "max.message.bytes",
            defaultValue: "\(defaultMaxMessageBytes)",
            documentation: "the largest record batch a producer may send to this topic",
            problem: integer(atLeast: 0, atMost: Int64(Int32.max))
        ),
        Definition(
            name: "message.timestamp.type",
            defaultValue: "CreateTime",
            documentation: "CreateTime keeps the producer's timestamps; LogAppendTime stamps batches with the broker's clock",
            problem: { ["CreateTime", "LogAppendTime"].contains($0) ? nil : "must be CreateTime or LogAppendTime" }
        ),
    ]

    public static let byName: [String: Definition] = Dictionary(uniqueKeysWithValues: definitions.map { ($0.name, $0) })

    /// nil when `value` is acceptable for `name`, otherwise why not.
    public static func problem(name: String, value: String) -> String? {
        guard let definition = byName[name] else { return "unknown topic config '\(name)'" }
        return definition.problem(value).map { "\(name)=\(value): \($0)" }
    }

    static func integer(atLeast minimum: Int64, atMost maximum: Int64 = .max) -> @Sendable (String) -> String? {
        { value in
            guard let number = Int64(value), number >= minimum, number <= maximum else {
                return "must be an integer from \(minimum)\(maximum == .max ? " up" : " to \(maximum)")"
            }
            return nil
        }
    }
}

/// A topic's effective retention and cleanup settings.
public struct TopicPolicy: Hashable, Sendable {
    public var retentionMs: Int64
    public var retentionBytes: Int64
    public var delete: Bool
    public var compact: Bool
    public var deleteRetentionMs: Int64

    /// From the topic's configs, with `defaultRetentionMs` and `defaultRetentionBytes` where it sets none.
    public init(configs: [String: String], defaultRetentionMs: Int64, defaultRetentionBytes: Int64) {
        let policy = Set((configs["cleanup.policy"] ?? "delete").split(separator: ",").map { $0.trimmingCharacters(in: " ") })
        self.delete = policy.contains("delete")
        self.compact = policy.contains("compact")
        self.retentionMs = configs["retention.ms"].flatMap { Int64($0) } ?? defaultRetentionMs
        self.retentionBytes = configs["retention.bytes"].flatMap { Int64($0) } ?? defaultRetentionBytes
        self.deleteRetentionMs = configs["delete.retention.ms"].flatMap { Int64($0) } ?? 86_400_000
    }
}

extension Substring {
    func trimmingCharacters(in character: Character) -> String {
        var result = self
        while result.first == character { result.removeFirst() }
        while result.last == character { result.removeLast() }
        return String(result)
    }
}
