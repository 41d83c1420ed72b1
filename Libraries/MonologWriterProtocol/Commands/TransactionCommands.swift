import MonologStorage

/// AddPartitionsToTxn: partitions join the transactional id's open transaction.
public struct AddPartitionsToTransaction: WriterCommand {
    public static let kind: UInt8 = 0x23
    public var transactionalID = ""
    public var producerID: Int64 = -1
    public var producerEpoch: Int16 = -1
    public var partitions: [TopicPartition] = []

    public init() {}
    public init(transactionalID: String, producerID: Int64, producerEpoch: Int16, partitions: [TopicPartition]) {
        self.transactionalID = transactionalID
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.partitions = partitions
    }

    public static let fields: [WireField<Self>] = [
        .init("transactional id", \.transactionalID), .init("producer id", \.producerID), .init("producer epoch", \.producerEpoch),
        .init("partitions", \.partitions),
    ]

    /// One code per partition, in request order: `unknownTopic` for a partition that does not exist,
    /// `invalidRequest` for the others then (not attempted), `none` when added.
    public struct Reply: WireMessage {
        public var codes: [WriterErrorCode] = []
        public init() {}
        public init(codes: [WriterErrorCode]) { self.codes = codes }
        public static let fields: [WireField<Self>] = [.init("codes", \.codes)]
    }
}

/// AddOffsetsToTxn: the group's offsets will be committed with the transaction.
public struct AddOffsetsToTransaction: WriterCommand {
    public static let kind: UInt8 = 0x24
    public typealias Reply = Done
    public var transactionalID = ""
    public var producerID: Int64 = -1
    public var producerEpoch: Int16 = -1
    public var group = ""

    public init() {}
    public init(transactionalID: String, producerID: Int64, producerEpoch: Int16, group: String) {
        self.transactionalID = transactionalID
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.group = group
    }

    public static let fields: [WireField<Self>] = [
        .init("transactional id", \.transactionalID), .init("producer id", \.producerID), .init("producer epoch", \.producerEpoch),
        .init("group", \.group),
    ]
}

/// EndTxn: commits or aborts the open transaction, writing its markers.
public struct EndTransaction: WriterCommand {
    public static let kind: UInt8 = 0x25
    public typealias Reply = Done
    public var transactionalID = ""
    public var producerID: Int64 = -1
    public var producerEpoch: Int16 = -1
    public var commit = false

    public init() {}
    public init(transactionalID: String, producerID: Int64, producerEpoch: Int16, commit: Bool) {
        self.transactionalID = transactionalID
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.commit = commit
    }

    public static let fields: [WireField<Self>] = [
        .init("transactional id", \.transactionalID), .init("producer id", \.producerID), .init("producer epoch", \.producerEpoch),
        .init("commit", \.commit),
    ]
}

/// TxnOffsetCommit: a group's offsets held in the transaction until it ends.
public struct CommitTransactionalOffsets: WriterCommand {
    public static let kind: UInt8 = 0x42
    public typealias Reply = CommitOffsets.Reply
    public var transactionalID = ""
    public var group = ""
    public var producerID: Int64 = -1
    public var producerEpoch: Int16 = -1
    public var offsets: [GroupOffsetCommit] = []

    public init() {}
    public init(transactionalID: String, group: String, producerID: Int64, producerEpoch: Int16, offsets: [GroupOffsetCommit]) {
        self.transactionalID = transactionalID
        self.group = group
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.offsets = offsets
    }

    public static let fields: [WireField<Self>] = [
        .init("transactional id", \.transactionalID), .init("group", \.group), .init("producer id", \.producerID),
        .init("producer epoch", \.producerEpoch), .init("offsets", \.offsets),
    ]
}

/// The coordinator's periodic check: aborts transactions open past their timeout (fencing their
/// producers) and forgets transactional ids idle longer than `expirationMs`.
public struct ExpireTransactions: WriterCommand {
    public static let kind: UInt8 = 0x31
    public var nowMs: Int64 = 0
    public var expirationMs: Int64 = 0

    public init() {}
    public init(nowMs: Int64, expirationMs: Int64) {
        self.nowMs = nowMs
        self.expirationMs = expirationMs
    }

    public static let fields: [WireField<Self>] = [.init("now", \.nowMs), .init("transactional id expiration", \.expirationMs)]

    public struct Reply: WireMessage {
        public var aborted: Int32 = 0
        public var forgotten: Int32 = 0
        public init() {}
        public init(aborted: Int32, forgotten: Int32) {
            self.aborted = aborted
            self.forgotten = forgotten
        }
        public static let fields: [WireField<Self>] = [.init("aborted", \.aborted), .init("forgotten", \.forgotten)]
    }
}
