/// Idempotent producers as DescribeProducers reports them.
extension StorageReader {
    public struct ActiveProducer: Hashable, Sendable {
        public var producerID: Int64
        public var producerEpoch: Int16
        /// The sequence number of the producer's last batch in the partition.
        public var lastSequence: Int32
        /// The newest record timestamp of that batch; -1 once the batch itself is gone (retention).
        public var lastTimestamp: Int64
    }

    /// Every producer with batches remembered in this partition, by its most recent batch.
    public func activeProducers(topicID: Int64, partition: Int32) throws(SQLiteError) -> [ActiveProducer] {
        let statement = try self.db.statement(
            """
            SELECT p.producer_id, p.producer_epoch, p.last_sequence, coalesce(b.max_timestamp, -1)
            FROM producer_batches p
            LEFT JOIN batches b ON b.topic_id = p.topic_id AND b.partition = p.partition AND b.last_offset = p.last_offset
            WHERE p.topic_id = ?1 AND p.partition = ?2
              AND p.base_offset = (SELECT max(base_offset) FROM producer_batches l
                                   WHERE l.producer_id = p.producer_id AND l.topic_id = p.topic_id AND l.partition = p.partition)
            ORDER BY p.producer_id
            """
        )
        defer { statement.reset() }
        statement.bind(1, topicID).bind(2, partition)
        var producers: [ActiveProducer] = []
        while try statement.step() {
            producers.append(
                ActiveProducer(
                    producerID: statement.int64(at: 0),
                    producerEpoch: Int16(truncatingIfNeeded: statement.int64(at: 1)),
                    lastSequence: Int32(truncatingIfNeeded: statement.int64(at: 2)),
                    lastTimestamp: statement.int64(at: 3)
                )
            )
        }
        return producers
    }
}
