/// The transaction coordinator's rules, as Kafka 3.9 applies them to one transactional id: events in
/// (with the current metadata and an explicit time), the next metadata and what to write out. No I/O:
/// the storage writer reads the metadata, runs an event and writes the result in one storage
/// transaction, so every state change is fsynced before it is answered.
public enum TransactionMachine {
    /// What an event asks the storage writer to do besides storing the new metadata.
    public struct Outcome: Hashable, Sendable {
        public var metadata: TransactionMetadata
        /// Markers to append, one control batch per partition, with this producer id and epoch.
        public var markers: Markers?
        /// The open transaction's offsets, committed to their groups (true) or discarded (false).
        public var groupOffsets: Bool?

        public init(metadata: TransactionMetadata, markers: Markers? = nil, groupOffsets: Bool? = nil) {
            self.metadata = metadata
            self.markers = markers
            self.groupOffsets = groupOffsets
        }
    }

    public struct Markers: Hashable, Sendable {
        public var commit: Bool
        public var producerID: Int64
        public var producerEpoch: Int16
        public var partitions: [TransactionPartition]
    }

    /// InitProducerId with a transactional id. A new id gets `allocated` at epoch 0. An existing one
    /// is bumped, which fences the previous producer; its open transaction is aborted first, with the
    /// bumped epoch (so the zombie's late writes are refused). With `expected` (KIP-360, v3+), the
    /// bump happens only from that producer id and epoch, and a retried bump answers the same epoch.
    /// `exhausted` says the epoch cannot grow: the caller then allocates a new producer id.
    public static func initProducer(
        _ current: TransactionMetadata?,
        transactionalID: String,
        timeoutMs: Int32,
        expected: (producerID: Int64, epoch: Int16)?,
        allocated: () -> Int64,
        nowMs: Int64
    ) throws(TransactionError) -> Outcome {
        guard var metadata = current else {
            return Outcome(
                metadata: TransactionMetadata(
                    transactionalID: transactionalID,
                    producerID: allocated(),
                    producerEpoch: 0,
                    state: .empty,
                    timeoutMs: timeoutMs,
                    updatedMs: nowMs
                )
            )
        }
        if let expected, expected.producerID >= 0 {
            if expected.producerID == metadata.producerID && Int(expected.epoch) + 1 == Int(metadata.producerEpoch)
                && metadata.state != .ongoing
            {
                return Outcome(metadata: metadata)  // a retried bump: answer what it got
            }
            guard expected.producerID == metadata.producerID, expected.epoch == metadata.producerEpoch else {
                throw .producerFenced("producer \(expected.producerID) at epoch \(expected.epoch) is not the current holder of '\(transactionalID)'")
            }
        }
        let wasOngoing = metadata.state == .ongoing
        let partitions = metadata.partitions.sorted()
        if metadata.producerEpoch >= Int16.max - 1 {
            metadata.producerID = allocated()
            metadata.producerEpoch = 0
        } else {
            metadata.producerEpoch += 1
        }
        metadata.timeoutMs = timeoutMs
        metadata.updatedMs = nowMs
        guard wasOngoing else {
            metadata.state = .empty
            metadata.partitions = []
            metadata.groups = []
            metadata.startedMs = -1
            return Outcome(metadata: metadata)
        }
        return self.aborted(metadata, partitions: partitions, nowMs: nowMs)
    }

    /// AddPartitionsToTxn: the partitions join the open transaction (opening one if need be).
    public static func addPartitions(
        _ current: TransactionMetadata?,
        producerID: Int64,
        producerEpoch: Int16,
        partitions: [TransactionPartition],
        nowMs: Int64
    ) throws(TransactionError) -> Outcome {
        var metadata = try self.checked(current, producerID: producerID, producerEpoch: producerEpoch)
        metadata = self.opened(metadata, nowMs: nowMs)
        metadata.partitions.formUnion(partitions)
        return Outcome(metadata: metadata)
    }

    /// AddOffsetsToTxn: the group's offsets will be committed with the transaction.
    public static func addOffsets(
        _ current: TransactionMetadata?,
        producerID: Int64,
        producerEpoch: Int16,
        group: String,
        nowMs: Int64
    ) throws(TransactionError) -> Outcome {
        var metadata = try self.checked(current, producerID: producerID, producerEpoch: producerEpoch)
        metadata = self.opened(metadata, nowMs: nowMs)
        metadata.groups.insert(group)
        return Outcome(metadata: metadata)
    }

    /// TxnOffsetCommit: allowed only for a group the open transaction added (AddOffsetsToTxn first).
    public static func checkOffsetCommit(
        _ current: TransactionMetadata?,
        producerID: Int64,
        producerEpoch: Int16,
        group: String
    ) throws(TransactionError) {
        let metadata = try self.checked(current, producerID: producerID, producerEpoch: producerEpoch)
        guard metadata.state == .ongoing, metadata.groups.contains(group) else {
            throw .invalidTxnState("group '\(group)' was not added to the transaction of '\(metadata.transactionalID)'")
        }
    }

    /// EndTxn: commits or aborts the open transaction. Ending it again the same way is a retry and
    /// succeeds; the other way, or with nothing open, is INVALID_TXN_STATE.
    public static func end(
        _ current: TransactionMetadata?,
        producerID: Int64,
        producerEpoch: Int16,
        commit: Bool,
        nowMs: Int64
    ) throws(TransactionError) -> Outcome {
        var metadata = try self.checked(current, producerID: producerID, producerEpoch: producerEpoch)
        switch metadata.state {
        case .ongoing:
            let partitions = metadata.partitions.sorted()
            guard commit else { return self.aborted(metadata, partitions: partitions, nowMs: nowMs) }
            metadata.state = .completeCommit
            metadata.partitions = []
            metadata.groups = []
            metadata.startedMs = -1
            metadata.updatedMs = nowMs
            return Outcome(
                metadata: metadata,
                markers: Markers(commit: true, producerID: metadata.producerID, producerEpoch: metadata.producerEpoch, partitions: partitions),
                groupOffsets: true
            )
        case .completeCommit where commit, .completeAbort where !commit:
            return Outcome(metadata: metadata)
        default:
            throw .invalidTxnState(
                "cannot \(commit ? "commit" : "abort") '\(metadata.transactionalID)' in state \(metadata.state.rawValue)"
            )
        }
    }

    /// The periodic check: a transaction open past its timeout is aborted with a bumped epoch, which
    /// fences its producer (PRODUCER_FENCED on its next request). Nil when nothing is due.
    public static func timeout(_ metadata: TransactionMetadata, nowMs: Int64) -> Outcome? {
        guard metadata.state == .ongoing, metadata.startedMs >= 0, nowMs - metadata.startedMs > Int64(metadata.timeoutMs) else { return nil }
        var bumped = metadata
        let partitions = metadata.partitions.sorted()
        guard bumped.producerEpoch < Int16.max - 1 else {
            // The epoch cannot grow: abort at the current one; the id is re-allocated at the next init.
            return self.aborted(bumped, partitions: partitions, nowMs: nowMs)
        }
        bumped.producerEpoch += 1
        return self.aborted(bumped, partitions: partitions, nowMs: nowMs)
    }

    /// Whether an idle transactional id may be forgotten (`transactional.id.expiration.ms`).
    public static func expired(_ metadata: TransactionMetadata, nowMs: Int64, expirationMs: Int64) -> Bool {
        metadata.state != .ongoing && nowMs - metadata.updatedMs > expirationMs
    }

    private static func aborted(_ metadata: TransactionMetadata, partitions: [TransactionPartition], nowMs: Int64) -> Outcome {
        var metadata = metadata
        metadata.state = .completeAbort
        metadata.partitions = []
        metadata.groups = []
        metadata.startedMs = -1
        metadata.updatedMs = nowMs
        return Outcome(
            metadata: metadata,
            markers: Markers(commit: false, producerID: metadata.producerID, producerEpoch: metadata.producerEpoch, partitions: partitions),
            groupOffsets: false
        )
    }

    private static func opened(_ metadata: TransactionMetadata, nowMs: Int64) -> TransactionMetadata {
        var metadata = metadata
        if metadata.state != .ongoing {
            metadata.state = .ongoing
            metadata.startedMs = nowMs
            metadata.partitions = []
            metadata.groups = []
        }
        metadata.updatedMs = nowMs
        return metadata
    }

    /// The producer must be the transactional id's current one: another id is INVALID_PRODUCER_ID_MAPPING,
    /// another epoch PRODUCER_FENCED.
    private static func checked(_ current: TransactionMetadata?, producerID: Int64, producerEpoch: Int16) throws(TransactionError) -> TransactionMetadata {
        guard let metadata = current, metadata.producerID == producerID else {
            throw .invalidProducerIDMapping("producer id \(producerID) does not hold this transactional id")
        }
        guard metadata.producerEpoch == producerEpoch else {
            throw .producerFenced(
                "producer \(producerID) at epoch \(producerEpoch) has been fenced by epoch \(metadata.producerEpoch) of '\(metadata.transactionalID)'"
            )
        }
        return metadata
    }
}

/// Why the coordinator refused a request, as Kafka names it.
public enum TransactionError: Error, Hashable, Sendable {
    case invalidTxnState(String)
    case producerFenced(String)
    case invalidProducerIDMapping(String)
}
