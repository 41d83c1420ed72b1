/// The first request on every connection.
public struct Hello: WriterCommand {
    public static let kind: UInt8 = 0x01
    public var magic = WriterProtocol.magic
    public var version = WriterProtocol.version
    public var clientName = ""

    public init() {}
    public init(clientName: String, version: UInt16 = WriterProtocol.version) {
        self.clientName = clientName
        self.version = version
    }

    public static let fields: [WireField<Self>] = [
        .init("magic", \.magic), .init("version", \.version), .init("client name", \.clientName),
    ]

    /// The version the writer will speak.
    public struct Reply: WireMessage {
        public var version: UInt16 = 0
        public init() {}
        public init(version: UInt16) { self.version = version }
        public static let fields: [WireField<Self>] = [.init("version", \.version)]
    }
}

/// Asks for a `Watermarks` notification after every commit that moves a partition's bounds, and a
/// `UserCredentialsChanged` after every commit that changes users. The answer is followed by an empty
/// `Watermarks`, meaning "re-read": whatever happened meanwhile.
public struct Subscribe: WriterCommand {
    public static let kind: UInt8 = 0x50
    public typealias Reply = Done
    public init() {}
    public static let fields: [WireField<Self>] = []
}

/// Sent unasked (request id 0) to subscribers: the partitions whose high watermark or log start moved.
public struct Watermarks: WireMessage {
    public static let kind: UInt8 = 0xD1
    public var partitions: [PartitionWatermark] = []

    public init() {}
    public init(_ partitions: [PartitionWatermark]) { self.partitions = partitions }

    public static let fields: [WireField<Self>] = [.init("watermarks", \.partitions)]
}

/// Sent unasked (request id 0) to subscribers after a commit that added, changed or removed a user's
/// credentials or token, so that gateways forget the passwords they verified recently.
public struct UserCredentialsChanged: WireMessage {
    public static let kind: UInt8 = 0xD2
    public init() {}
    public static let fields: [WireField<Self>] = []
}

public struct PartitionWatermark: WireMessage {
    public var topic = ""
    public var partition: Int32 = 0
    public var highWatermark: Int64 = 0
    public var logStartOffset: Int64 = 0

    public init() {}
    public init(topic: String, partition: Int32, highWatermark: Int64, logStartOffset: Int64) {
        self.topic = topic
        self.partition = partition
        self.highWatermark = highWatermark
        self.logStartOffset = logStartOffset
    }

    public static let fields: [WireField<Self>] = [
        .init("topic", \.topic), .init("partition", \.partition), .init("high watermark", \.highWatermark),
        .init("log start offset", \.logStartOffset),
    ]
}
