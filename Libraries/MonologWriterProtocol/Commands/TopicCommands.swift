/// Creates a topic; with `ifNotExists`, an existing one is answered rather than refused.
public struct CreateTopic: WriterCommand {
    public static let kind: UInt8 = 0x10
    public var name = ""
    public var partitionCount: Int32 = 0
    public var ifNotExists = false
    /// Topic configs by Kafka's names; validated by the writer.
    public var configs: [String: String] = [:]

    public init() {}
    public init(name: String, partitionCount: Int32, configs: [String: String] = [:], ifNotExists: Bool) {
        self.name = name
        self.partitionCount = partitionCount
        self.configs = configs
        self.ifNotExists = ifNotExists
    }

    public static let fields: [WireField<Self>] = [
        .init("topic name", \.name), .init("partition count", \.partitionCount), .init("if-not-exists flag", \.ifNotExists),
        .init("configs", \.configs),
    ]

    public struct Reply: WireMessage {
        public var topicID: Int64 = 0
        public var partitionCount: Int32 = 0
        /// False when the topic existed and `ifNotExists` was set.
        public var created = false

        public init() {}
        public init(topicID: Int64, partitionCount: Int32, created: Bool) {
            self.topicID = topicID
            self.partitionCount = partitionCount
            self.created = created
        }

        public static let fields: [WireField<Self>] = [
            .init("topic id", \.topicID), .init("partition count", \.partitionCount), .init("created flag", \.created),
        ]
    }
}

public struct DeleteTopic: WriterCommand {
    public static let kind: UInt8 = 0x11
    public typealias Reply = Done
    public var name = ""

    public init() {}
    public init(name: String) { self.name = name }

    public static let fields: [WireField<Self>] = [.init("topic name", \.name)]
}

/// Sets and removes topic configs; validated by the writer.
public struct AlterTopicConfigs: WriterCommand {
    public static let kind: UInt8 = 0x12
    public typealias Reply = Done
    public var name = ""
    public var set: [String: String] = [:]
    public var delete: [String] = []

    public init() {}
    public init(name: String, set: [String: String], delete: [String] = []) {
        self.name = name
        self.set = set
        self.delete = delete
    }

    public static let fields: [WireField<Self>] = [
        .init("topic name", \.name), .init("configs to set", \.set), .init("configs to delete", \.delete),
    ]
}

/// Grows a topic to `count` partitions in total (CreatePartitions); a topic never shrinks.
public struct CreatePartitions: WriterCommand {
    public static let kind: UInt8 = 0x13
    public var name = ""
    public var count: Int32 = 0

    public init() {}
    public init(name: String, count: Int32) {
        self.name = name
        self.count = count
    }

    public static let fields: [WireField<Self>] = [.init("topic name", \.name), .init("partition count", \.count)]

    public struct Reply: WireMessage {
        public var count: Int32 = 0
        public init() {}
        public init(count: Int32) { self.count = count }
        public static let fields: [WireField<Self>] = [.init("partition count", \.count)]
    }
}
