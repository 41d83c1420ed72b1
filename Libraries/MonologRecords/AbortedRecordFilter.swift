/// What a read_committed reader skips, batch by batch, as Kafka's consumer does: given the aborted
/// transactions (producer id, first offset) that overlap what is read, a transactional batch is dropped
/// when its producer has an aborted transaction that began at or before it and whose ABORT marker has
/// not been passed yet. Control batches (the markers) are never data.
public struct AbortedRecordFilter {
    /// Not yet reached, oldest first.
    private var pending: [(producerID: Int64, firstOffset: Int64)]
    /// Producers inside an aborted transaction at the current position.
    private var aborting: Set<Int64> = []

    public init(aborted: [(producerID: Int64, firstOffset: Int64)]) {
        self.pending = aborted.sorted { $0.firstOffset < $1.firstOffset }
    }

    /// Whether the batch's records are to be read. Batches must come in offset order.
    public mutating func keeps(_ header: RecordBatchHeader) -> Bool {
        while let next = self.pending.first, next.firstOffset <= header.lastOffset {
            self.aborting.insert(next.producerID)
            self.pending.removeFirst()
        }
        if header.attributes.isControl {
            // The producer's marker ends its transaction, aborted or not.
            self.aborting.remove(header.producerID)
            return false
        }
        return !(header.attributes.isTransactional && self.aborting.contains(header.producerID))
    }
}
