import MonologConfig
import MonologProcess
import MonologStorage

/// The broker's configuration as Kafka tools read it (DescribeConfigs on broker 0): what Monolog
/// actually runs with, under Kafka's names. All of it is read-only at run time: it comes from flags,
/// environment or the YAML file, read at startup.
struct BrokerConfigs: Sendable {
    let settings: MonologConfiguration

    /// The broker-wide default behind each topic config (Kafka's first synonym for it). Kafka 3.9 has
    /// none for the throttled-replica lists and the tiered-storage switches.
    static let topicConfigSynonyms: [String: String] = [
        "cleanup.policy": "log.cleanup.policy",
        "compression.gzip.level": "compression.gzip.level",
        "compression.lz4.level": "compression.lz4.level",
        "compression.type": "compression.type",
        "compression.zstd.level": "compression.zstd.level",
        "delete.retention.ms": "log.cleaner.delete.retention.ms",
        "file.delete.delay.ms": "log.segment.delete.delay.ms",
        "flush.messages": "log.flush.interval.messages",
        "flush.ms": "log.flush.interval.ms",
        "index.interval.bytes": "log.index.interval.bytes",
        "local.retention.bytes": "log.local.retention.bytes",
        "local.retention.ms": "log.local.retention.ms",
        "max.compaction.lag.ms": "log.cleaner.max.compaction.lag.ms",
        "max.message.bytes": "message.max.bytes",
        "message.downconversion.enable": "log.message.downconversion.enable",
        "message.format.version": "log.message.format.version",
        "message.timestamp.after.max.ms": "log.message.timestamp.after.max.ms",
        "message.timestamp.before.max.ms": "log.message.timestamp.before.max.ms",
        "message.timestamp.difference.max.ms": "log.message.timestamp.difference.max.ms",
        "message.timestamp.type": "log.message.timestamp.type",
        "min.cleanable.dirty.ratio": "log.cleaner.min.cleanable.ratio",
        "min.compaction.lag.ms": "log.cleaner.min.compaction.lag.ms",
        "min.insync.replicas": "min.insync.replicas",
        "preallocate": "log.preallocate",
        "retention.bytes": "log.retention.bytes",
        "retention.ms": "log.retention.ms",
        "segment.bytes": "log.segment.bytes",
        "segment.index.bytes": "log.index.size.max.bytes",
        "segment.jitter.ms": "log.roll.jitter.ms",
        "segment.ms": "log.roll.ms",
        "unclean.leader.election.enable": "unclean.leader.election.enable",
    ]

    /// How long a batch is kept when its topic does not say: the retention worker's `max_age`, or for
    /// ever when the worker is disabled.
    var retentionMs: Int64 {
        self.settings.retention.enabled ? self.settings.retention.maxAge.wholeMilliseconds : -1
    }

    /// Where the broker default of a topic config comes from: the retention worker's configuration
    /// for `retention.ms`, built-in defaults for the rest.
    static func topicDefaultSource(_ name: String) -> ConfigEntry.Source {
        name == "retention.ms" ? .staticBroker : .defaultConfig
    }

    /// The broker default a topic config falls back to.
    func topicDefault(_ name: String) -> String {
        name == "retention.ms" ? "\(self.retentionMs)" : (TopicConfigs.byName[name]?.defaultValue ?? "")
    }

    var entries: [ConfigEntry] {
        let kafka = self.settings.kafka
        let advertised = self.settings.effectiveAdvertisedKafkaAddress
        func entry(_ name: String, _ value: String, _ kind: ConfigEntry.Kind, _ source: ConfigEntry.Source, _ documentation: String) -> ConfigEntry {
            ConfigEntry(
                name: name, value: value, source: source, readOnly: true, kind: kind, documentation: documentation,
                synonyms: [ConfigEntry.Synonym(name: name, value: value, source: source)]
            )
        }
        var entries = [
            entry("broker.id", "0", .int, .defaultConfig, "Monolog is a cluster of one broker, node 0"),
            entry("listeners", "PLAINTEXT://\(self.settings.kafkaAddress)", .string, .staticBroker, "--kafka-addr"),
            entry("advertised.listeners", "PLAINTEXT://\(advertised)", .string, .staticBroker, "--advertised-kafka-addr"),
            entry("log.dirs", self.settings.dataDirectory, .string, .staticBroker, "--data-dir: the SQLite database and the writer's socket"),
            entry("auto.create.topics.enable", "\(kafka.autoCreateTopics)", .boolean, .staticBroker, "--auto-create-topics"),
            entry("num.partitions", "\(kafka.defaultPartitions)", .int, .staticBroker, "--num-partitions"),
            entry(
                "group.initial.rebalance.delay.ms", "\(kafka.groupInitialRebalanceDelayMs)", .int, .staticBroker,
                "--group-initial-rebalance-delay-ms"
            ),
            entry("group.min.session.timeout.ms", "6000", .int, .defaultConfig, "the shortest session timeout a member may ask for"),
            entry("group.max.session.timeout.ms", "1800000", .int, .defaultConfig, "the longest session timeout a member may ask for"),
            entry("offset.metadata.max.bytes", "\(OffsetCommitAPI.maxMetadataBytes)", .int, .defaultConfig, "the largest metadata an offset commit may carry"),
            entry(
                "log.retention.check.interval.ms", "\(self.settings.retention.checkInterval.wholeMilliseconds)",
                .long, .staticBroker, "how often the retention worker runs (retention.check_interval)"
            ),
            entry("default.replication.factor", "1", .int, .defaultConfig, "one broker: one replica of every partition"),
            entry("offsets.topic.replication.factor", "1", .int, .defaultConfig, "one broker: one replica of every partition"),
            entry("min.insync.replicas", "1", .int, .defaultConfig, "one broker: every write is fsynced before it is acknowledged"),
        ]
        let listed = Set(entries.map(\.name))
        for (topicName, brokerName) in Self.topicConfigSynonyms.sorted(by: { $0.value < $1.value }) where !listed.contains(brokerName) {
            let definition = TopicConfigs.byName[topicName]
            let source = Self.topicDefaultSource(topicName)
            entries.append(
                entry(
                    brokerName, self.topicDefault(topicName), TopicConfigDescriptions.kind(topicName), source,
                    "default for topics' \(topicName): \(definition?.documentation ?? "")"
                )
            )
        }
        return entries
    }
}
