import MonologRecords
import MonologStorage

/// Idempotent producers (KIP-98): producer ids and epochs, and the per-partition sequence checks that
/// keep a retried batch from being stored twice.
extension LogStore {
    /// How many recent batches of a producer are remembered per partition (Kafka keeps five, matching
    /// the most requests a producer may have in flight with idempotence on).
    static let rememberedBatches = 5

    enum ProducerCheck {
        case accept
        case duplicate(baseOffset: Int64, lastOffset: Int64)
    }

    /// Allocates a producer id with epoch 0; or, given `producerID` and its current `producerEpoch`,
    /// bumps the epoch (KIP-360); or, for a transactional id, fences the previous holder by bumping.
    public func initProducerID(
        transactionalID: String?,
        producerID: Int64,
        producerEpoch: Int16,
        nowMs: Int64
    ) throws(StorageError) -> (id: Int64, epoch: Int16) {
        try self.flushPartitionStates()
        return try storageOperation {
            if producerID >= 0 {
                guard let current = try self.producerEpoch(producerID) else {
                    throw StorageError(.unknownProducerID, "producer id \(producerID) is unknown")
                }
                if Int(current) == Int(producerEpoch) + 1 { return (producerID, current) }  // a retried bump
                guard current == producerEpoch else {
                    throw StorageError(.invalidProducerEpoch, "producer \(producerID) is at epoch \(current), not \(producerEpoch)")
                }
                guard current < Int16.max - 1 else { return try self.newProducer(transactionalID: nil, nowMs: nowMs) }
                try self.setEpoch(producerID, current + 1, nowMs: nowMs)
                return (producerID, current + 1)
            }
            if let transactionalID {
                let existing = try self.db.statement("SELECT producer_id, producer_epoch FROM producers WHERE transactional_id = ?1")
                defer { existing.reset() }
                existing.bind(1, transactionalID)
                if try existing.step() {
                    let id = existing.int64(at: 0)
                    let epoch = Int16(truncatingIfNeeded: existing.int64(at: 1))
                    existing.reset()
                    guard epoch < Int16.max - 1 else {
                        try self.db.statement("UPDATE producers SET transactional_id = NULL WHERE producer_id = ?1").bind(1, id).run()
                        return try self.newProducer(transactionalID: transactionalID, nowMs: nowMs)
                    }
                    try self.setEpoch(id, epoch + 1, nowMs: nowMs)
                    return (id, epoch + 1)
                }
            }
            return try self.newProducer(transactionalID: transactionalID, nowMs: nowMs)
        }
    }

    /// Checks a batch from an idempotent producer against what this partition has seen from it.
    func checkProducer(_ header: RecordBatchHeader, topicID: Int64, partition: Int32) throws -> ProducerCheck {
        guard let epoch = try self.producerEpoch(header.producerID) else {
            throw StorageError(.unknownProducerID, "producer id \(header.producerID) was not issued by this broker")
        }
        guard header.producerEpoch >= epoch else {
            throw StorageError(
                .invalidProducerEpoch,
                "producer \(header.producerID) sent epoch \(header.producerEpoch); the current epoch is \(epoch)"
            )
        }
        if header.producerEpoch > epoch {
            // Only the coordinator moves a transactional producer's epoch (InitProducerId).
            guard !header.attributes.isTransactional else {
                throw StorageError(
                    .invalidProducerEpoch, "transactional producer \(header.producerID) sent epoch \(header.producerEpoch); the current epoch is \(epoch)")
            }
            // KIP-360: an idempotent producer bumps its own epoch to recover from a sequence gap (as
            // librdkafka does after a failed request), and starts the new epoch at sequence 0.
            guard header.baseSequence == 0 else {
                throw StorageError(
                    .outOfOrderSequence,
                    "producer \(header.producerID) started epoch \(header.producerEpoch) at sequence \(header.baseSequence), not 0"
                )
            }
            try self.db.statement("UPDATE producers SET producer_epoch = ?2 WHERE producer_id = ?1")
                .bind(1, header.producerID).bind(2, Int64(header.producerEpoch)).run()
            return .accept
        }
        let lastSequence = Self.lastSequence(header)
        let recent = try self.db.statement(
            """
            SELECT producer_epoch, base_sequence, last_sequence, base_offset, last_offset FROM producer_batches
            WHERE producer_id = ?1 AND topic_id = ?2 AND partition = ?3 ORDER BY base_offset DESC LIMIT ?4
            """
        )
        defer { recent.reset() }
        recent.bind(1, header.producerID).bind(2, topicID).bind(3, partition).bind(4, Int64(Self.rememberedBatches))
        var latestSequence: Int32?
        while try recent.step() {
            guard Int16(truncatingIfNeeded: recent.int64(at: 0)) == header.producerEpoch else { continue }
            if recent.int32(at: 1) == header.baseSequence && recent.int32(at: 2) == lastSequence {
                return .duplicate(baseOffset: recent.int64(at: 3), lastOffset: recent.int64(at: 4))
            }
            latestSequence = latestSequence ?? recent.int32(at: 2)
        }
        let expected = latestSequence.map { $0 == Int32.max ? 0 : $0 + 1 } ?? 0
        guard header.baseSequence == expected else {
            throw StorageError(
                .outOfOrderSequence,
                "producer \(header.producerID) sent sequence \(header.baseSequence); expected \(expected)"
            )
        }
        return .accept
    }

    /// Remembers a stored batch for duplicate detection, keeping only the most recent few.
    func recordProducerBatch(_ header: RecordBatchHeader, topicID: Int64, partition: Int32) throws {
        try self.db.statement(
            """
            INSERT INTO producer_batches (producer_id, topic_id, partition, producer_epoch, base_sequence, last_sequence,
                base_offset, last_offset) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """
        ).bind(1, header.producerID).bind(2, topicID).bind(3, partition).bind(4, Int64(header.producerEpoch))
            .bind(5, header.baseSequence).bind(6, Self.lastSequence(header)).bind(7, header.baseOffset).bind(8, header.lastOffset)
            .run()
        try self.db.statement(
            """
            DELETE FROM producer_batches WHERE producer_id = ?1 AND topic_id = ?2 AND partition = ?3 AND base_offset NOT IN
                (SELECT base_offset FROM producer_batches WHERE producer_id = ?1 AND topic_id = ?2 AND partition = ?3
                 ORDER BY base_offset DESC LIMIT ?4)
            """
        ).bind(1, header.producerID).bind(2, topicID).bind(3, partition).bind(4, Int64(Self.rememberedBatches)).run()
    }

    /// Sequence numbers wrap from Int32.max to 0, as Kafka's do.
    static func lastSequence(_ header: RecordBatchHeader) -> Int32 {
        let last = Int64(header.baseSequence) + Int64(header.lastOffsetDelta)
        return Int32(truncatingIfNeeded: last > Int64(Int32.max) ? last - Int64(Int32.max) - 1 : last)
    }

    private func producerEpoch(_ producerID: Int64) throws -> Int16? {
        let select = try self.db.statement("SELECT producer_epoch FROM producers WHERE producer_id = ?1")
        defer { select.reset() }
        select.bind(1, producerID)
        return try select.step() ? Int16(truncatingIfNeeded: select.int64(at: 0)) : nil
    }

    private func setEpoch(_ producerID: Int64, _ epoch: Int16, nowMs: Int64) throws {
        try self.db.statement("UPDATE producers SET producer_epoch = ?2, updated_at_ms = ?3 WHERE producer_id = ?1")
            .bind(1, producerID).bind(2, Int64(epoch)).bind(3, nowMs).run()
    }

    func newProducer(transactionalID: String?, nowMs: Int64) throws -> (id: Int64, epoch: Int16) {
        let insert = try self.db.statement(
            "INSERT INTO producers (producer_epoch, transactional_id, updated_at_ms) VALUES (0, ?1, ?2)"
        )
        if let transactionalID { insert.bind(1, transactionalID) }
        try insert.bind(2, nowMs).run()
        return (self.db.lastInsertRowID, 0)
    }
}
