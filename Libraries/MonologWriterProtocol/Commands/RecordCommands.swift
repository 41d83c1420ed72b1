import NIOCore

/// One or more concatenated RecordBatch v2 for one partition. Batches with a producer id are checked
/// for duplicates and sequence gaps (idempotent producers).
public struct AppendRecords: WriterCommand {
    public static let kind: UInt8 = 0x20
    public var topic = ""
    public var partition: Int32 = 0
    public var batches = ByteBuffer()

    public init() {}
    public init(topic: String, partition: Int32, batches: ByteBuffer) {
        self.topic = topic
        self.partition = partition
        self.batches = batches
    }

    public static let fields: [WireField<Self>] = [
        .init("topic name", \.topic), .init("partition", \.partition), .init("record batches", \.batches),
    ]

    /// Offsets given to the appended records; the data is committed and fsynced. A retried duplicate
    /// gets the offsets it was first given.
    public struct Reply: WireMessage {
        public var baseOffset: Int64 = 0
        public var lastOffset: Int64 = 0
        public var logStartOffset: Int64 = 0
        /// The broker time stamped on the batches of a LogAppendTime topic, else -1.
        public var logAppendTimeMs: Int64 = -1

        public init() {}
        public init(baseOffset: Int64, lastOffset: Int64, logStartOffset: Int64, logAppendTimeMs: Int64) {
            self.baseOffset = baseOffset
            self.lastOffset = lastOffset
            self.logStartOffset = logStartOffset
            self.logAppendTimeMs = logAppendTimeMs
        }

        public static let fields: [WireField<Self>] = [
            .init("base offset", \.baseOffset), .init("last offset", \.lastOffset), .init("log start offset", \.logStartOffset),
            .init("log append time", \.logAppendTimeMs),
        ]
    }
}

/// Moves a partition's log start to `beforeOffset` (-1: the high watermark), deleting what lies below.
public struct DeleteRecords: WriterCommand {
    public static let kind: UInt8 = 0x22
    public var topic = ""
    public var partition: Int32 = 0
    public var beforeOffset: Int64 = 0

    public init() {}
    public init(topic: String, partition: Int32, beforeOffset: Int64) {
        self.topic = topic
        self.partition = partition
        self.beforeOffset = beforeOffset
    }

    public static let fields: [WireField<Self>] = [
        .init("topic name", \.topic), .init("partition", \.partition), .init("offset", \.beforeOffset),
    ]

    public struct Reply: WireMessage {
        public var logStartOffset: Int64 = 0
        public init() {}
        public init(logStartOffset: Int64) { self.logStartOffset = logStartOffset }
        public static let fields: [WireField<Self>] = [.init("log start offset", \.logStartOffset)]
    }
}

/// One retention pass: per-topic `retention.ms`, `retention.bytes` and compaction, with the given
/// defaults for topics that do not set them (-1: unlimited).
public struct ApplyRetention: WriterCommand {
    public static let kind: UInt8 = 0x30
    public var nowMs: Int64 = 0
    public var defaultRetentionMs: Int64 = -1
    public var defaultRetentionBytes: Int64 = -1

    public init() {}
    public init(nowMs: Int64, defaultRetentionMs: Int64, defaultRetentionBytes: Int64 = -1) {
        self.nowMs = nowMs
        self.defaultRetentionMs = defaultRetentionMs
        self.defaultRetentionBytes = defaultRetentionBytes
    }

    public static let fields: [WireField<Self>] = [
        .init("now", \.nowMs), .init("default retention.ms", \.defaultRetentionMs),
        .init("default retention.bytes", \.defaultRetentionBytes),
    ]

    public struct Reply: WireMessage {
        public var batchesDeleted: Int64 = 0
        public var batchesRewritten: Int64 = 0
        public init() {}
        public init(batchesDeleted: Int64, batchesRewritten: Int64) {
            self.batchesDeleted = batchesDeleted
            self.batchesRewritten = batchesRewritten
        }
        public static let fields: [WireField<Self>] = [
            .init("batches deleted", \.batchesDeleted), .init("batches rewritten", \.batchesRewritten),
        ]
    }
}
