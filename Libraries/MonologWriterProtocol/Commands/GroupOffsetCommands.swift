import MonologStorage
import NIOCore

/// Stores a group's committed offsets; each is answered on its own (an unknown partition refuses that
/// offset, not the others).
public struct CommitOffsets: WriterCommand {
    public static let kind: UInt8 = 0x40
    public var group = ""
    public var offsets: [GroupOffsetCommit] = []

    public init() {}
    public init(group: String, offsets: [GroupOffsetCommit]) {
        self.group = group
        self.offsets = offsets
    }

    public static let fields: [WireField<Self>] = [.init("group", \.group), .init("offsets", \.offsets)]

    /// One code per offset, in request order (`WriterErrorCode.none` for stored).
    public struct Reply: WireMessage {
        public var codes: [WriterErrorCode] = []
        public init() {}
        public init(codes: [WriterErrorCode]) { self.codes = codes }
        public static let fields: [WireField<Self>] = [.init("codes", \.codes)]
    }
}

/// Deletes a group's committed offsets: the given partitions, or all of them when empty.
public struct DeleteGroupOffsets: WriterCommand {
    public static let kind: UInt8 = 0x41
    public var group = ""
    public var partitions: [TopicPartition] = []

    public init() {}
    public init(group: String, partitions: [TopicPartition] = []) {
        self.group = group
        self.partitions = partitions
    }

    public static let fields: [WireField<Self>] = [.init("group", \.group), .init("partitions", \.partitions)]

    public struct Reply: WireMessage {
        public var count: Int64 = 0
        public init() {}
        public init(count: Int64) { self.count = count }
        public static let fields: [WireField<Self>] = [.init("count", \.count)]
    }
}

public struct TopicPartition: WireMessage {
    public var topic = ""
    public var partition: Int32 = 0

    public init() {}
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static let fields: [WireField<Self>] = [.init("topic", \.topic), .init("partition", \.partition)]
}

extension GroupOffsetCommit: WireMessage {
    public init() {
        self.init(topic: "", partition: 0, offset: 0, leaderEpoch: -1, metadata: nil)
    }

    public static let fields: [WireField<Self>] = [
        .init("topic", \.topic), .init("partition", \.partition), .init("offset", \.offset), .init("leader epoch", \.leaderEpoch),
        .init("metadata", \.metadata),
    ]
}

/// Keeps a consumer group's state (the coordinator's snapshot, opaque here) for the next Kafka gateway
/// to start from; an empty state forgets the group. A state older than the one stored (a lower
/// generation, from a change that arrived late) is ignored.
public struct StoreGroupState: WriterCommand {
    public static let kind: UInt8 = 0x43
    public var group = ""
    public var generation: Int32 = 0
    public var state = ByteBuffer()

    public init() {}
    public init(group: String, generation: Int32, state: ByteBuffer) {
        self.group = group
        self.generation = generation
        self.state = state
    }

    public static let fields: [WireField<Self>] = [.init("group", \.group), .init("generation", \.generation), .init("state", \.state)]
    public typealias Reply = Done
}
