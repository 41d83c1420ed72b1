import NIOCore

/// A topic as stored.
public struct TopicInfo: Hashable, Sendable {
    public var topicID: Int64
    public var name: String
    public var partitionCount: Int32
    public var createdAtMs: Int64

    public init(topicID: Int64, name: String, partitionCount: Int32, createdAtMs: Int64) {
        self.topicID = topicID
        self.name = name
        self.partitionCount = partitionCount
        self.createdAtMs = createdAtMs
    }
}

/// A partition's bounds: readable offsets are `logStartOffset ..< highWatermark`.
public struct PartitionOffsets: Hashable, Sendable {
    public var partition: Int32
    public var logStartOffset: Int64
    public var highWatermark: Int64

    public init(partition: Int32, logStartOffset: Int64, highWatermark: Int64) {
        self.partition = partition
        self.logStartOffset = logStartOffset
        self.highWatermark = highWatermark
    }
}

/// One stored RecordBatch: its offsets and its bytes as a Kafka consumer would receive them.
public struct StoredBatch: Hashable, Sendable {
    public var baseOffset: Int64
    public var lastOffset: Int64
    public var bytes: ByteBuffer

    public init(baseOffset: Int64, lastOffset: Int64, bytes: ByteBuffer) {
        self.baseOffset = baseOffset
        self.lastOffset = lastOffset
        self.bytes = bytes
    }
}
