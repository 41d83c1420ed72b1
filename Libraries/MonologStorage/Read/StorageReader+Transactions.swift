/// Transactions as readers see them: each partition's last stable offset and aborted transactions
/// (for read_committed), offsets held in open transactions, and the coordinator's state per
/// transactional id (DescribeTransactions, ListTransactions).
extension StorageReader {
    /// The last stable offset: the first offset of the partition's oldest open transaction, else the
    /// high watermark; never below the log start (retention or DeleteRecords may have removed the start
    /// of an open transaction; Kafka moves its first unstable offset up to the log start then too).
    /// read_committed consumers read below it.
    public func lastStableOffset(topicID: Int64, offsets: PartitionOffsets) throws(SQLiteError) -> Int64 {
        guard let first = try self.db.firstOpenTransactionOffset(topicID: topicID, partition: offsets.partition) else { return offsets.highWatermark }
        return max(offsets.logStartOffset, min(first, offsets.highWatermark))
    }

    /// The first offset of `producerID`'s open transaction in the partition, if it has one.
    public func openTransactionStart(topicID: Int64, partition: Int32, producerID: Int64) throws(SQLiteError) -> Int64? {
        let select = try self.db.statement(
            "SELECT first_offset FROM open_transactions WHERE topic_id = ?1 AND partition = ?2 AND producer_id = ?3"
        )
        defer { select.reset() }
        select.bind(1, topicID).bind(2, partition).bind(3, producerID)
        return try select.step() ? select.int64(at: 0) : nil
    }

    public struct AbortedTransaction: Hashable, Sendable {
        public var producerID: Int64
        public var firstOffset: Int64
    }

    /// Aborted transactions that overlap offsets `from ..< upTo`, oldest first: what a read_committed
    /// fetch returns with those offsets so the consumer can drop the aborted records.
    public func abortedTransactions(topicID: Int64, partition: Int32, from: Int64, upTo: Int64) throws(SQLiteError) -> [AbortedTransaction] {
        try self.db.abortedTransactions(topicID: topicID, partition: partition, from: from, upTo: upTo)
    }

    /// The partitions for which `group` has offsets committed in a still-open transaction
    /// (OffsetFetch with `require_stable` answers UNSTABLE_OFFSET_COMMIT for them).
    public func unstableOffsets(group: String) throws(SQLiteError) -> Set<String> {
        let select = try self.db.statement("SELECT topic, partition FROM pending_group_offsets WHERE group_id = ?1")
        defer { select.reset() }
        select.bind(1, group)
        var partitions: Set<String> = []
        while try select.step() { partitions.insert("\(select.string(at: 0) ?? "")-\(select.int32(at: 1))") }
        return partitions
    }

    /// A transactional id as the coordinator keeps it.
    public struct TransactionSummary: Hashable, Sendable {
        public var transactionalID: String
        public var producerID: Int64
        public var producerEpoch: Int16
        /// Kafka's name for it: Empty, Ongoing, CompleteCommit or CompleteAbort.
        public var state: String
        public var timeoutMs: Int32
        /// When the open transaction began; -1 when none is open.
        public var startedMs: Int64
        public var partitions: [String: [Int32]]
    }

    /// Every transactional id, or the given ones, in id order.
    public func transactions(_ ids: [String]? = nil) throws(SQLiteError) -> [TransactionSummary] {
        let select = try self.db.statement(
            """
            SELECT t.transactional_id, t.producer_id, p.producer_epoch, t.state, t.timeout_ms, t.started_ms
            FROM transactions t JOIN producers p ON p.producer_id = t.producer_id ORDER BY t.transactional_id
            """
        )
        defer { select.reset() }
        let wanted = ids.map(Set.init)
        var summaries: [TransactionSummary] = []
        while try select.step() {
            let id = select.string(at: 0) ?? ""
            if let wanted, !wanted.contains(id) { continue }
            summaries.append(
                TransactionSummary(
                    transactionalID: id,
                    producerID: select.int64(at: 1),
                    producerEpoch: Int16(truncatingIfNeeded: select.int64(at: 2)),
                    state: select.string(at: 3) ?? "",
                    timeoutMs: select.int32(at: 4),
                    startedMs: select.int64(at: 5),
                    partitions: [:]
                )
            )
        }
        select.reset()
        let partitions = try self.db.statement("SELECT topic, partition FROM transaction_partitions WHERE transactional_id = ?1 ORDER BY topic, partition")
        defer { partitions.reset() }
        for index in summaries.indices {
            partitions.bind(1, summaries[index].transactionalID)
            while try partitions.step() { summaries[index].partitions[partitions.string(at: 0) ?? "", default: []].append(partitions.int32(at: 1)) }
            partitions.reset()
        }
        return summaries
    }
}
