import MonologRecords
import MonologStorage
import Testing

/// Kafka 3.9's topic configs, checked the way Kafka's ConfigDef checks them.
@Suite struct TopicConfigsTests {
    @Test func everyKafka39TopicConfigIsKnownOnce() {
        #expect(TopicConfigs.definitions.count == 36)
        #expect(TopicConfigs.byName.count == 36)
        for name in ["compression.type", "message.format.version", "segment.bytes", "unclean.leader.election.enable", "remote.log.copy.disable"] {
            #expect(TopicConfigs.byName[name] != nil, "\(name)")
        }
    }

    @Test(arguments: [
        ("segment.bytes", "14"), ("segment.bytes", " 1048576 "), ("compression.type", "producer"), ("compression.type", "uncompressed"),
        ("compression.gzip.level", "-1"), ("compression.gzip.level", "9"), ("compression.lz4.level", "17"),
        ("compression.zstd.level", "-131072"), ("min.cleanable.dirty.ratio", "0"), ("min.cleanable.dirty.ratio", "1"),
        ("unclean.leader.election.enable", "TRUE"), ("message.format.version", "3.0-IV1"), ("message.format.version", "2.8.1"),
        ("message.format.version", "0.10.2.1"), ("message.format.version", "0.8.0"), ("leader.replication.throttled.replicas", "*"),
        ("leader.replication.throttled.replicas", "0:1,1:2"), ("follower.replication.throttled.replicas", ""),
        ("local.retention.ms", "-2"), ("remote.storage.enable", "false"), ("cleanup.policy", "compact, delete"),
        ("retention.bytes", "-5"), ("max.message.bytes", "2147483647"),
    ])
    func kafkaAcceptsThese(_ name: String, _ value: String) {
        #expect(TopicConfigs.problem(name: name, value: value) == nil)
    }

    @Test(arguments: [
        ("segment.bytes", "13"), ("segment.bytes", "2147483648"), ("segment.ms", "0"), ("compression.type", "brotli"),
        ("compression.type", "GZIP"), ("compression.gzip.level", "0"), ("compression.gzip.level", "10"), ("compression.lz4.level", "18"),
        ("compression.zstd.level", "23"), ("min.cleanable.dirty.ratio", "1.5"), ("unclean.leader.election.enable", "yes"),
        ("message.format.version", "9.9"), ("message.format.version", "4.0"), ("leader.replication.throttled.replicas", "0-1"),
        ("local.retention.bytes", "-3"), ("remote.storage.enable", "true"), ("min.insync.replicas", "0"), ("cleanup.policy", "shred"),
        ("max.message.bytes", "-1"), ("no.such.config", "1"),
    ])
    func kafkaRefusesThese(_ name: String, _ value: String) {
        #expect(TopicConfigs.problem(name: name, value: value) != nil)
    }

    @Test func minCompactionLagMayNotExceedTheMaximum() {
        #expect(TopicConfigs.conflict(in: ["min.compaction.lag.ms": "10", "max.compaction.lag.ms": "5"]) != nil)
        #expect(TopicConfigs.conflict(in: ["min.compaction.lag.ms": "10", "max.compaction.lag.ms": "10"]) == nil)
        #expect(TopicConfigs.conflict(in: ["min.compaction.lag.ms": "10"]) == nil)
    }

    @Test func compressionFollowsTheTopicsTypeAndLevel() {
        #expect(TopicCompression(configs: [:]) == .producer)
        #expect(TopicCompression(configs: ["compression.type": "producer"]) == .producer)
        #expect(TopicCompression(configs: ["compression.type": "uncompressed"]) == TopicCompression(codec: CompressionCodec.none, level: nil))
        #expect(TopicCompression(configs: ["compression.type": "gzip"]) == TopicCompression(codec: .gzip, level: -1))
        #expect(TopicCompression(configs: ["compression.type": "lz4"]) == TopicCompression(codec: .lz4, level: 9))
        #expect(TopicCompression(configs: ["compression.type": "zstd", "compression.zstd.level": "7"]) == TopicCompression(codec: .zstd, level: 7))
    }
}
