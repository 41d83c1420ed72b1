/// A transactional producer as the transaction coordinator keeps it: one per transactional id, stored
/// by the storage writer (table `transactions`) and changed only through `TransactionMachine`.
public struct TransactionMetadata: Hashable, Sendable {
    public var transactionalID: String
    public var producerID: Int64
    public var producerEpoch: Int16
    public var state: TransactionState
    /// The producer's `transaction.timeout.ms`: an open transaction older than this is aborted.
    public var timeoutMs: Int32
    /// When the open transaction began (its first AddPartitionsToTxn or AddOffsetsToTxn); -1 when none is open.
    public var startedMs: Int64
    public var updatedMs: Int64
    /// The partitions and consumer groups the open transaction spans.
    public var partitions: Set<TransactionPartition>
    public var groups: Set<String>

    public init(
        transactionalID: String,
        producerID: Int64,
        producerEpoch: Int16,
        state: TransactionState,
        timeoutMs: Int32,
        startedMs: Int64 = -1,
        updatedMs: Int64,
        partitions: Set<TransactionPartition> = [],
        groups: Set<String> = []
    ) {
        self.transactionalID = transactionalID
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.state = state
        self.timeoutMs = timeoutMs
        self.startedMs = startedMs
        self.updatedMs = updatedMs
        self.partitions = partitions
        self.groups = groups
    }
}

/// A transaction's state, with Kafka's names (DescribeTransactions and ListTransactions show them).
/// There are no Prepare states: the storage writer writes a transaction's markers in the same storage
/// transaction as its end, so a transaction goes from Ongoing to Complete at once.
public enum TransactionState: String, Hashable, Sendable, CaseIterable {
    case empty = "Empty"
    case ongoing = "Ongoing"
    case completeCommit = "CompleteCommit"
    case completeAbort = "CompleteAbort"
}

public struct TransactionPartition: Hashable, Sendable, Comparable {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }
}
