import MonologRecords
import MonologStorage
import MonologTransactions

/// Transactions (KIP-98): the coordinator's state per transactional id, the markers that end a
/// transaction in each of its partitions, and the per-partition index of open and aborted transactions
/// that read_committed fetches use. Each operation reads the metadata, runs `TransactionMachine` and
/// writes the outcome in the caller's storage transaction, so a state change and its markers commit
/// (and are fsynced) together.
extension LogStore {
    /// A partition whose high watermark a marker moved.
    public struct MarkedPartition: Hashable, Sendable {
        public var topic: String
        public var partition: Int32
        public var highWatermark: Int64
        public var logStartOffset: Int64
    }

    /// InitProducerId for a transactional id: a new producer id, or the current one's next epoch
    /// (aborting its open transaction first).
    public func initTransactionalProducer(
        transactionalID: String,
        timeoutMs: Int32,
        expected: (producerID: Int64, epoch: Int16)?,
        nowMs: Int64
    ) throws(StorageError) -> (id: Int64, epoch: Int16, marked: [MarkedPartition]) {
        try self.flushPartitionStates()
        return try storageOperation {
            let current = try self.transactionMetadata(transactionalID)
            var fresh: Int64?
            if current == nil || current!.producerEpoch >= Int16.max - 1 {
                try self.db.statement("UPDATE producers SET transactional_id = NULL WHERE transactional_id = ?1").bind(1, transactionalID).run()
                fresh = try self.newProducer(transactionalID: transactionalID, nowMs: nowMs).id
            }
            let outcome = try Self.coordinator {
                try TransactionMachine.initProducer(
                    current, transactionalID: transactionalID, timeoutMs: timeoutMs, expected: expected, allocated: { fresh ?? -1 }, nowMs: nowMs)
            }
            let marked = try self.save(outcome, nowMs: nowMs)
            return (outcome.metadata.producerID, outcome.metadata.producerEpoch, marked)
        }
    }

    /// AddPartitionsToTxn. Unknown partitions refuse the whole request (the others are not attempted).
    public func addPartitionsToTransaction(
        transactionalID: String,
        producerID: Int64,
        producerEpoch: Int16,
        partitions: [TransactionPartition],
        nowMs: Int64
    ) throws(StorageError) -> [TransactionPartition: StorageError.Code?] {
        try self.flushPartitionStates()
        return try storageOperation {
            let unknown = Set(try partitions.filter { try !self.hasPartition(topic: $0.topic, $0.partition) })
            guard unknown.isEmpty else {
                return Dictionary(
                    partitions.map { ($0, unknown.contains($0) ? StorageError.Code.unknownTopic : .invalidRequest) }, uniquingKeysWith: { a, _ in a })
            }
            let outcome = try Self.coordinator {
                try TransactionMachine.addPartitions(
                    try self.transactionMetadata(transactionalID), producerID: producerID, producerEpoch: producerEpoch, partitions: partitions,
                    nowMs: nowMs)
            }
            _ = try self.save(outcome, nowMs: nowMs)
            return Dictionary(partitions.map { ($0, nil) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// AddOffsetsToTxn: the group's offsets will be committed with the transaction.
    public func addOffsetsToTransaction(transactionalID: String, producerID: Int64, producerEpoch: Int16, group: String, nowMs: Int64) throws(StorageError) {
        try self.flushPartitionStates()
        try storageOperation {
            let outcome = try Self.coordinator {
                try TransactionMachine.addOffsets(
                    try self.transactionMetadata(transactionalID), producerID: producerID, producerEpoch: producerEpoch, group: group, nowMs: nowMs)
            }
            _ = try self.save(outcome, nowMs: nowMs)
        }
    }

    /// TxnOffsetCommit: offsets held until the transaction ends; one result per offset (nil: stored).
    public func commitTransactionalOffsets(
        transactionalID: String,
        group: String,
        producerID: Int64,
        producerEpoch: Int16,
        _ offsets: [GroupOffsetCommit]
    ) throws(StorageError) -> [StorageError.Code?] {
        try self.flushPartitionStates()
        return try storageOperation {
            let metadata = try self.transactionMetadata(transactionalID)
            try Self.coordinator {
                try TransactionMachine.checkOffsetCommit(metadata, producerID: producerID, producerEpoch: producerEpoch, group: group)
            }
            let upsert = try self.db.statement(
                """
                INSERT INTO pending_group_offsets (transactional_id, group_id, topic, partition, committed_offset, leader_epoch, metadata)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                ON CONFLICT DO UPDATE SET committed_offset = excluded.committed_offset, leader_epoch = excluded.leader_epoch,
                    metadata = excluded.metadata
                """
            )
            var results: [StorageError.Code?] = []
            for offset in offsets {
                guard try self.hasPartition(topic: offset.topic, offset.partition) else {
                    results.append(.unknownTopic)
                    continue
                }
                upsert.bind(1, transactionalID).bind(2, group).bind(3, offset.topic).bind(4, offset.partition).bind(5, offset.offset)
                    .bind(6, offset.leaderEpoch)
                if let metadata = offset.metadata { upsert.bind(7, metadata) }
                try upsert.run()
                results.append(nil)
            }
            return results
        }
    }

    /// EndTxn: markers into every partition of the transaction, and its offsets committed or dropped.
    public func endTransaction(
        transactionalID: String,
        producerID: Int64,
        producerEpoch: Int16,
        commit: Bool,
        nowMs: Int64
    ) throws(StorageError) -> [MarkedPartition] {
        try self.flushPartitionStates()
        return try storageOperation {
            let outcome = try Self.coordinator {
                try TransactionMachine.end(
                    try self.transactionMetadata(transactionalID), producerID: producerID, producerEpoch: producerEpoch, commit: commit, nowMs: nowMs)
            }
            return try self.save(outcome, nowMs: nowMs)
        }
    }

    /// The periodic check: aborts transactions open past their timeout (fencing their producers) and
    /// forgets transactional ids idle for longer than `expirationMs`.
    public func expireTransactions(nowMs: Int64, expirationMs: Int64) throws(StorageError) -> (aborted: Int, forgotten: Int, marked: [MarkedPartition]) {
        try self.flushPartitionStates()
        return try storageOperation {
            let select = try self.db.statement("SELECT transactional_id FROM transactions ORDER BY transactional_id")
            var ids: [String] = []
            while try select.step() { ids.append(select.string(at: 0) ?? "") }
            select.reset()
            var aborted = 0
            var forgotten = 0
            var marked: [MarkedPartition] = []
            for id in ids {
                guard let metadata = try self.transactionMetadata(id) else { continue }
                if let outcome = TransactionMachine.timeout(metadata, nowMs: nowMs) {
                    marked += try self.save(outcome, nowMs: nowMs)
                    aborted += 1
                } else if TransactionMachine.expired(metadata, nowMs: nowMs, expirationMs: expirationMs) {
                    try self.forgetTransactionalID(id)
                    forgotten += 1
                }
            }
            return (aborted, forgotten, marked)
        }
    }

    // MARK: - Appends

    /// KIP-890 part 1: a transactional batch is accepted only for a partition its producer's open
    /// transaction has added; its first offset then opens the transaction in that partition.
    func checkTransactionalBatch(_ header: RecordBatchHeader, topic: TopicInfo, partition: Int32) throws {
        let select = try self.db.statement(
            """
            SELECT 1 FROM transactions t JOIN transaction_partitions p ON p.transactional_id = t.transactional_id
            WHERE t.producer_id = ?1 AND t.state = 'Ongoing' AND p.topic = ?2 AND p.partition = ?3
            """
        )
        defer { select.reset() }
        select.bind(1, header.producerID).bind(2, topic.name).bind(3, partition)
        guard try select.step() else {
            throw StorageError(
                .invalidTxnState,
                "transactional producer \(header.producerID) has not added '\(topic.name)'-\(partition) to an open transaction"
            )
        }
    }

    func recordTransactionalBatch(_ header: RecordBatchHeader, topicID: Int64, partition: Int32) throws {
        try self.db.statement(
            "INSERT OR IGNORE INTO open_transactions (topic_id, partition, producer_id, first_offset) VALUES (?1, ?2, ?3, ?4)"
        ).bind(1, topicID).bind(2, partition).bind(3, header.producerID).bind(4, header.baseOffset).run()
    }

    // MARK: - State

    private func hasPartition(topic name: String, _ partition: Int32) throws -> Bool {
        guard let topic = try self.topic(named: name) else { return false }
        return partition >= 0 && partition < topic.partitionCount
    }

    func transactionMetadata(_ transactionalID: String) throws -> TransactionMetadata? {
        let select = try self.db.statement(
            """
            SELECT t.producer_id, p.producer_epoch, t.state, t.timeout_ms, t.started_ms, t.updated_ms
            FROM transactions t JOIN producers p ON p.producer_id = t.producer_id WHERE t.transactional_id = ?1
            """
        )
        defer { select.reset() }
        select.bind(1, transactionalID)
        guard try select.step() else { return nil }
        var metadata = TransactionMetadata(
            transactionalID: transactionalID,
            producerID: select.int64(at: 0),
            producerEpoch: Int16(truncatingIfNeeded: select.int64(at: 1)),
            state: TransactionState(rawValue: select.string(at: 2) ?? "") ?? .empty,
            timeoutMs: select.int32(at: 3),
            startedMs: select.int64(at: 4),
            updatedMs: select.int64(at: 5)
        )
        select.reset()
        let partitions = try self.db.statement("SELECT topic, partition FROM transaction_partitions WHERE transactional_id = ?1")
        defer { partitions.reset() }
        partitions.bind(1, transactionalID)
        while try partitions.step() {
            metadata.partitions.insert(TransactionPartition(topic: partitions.string(at: 0) ?? "", partition: partitions.int32(at: 1)))
        }
        let groups = try self.db.statement("SELECT group_id FROM transaction_groups WHERE transactional_id = ?1")
        defer { groups.reset() }
        groups.bind(1, transactionalID)
        while try groups.step() { metadata.groups.insert(groups.string(at: 0) ?? "") }
        return metadata
    }

    /// Stores an outcome: the metadata, the producer's epoch, the markers and the group offsets.
    private func save(_ outcome: TransactionMachine.Outcome, nowMs: Int64) throws -> [MarkedPartition] {
        let metadata = outcome.metadata
        try self.db.statement(
            """
            INSERT INTO transactions (transactional_id, producer_id, state, timeout_ms, started_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT DO UPDATE SET producer_id = excluded.producer_id, state = excluded.state, timeout_ms = excluded.timeout_ms,
                started_ms = excluded.started_ms, updated_ms = excluded.updated_ms
            """
        ).bind(1, metadata.transactionalID).bind(2, metadata.producerID).bind(3, metadata.state.rawValue).bind(4, metadata.timeoutMs)
            .bind(5, metadata.startedMs).bind(6, metadata.updatedMs).run()
        try self.db.statement("UPDATE producers SET producer_epoch = ?2, updated_at_ms = ?3 WHERE producer_id = ?1")
            .bind(1, metadata.producerID).bind(2, Int64(metadata.producerEpoch)).bind(3, nowMs).run()
        try self.db.statement("DELETE FROM transaction_partitions WHERE transactional_id = ?1").bind(1, metadata.transactionalID).run()
        let addPartition = try self.db.statement("INSERT INTO transaction_partitions (transactional_id, topic, partition) VALUES (?1, ?2, ?3)")
        for partition in metadata.partitions.sorted() {
            try addPartition.bind(1, metadata.transactionalID).bind(2, partition.topic).bind(3, partition.partition).run()
        }
        try self.db.statement("DELETE FROM transaction_groups WHERE transactional_id = ?1").bind(1, metadata.transactionalID).run()
        let addGroup = try self.db.statement("INSERT INTO transaction_groups (transactional_id, group_id) VALUES (?1, ?2)")
        for group in metadata.groups.sorted() { try addGroup.bind(1, metadata.transactionalID).bind(2, group).run() }

        if let commitOffsets = outcome.groupOffsets {
            if commitOffsets {
                try self.db.statement(
                    """
                    INSERT INTO group_offsets (group_id, topic, partition, committed_offset, leader_epoch, metadata, commit_time_ms)
                    SELECT group_id, topic, partition, committed_offset, leader_epoch, metadata, ?2 FROM pending_group_offsets
                    WHERE transactional_id = ?1
                    ON CONFLICT DO UPDATE SET committed_offset = excluded.committed_offset, leader_epoch = excluded.leader_epoch,
                        metadata = excluded.metadata, commit_time_ms = excluded.commit_time_ms
                    """
                ).bind(1, metadata.transactionalID).bind(2, nowMs).run()
            }
            try self.db.statement("DELETE FROM pending_group_offsets WHERE transactional_id = ?1").bind(1, metadata.transactionalID).run()
        }
        guard let markers = outcome.markers else { return [] }
        var marked: [MarkedPartition] = []
        for partition in markers.partitions {
            // A topic deleted while its transaction was open has no log left to mark.
            guard let topic = try self.topic(named: partition.topic), partition.partition < topic.partitionCount else { continue }
            marked.append(
                try self.appendMarker(
                    topic: topic, partition: partition.partition, commit: markers.commit, producerID: markers.producerID,
                    producerEpoch: markers.producerEpoch, nowMs: nowMs)
            )
        }
        return marked
    }

    /// Appends a transaction marker and closes the producer's transaction in the partition (an abort
    /// is remembered, from its first offset to the marker, for read_committed fetches).
    private func appendMarker(
        topic: TopicInfo,
        partition: Int32,
        commit: Bool,
        producerID: Int64,
        producerEpoch: Int16,
        nowMs: Int64
    ) throws -> MarkedPartition {
        let state = try self.partitionState(topic: topic, partition: partition)
        var marker = try RecordBatch.split(ControlBatch.marker(commit: commit, producerID: producerID, producerEpoch: producerEpoch, timestamp: nowMs))[0]
        marker.assignBaseOffset(state.nextOffset)
        let header = marker.header
        try self.db.statement(
            """
            INSERT INTO batches (topic_id, partition, base_offset, last_offset, max_timestamp, record_count, data)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """
        ).bind(1, topic.topicID).bind(2, partition).bind(3, header.baseOffset).bind(4, header.lastOffset).bind(5, header.maxTimestamp)
            .bind(6, header.recordCount).bind(7, marker.bytes).run()
        try self.advance(PartitionKey(topicID: topic.topicID, partition: partition), to: header.lastOffset + 1)

        let open = try self.db.statement("SELECT first_offset FROM open_transactions WHERE topic_id = ?1 AND partition = ?2 AND producer_id = ?3")
        open.bind(1, topic.topicID).bind(2, partition).bind(3, producerID)
        let first: Int64? = try open.step() ? open.int64(at: 0) : nil
        open.reset()
        if let first {
            if !commit {
                try self.db.statement(
                    "INSERT OR REPLACE INTO aborted_transactions (topic_id, partition, producer_id, first_offset, last_offset) VALUES (?1, ?2, ?3, ?4, ?5)"
                ).bind(1, topic.topicID).bind(2, partition).bind(3, producerID).bind(4, first).bind(5, header.baseOffset).run()
            }
            try self.db.statement("DELETE FROM open_transactions WHERE topic_id = ?1 AND partition = ?2 AND producer_id = ?3")
                .bind(1, topic.topicID).bind(2, partition).bind(3, producerID).run()
        }
        return MarkedPartition(topic: topic.name, partition: partition, highWatermark: header.lastOffset + 1, logStartOffset: state.logStartOffset)
    }

    private func forgetTransactionalID(_ id: String) throws {
        for table in ["transactions", "transaction_partitions", "transaction_groups", "pending_group_offsets"] {
            try self.db.statement("DELETE FROM \(table) WHERE transactional_id = ?1").bind(1, id).run()
        }
        try self.db.statement("UPDATE producers SET transactional_id = NULL WHERE transactional_id = ?1").bind(1, id).run()
    }

    /// Runs a coordinator rule, turning its refusal into the storage error the writer answers with.
    private static func coordinator<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as TransactionError {
            switch error {
            case .invalidTxnState(let message): throw StorageError(.invalidTxnState, message)
            case .producerFenced(let message): throw StorageError(.producerFenced, message)
            case .invalidProducerIDMapping(let message): throw StorageError(.invalidProducerIDMapping, message)
            }
        }
    }
}
