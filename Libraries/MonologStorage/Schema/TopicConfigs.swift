/// Every topic config Kafka 3.9 documents, with Kafka's types, defaults and ranges. Monolog honours some
/// of them (`honoured`); the rest are accepted, stored and described but change nothing here, because
/// they tune what Monolog does not have (segment files, replicas, tiered storage). Names Kafka does not
/// know are refused, so a typo is never stored and silently ignored.
public enum TopicConfigs {
    /// Kafka's default `max.message.bytes`: 1 MiB of records plus a batch header's worth.
    public static let defaultMaxMessageBytes = 1_048_588

    /// A config's type, as Kafka's ConfigDef parses it (and DescribeConfigs reports it).
    public enum ValueType: Sendable {
        case boolean, string, int, long, double, list
    }

    public struct Definition: Sendable {
        public var name: String
        public var type: ValueType
        /// The value a topic has when it does not set one; nil when it comes from the broker's own
        /// configuration (retention.ms follows `retention.max_age`).
        public var defaultValue: String?
        public var documentation: String
        /// Whether setting it changes what Monolog does; the others are stored and described only.
        public var honoured: Bool
        let problem: @Sendable (String) -> String?
    }

    private static let longMax = "\(Int64.max)"

    public static let definitions: [Definition] = [
        Definition(
            name: "cleanup.policy", type: .list, defaultValue: "delete",
            documentation: "delete: drop old batches by time and size; compact: keep the latest record per key; or both",
            honoured: true, problem: list(of: ["compact", "delete"])
        ),
        Definition(
            name: "compression.gzip.level", type: .int, defaultValue: "-1",
            documentation: "the gzip level batches are recompressed with when compression.type is gzip",
            honoured: true,
            problem: { value in
                guard let level = int32(value), level == -1 || (1...9).contains(level) else {
                    return "must be an integer from 1 to 9, or -1"
                }
                return nil
            }
        ),
        Definition(
            name: "compression.lz4.level", type: .int, defaultValue: "9",
            documentation: "the lz4 level batches are recompressed with when compression.type is lz4",
            honoured: true, problem: int(atLeast: 1, atMost: 17)
        ),
        Definition(
            name: "compression.type", type: .string, defaultValue: "producer",
            documentation: "producer keeps each batch as the producer compressed it; uncompressed, gzip, snappy, lz4 or zstd recompress it with that codec",
            honoured: true, problem: oneOf(["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"])
        ),
        Definition(
            name: "compression.zstd.level", type: .int, defaultValue: "3",
            documentation: "the zstd level batches are recompressed with when compression.type is zstd",
            honoured: true, problem: int(atLeast: -131_072, atMost: 22)
        ),
        Definition(
            name: "delete.retention.ms", type: .long, defaultValue: "86400000",
            documentation: "how long a tombstone (null value) is kept in a compacted topic",
            honoured: true, problem: long(atLeast: 0)
        ),
        Definition(
            name: "file.delete.delay.ms", type: .long, defaultValue: "60000",
            documentation: "no effect in Monolog (no segment files)", honoured: false, problem: long(atLeast: 0)
        ),
        Definition(
            name: "flush.messages", type: .long, defaultValue: longMax,
            documentation: "no effect in Monolog: every acknowledged write is already fsynced", honoured: false, problem: long(atLeast: 1)
        ),
        Definition(
            name: "flush.ms", type: .long, defaultValue: longMax,
            documentation: "no effect in Monolog: every acknowledged write is already fsynced", honoured: false, problem: long(atLeast: 0)
        ),
        Definition(
            name: "follower.replication.throttled.replicas", type: .list, defaultValue: "",
            documentation: "no effect in Monolog (one broker, no replication)", honoured: false, problem: throttledReplicas
        ),
        Definition(
            name: "index.interval.bytes", type: .int, defaultValue: "4096",
            documentation: "no effect in Monolog (no index files)", honoured: false, problem: int(atLeast: 0)
        ),
        Definition(
            name: "leader.replication.throttled.replicas", type: .list, defaultValue: "",
            documentation: "no effect in Monolog (one broker, no replication)", honoured: false, problem: throttledReplicas
        ),
        Definition(
            name: "local.retention.bytes", type: .long, defaultValue: "-2",
            documentation: "no effect in Monolog (no tiered storage)", honoured: false, problem: long(atLeast: -2)
        ),
        Definition(
            name: "local.retention.ms", type: .long, defaultValue: "-2",
            documentation: "no effect in Monolog (no tiered storage)", honoured: false, problem: long(atLeast: -2)
        ),
        Definition(
            name: "max.compaction.lag.ms", type: .long, defaultValue: longMax,
            documentation: "no effect in Monolog: the retention worker compacts on each run", honoured: false, problem: long(atLeast: 1)
        ),
        Definition(
            name: "max.message.bytes", type: .int, defaultValue: "\(defaultMaxMessageBytes)",
            documentation: "the largest record batch a producer may send to this topic",
            honoured: true, problem: int(atLeast: 0)
        ),
        Definition(
            name: "message.downconversion.enable", type: .boolean, defaultValue: "true",
            documentation: "no effect in Monolog (stored batches are always v2)", honoured: false, problem: boolean
        ),
        Definition(
            name: "message.format.version", type: .string, defaultValue: "3.0-IV1",
            documentation: "no effect in Monolog, as in Kafka 3.x (batches are always v2)", honoured: false, problem: metadataVersion
        ),
        Definition(
            name: "message.timestamp.after.max.ms", type: .long, defaultValue: longMax,
            documentation: "no effect in Monolog", honoured: false, problem: long(atLeast: 0)
        ),
        Definition(
            name: "message.timestamp.before.max.ms", type: .long, defaultValue: longMax,
            documentation: "no effect in Monolog", honoured: false, problem: long(atLeast: 0)
        ),
        Definition(
            name: "message.timestamp.difference.max.ms", type: .long, defaultValue: longMax,
            documentation: "no effect in Monolog (deprecated in Kafka)", honoured: false, problem: long(atLeast: 0)
        ),
        Definition(
            name: "message.timestamp.type", type: .string, defaultValue: "CreateTime",
            documentation: "CreateTime keeps the producer's timestamps; LogAppendTime stamps batches with the broker's clock",
            honoured: true, problem: oneOf(["CreateTime", "LogAppendTime"])
        ),
        Definition(
            name: "min.cleanable.dirty.ratio", type: .double, defaultValue: "0.5",
            documentation: "no effect in Monolog: the retention worker compacts on each run", honoured: false,
            problem: { value in
                guard let ratio = Double(value.trimmingJavaWhitespace()), ratio >= 0, ratio <= 1 else { return "must be a number from 0 to 1" }
                return nil
            }
        ),
        Definition(
            name: "min.compaction.lag.ms", type: .long, defaultValue: "0",
            documentation: "no effect in Monolog: the retention worker compacts on each run", honoured: false, problem: long(atLeast: 0)
        ),
        Definition(
            name: "min.insync.replicas", type: .int, defaultValue: "1",
            documentation: "above 1, acks=all produce requests are refused with NOT_ENOUGH_REPLICAS, as Kafka does with one replica",
            honoured: true, problem: int(atLeast: 1)
        ),
        Definition(
            name: "preallocate", type: .boolean, defaultValue: "false",
            documentation: "no effect in Monolog (no segment files)", honoured: false, problem: boolean
        ),
        Definition(
            name: "remote.log.copy.disable", type: .boolean, defaultValue: "false",
            documentation: "no effect in Monolog (no tiered storage)", honoured: false, problem: boolean
        ),
        Definition(
            name: "remote.log.delete.on.disable", type: .boolean, defaultValue: "false",
            documentation: "no effect in Monolog (no tiered storage)", honoured: false, problem: boolean
        ),
        Definition(
            name: "remote.storage.enable", type: .boolean, defaultValue: "false",
            documentation: "Monolog has no tiered storage: true is refused, as Kafka refuses it when tiered storage is disabled",
            honoured: true,
            problem: { value in
                if let problem = boolean(value) { return problem }
                return value.trimmingJavaWhitespace().lowercased() == "true"
                    ? "Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage." : nil
            }
        ),
        Definition(
            name: "retention.bytes", type: .long, defaultValue: "-1",
            documentation: "the largest a partition may grow before its oldest batches are deleted; -1 for no limit",
            honoured: true, problem: long(atLeast: .min)
        ),
        Definition(
            name: "retention.ms", type: .long, defaultValue: nil,
            documentation: "how long a batch is kept after its newest record's timestamp; -1 keeps it forever",
            honoured: true, problem: long(atLeast: -1)
        ),
        Definition(
            name: "segment.bytes", type: .int, defaultValue: "1073741824",
            documentation: "no effect in Monolog (no segment files)", honoured: false, problem: int(atLeast: 14)
        ),
        Definition(
            name: "segment.index.bytes", type: .int, defaultValue: "10485760",
            documentation: "no effect in Monolog (no index files)", honoured: false, problem: int(atLeast: 4)
        ),
        Definition(
            name: "segment.jitter.ms", type: .long, defaultValue: "0",
            documentation: "no effect in Monolog (no segment files)", honoured: false, problem: long(atLeast: 0)
        ),
        Definition(
            name: "segment.ms", type: .long, defaultValue: "604800000",
            documentation: "no effect in Monolog (no segment files)", honoured: false, problem: long(atLeast: 1)
        ),
        Definition(
            name: "unclean.leader.election.enable", type: .boolean, defaultValue: "false",
            documentation: "no effect in Monolog (one broker, no replication)", honoured: false, problem: boolean
        ),
    ]

    public static let byName: [String: Definition] = Dictionary(uniqueKeysWithValues: definitions.map { ($0.name, $0) })

    /// nil when `value` is acceptable for `name`, otherwise why not.
    public static func problem(name: String, value: String) -> String? {
        guard let definition = byName[name] else { return "unknown topic config '\(name)'" }
        return definition.problem(value).map { "\(name)=\(value): \($0)" }
    }

    /// nil when a topic's whole set of configs is consistent, otherwise why not: the one rule Kafka
    /// checks across configs of a topic without tiered storage, `min.compaction.lag.ms` at most
    /// `max.compaction.lag.ms`. Values are assumed to have passed `problem(name:value:)`.
    public static func conflict(in configs: [String: String]) -> String? {
        let minimum = configs["min.compaction.lag.ms"].flatMap { Int64($0.trimmingJavaWhitespace()) } ?? 0
        let maximum = configs["max.compaction.lag.ms"].flatMap { Int64($0.trimmingJavaWhitespace()) } ?? .max
        guard minimum <= maximum else {
            return "conflict topic config setting min.compaction.lag.ms (\(minimum)) > max.compaction.lag.ms (\(maximum))"
        }
        return nil
    }

    static func int32(_ value: String) -> Int32? { Int32(value.trimmingJavaWhitespace()) }

    static func int(atLeast minimum: Int32, atMost maximum: Int32 = .max) -> @Sendable (String) -> String? {
        { value in
            guard let number = int32(value), number >= minimum, number <= maximum else {
                return "must be an integer from \(minimum)\(maximum == .max ? " up to \(Int32.max)" : " to \(maximum)")"
            }
            return nil
        }
    }

    static func long(atLeast minimum: Int64) -> @Sendable (String) -> String? {
        { value in
            guard let number = Int64(value.trimmingJavaWhitespace()), number >= minimum else {
                return minimum == .min ? "must be an integer" : "must be an integer from \(minimum) up"
            }
            return nil
        }
    }

    @Sendable static func boolean(_ value: String) -> String? {
        ["true", "false"].contains(value.trimmingJavaWhitespace().lowercased()) ? nil : "must be true or false"
    }

    static func oneOf(_ allowed: [String]) -> @Sendable (String) -> String? {
        { value in
            allowed.contains(value.trimmingJavaWhitespace()) ? nil : "must be one of \(allowed.joined(separator: ", "))"
        }
    }

    /// A comma-separated list whose every element is one of `allowed` (an empty list is allowed, as in Kafka 3.9).
    static func list(of allowed: Set<String>) -> @Sendable (String) -> String? {
        { value in
            listItems(value).allSatisfy(allowed.contains) ? nil : "must be a list of \(allowed.sorted().joined(separator: ", "))"
        }
    }

    /// The items of a list value as Kafka's ConfigDef reads them: trimmed, split at commas, each trimmed.
    public static func listItems(_ value: String) -> [String] {
        let trimmed = value.trimmingJavaWhitespace()
        guard !trimmed.isEmpty else { return [] }
        return trimmed.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingJavaWhitespace() }
    }

    /// `[partition]:[broker],...` pairs, or `*`.
    @Sendable static func throttledReplicas(_ value: String) -> String? {
        let items = listItems(value)
        if items == ["*"] { return nil }
        let valid = items.allSatisfy { item in
            guard !item.isEmpty else { return true }
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } }
        }
        return valid ? nil : "must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],..."
    }

    /// The versions Kafka 3.9 knows for `message.format.version` (its MetadataVersion names): each
    /// release, and each release with its internal version.
    static let metadataVersions: Set<String> = {
        var names: Set<String> = ["0.8.0", "0.8.1", "0.8.2", "0.9.0", "0.10.2-IV0"]
        let releases: [(String, Int)] = [
            ("0.10.0", 1), ("0.10.1", 2), ("0.11.0", 2), ("1.0", 0), ("1.1", 0), ("2.0", 1), ("2.1", 2), ("2.2", 1),
            ("2.3", 1), ("2.4", 1), ("2.5", 0), ("2.6", 0), ("2.7", 2), ("2.8", 1), ("3.0", 1), ("3.1", 0), ("3.2", 0),
            ("3.3", 3), ("3.4", 0), ("3.5", 2), ("3.6", 2), ("3.7", 4), ("3.8", 0), ("3.9", 0), ("4.0", 1),
        ]
        for (release, last) in releases {
            if release != "4.0" { names.insert(release) }  // 4.0 was not a production release in 3.9
            for iv in 0...last { names.insert("\(release)-IV\(iv)") }
        }
        names.insert("0.10.2")
        return names
    }()

    /// Kafka reads the first three dot-separated parts of a 0.x version and the first two of any other
    /// ("2.8.1" is "2.8"), then looks the result up.
    @Sendable static func metadataVersion(_ value: String) -> String? {
        let version = value.trimmingJavaWhitespace()
        let segments = version.split(separator: ".", omittingEmptySubsequences: false)
        let wanted = version.hasPrefix("0.") ? 3 : 2
        let key = segments.count <= wanted ? version : segments.prefix(wanted).joined(separator: ".")
        return metadataVersions.contains(key) ? nil : "Version \(version) is not a valid version"
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
        let policy = Set(TopicConfigs.listItems(configs["cleanup.policy"] ?? "delete"))
        self.delete = policy.contains("delete")
        self.compact = policy.contains("compact")
        self.retentionMs = configs["retention.ms"].flatMap { Int64($0.trimmingJavaWhitespace()) } ?? defaultRetentionMs
        self.retentionBytes = configs["retention.bytes"].flatMap { Int64($0.trimmingJavaWhitespace()) } ?? defaultRetentionBytes
        self.deleteRetentionMs = configs["delete.retention.ms"].flatMap { Int64($0.trimmingJavaWhitespace()) } ?? 86_400_000
    }
}

extension StringProtocol {
    /// What Java's `String.trim()` removes, which Kafka applies before parsing a config value: every
    /// character up to and including the space at either end.
    public func trimmingJavaWhitespace() -> String {
        var result = Substring(self)
        while let first = result.unicodeScalars.first, first.value <= 0x20 { result = result.dropFirst() }
        while let last = result.unicodeScalars.last, last.value <= 0x20 { result = result.dropLast() }
        return String(result)
    }
}
